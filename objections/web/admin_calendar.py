"""Administrators' calendar page: the overrides (as the CLI), with the yearly review warning."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from objections.clock import utcnow
from objections.domain.errors import NotFound, ValidationFailed
from objections.domain.permissions import Access
from objections.extensions import db
from objections.services import calendar_overrides
from objections.web.admin import bp
from objections.web.authz import requires
from objections.web.form_errors import apply_errors


class OverrideForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired()])
    kind = SelectField(
        _l("The day becomes"),
        choices=[SelectChoice("day_off", _l("a day off")), SelectChoice("working_day", _l("a working day"))],
    )
    reason = StringField(_l("Reason (e.g. the government decree)"), validators=[DataRequired(), Length(max=300)])


class RemoveForm(FlaskForm):
    pass


def _page(form: OverrideForm, status: int = 200):  # type: ignore[no-untyped-def]
    now = utcnow()
    return render_template(
        "admin/calendar.html",
        form=form,
        remove=RemoveForm(),
        overrides=calendar_overrides.list_overrides(db.session),
        warning=calendar_overrides.next_year_review_warning(db.session, now=now),
    ), status


@bp.get("/calendar", endpoint="calendar")
@requires(Access.ADMINISTRATION)
def calendar():  # type: ignore[no-untyped-def]
    return _page(OverrideForm())


@bp.post("/calendar", endpoint="add_override")
@requires(Access.ADMINISTRATION)
def add_override():  # type: ignore[no-untyped-def]
    form = OverrideForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        result = calendar_overrides.add_override(
            db.session,
            day=form.day.data,
            is_working_day=form.kind.data == "working_day",
            reason=form.reason.data or "",
            actor=current_user,
            now=utcnow(),
        )
    except ValidationFailed as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        return _page(form, 422)
    db.session.commit()
    flash(gettext("Override saved; %(count)d open deadline(s) changed.", count=len(result.changes)), "info")
    return redirect(url_for("admin.calendar"))


@bp.post("/calendar/<day>/remove", endpoint="remove_override")
@requires(Access.ADMINISTRATION)
def remove_override(day: str):  # type: ignore[no-untyped-def]
    from datetime import date

    if not RemoveForm().validate_on_submit():
        abort(400)
    try:
        parsed = date.fromisoformat(day)
        result = calendar_overrides.remove_override(db.session, day=parsed, actor=current_user, now=utcnow())
    except (ValueError, NotFound):
        abort(404)
    db.session.commit()
    flash(gettext("Override removed; %(count)d open deadline(s) changed.", count=len(result.changes)), "info")
    return redirect(url_for("admin.calendar"))
