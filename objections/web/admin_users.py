"""Administrators' staff pages: list, invite, change role, deactivate, reset the second factor."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from objections.clock import utcnow
from objections.domain.errors import NotFound, ValidationFailed
from objections.domain.permissions import Access
from objections.extensions import db
from objections.models import Organization, User
from objections.services import staff
from objections.web import labels
from objections.web.admin import bp
from objections.web.admin_organizations import MAX_ID
from objections.web.authz import requires
from objections.web.confirm import account_action_needs_asking, account_action_question, ask_first, last_to_answer_for
from objections.web.form_errors import apply_errors
from objections.web.reauth import recent_password_required

ROLE_CHOICES = list(labels.ROLE.items())


def _choices(pairs: list[tuple[str, object]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]  # type: ignore[arg-type]


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=_choices(ROLE_CHOICES))
    organization = SelectField(_l("Organisation (operators and organisation admins)"), validators=[Optional()])
    language = SelectField(_l("Language"), choices=_choices([("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]))


class ActionForm(FlaskForm):
    pass


def _organisation_choices() -> list[tuple[str, str]]:
    slugs = db.session.scalars(select(Organization.slug).order_by(Organization.slug))
    return _choices([("", "—"), *((slug, slug) for slug in slugs)])


def _page(  # type: ignore[no-untyped-def]
    form: InviteForm,
    *,
    new_password: str | None = None,
    new_email: str | None = None,
    reissued: bool = False,
    status: int = 200,
):
    return render_template(
        "admin/users.html",
        form=form,
        action=ActionForm(),
        users=staff.list_staff(db.session),
        new_password=new_password,
        new_email=new_email,
        reissued=reissued,
    ), status


@bp.get("/users", endpoint="users")
@requires(Access.ADMINISTRATION)
def users():  # type: ignore[no-untyped-def]
    form = InviteForm()
    form.organization.choices = _organisation_choices()
    wanted = request.args.get("organization", "")
    if wanted in {choice.value for choice in form.organization.choices}:
        form.organization.data = wanted  # "invite its staff" from an organisation's page
    return _page(form)


@bp.post("/users", endpoint="invite_user")
@requires(Access.ADMINISTRATION)
@recent_password_required
def invite_user():  # type: ignore[no-untyped-def]
    form = InviteForm()
    form.organization.choices = _organisation_choices()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        user, password = staff.invite_staff(
            db.session,
            actor=current_user,
            email=form.email.data or "",
            role=form.role.data,
            organization_slug=form.organization.data,
            full_name=form.full_name.data or "",
            language=form.language.data,
            now=utcnow(),
        )
    except ValidationFailed as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        return _page(form, status=422)
    db.session.commit()
    return _page(InviteForm(formdata=None, organization=""), new_password=password, new_email=user.email)


@bp.post(
    f"/users/<int(max={MAX_ID}):user_id>/<any(deactivate, activate, reset_second_factor, new_password):action>",
    endpoint="user_action",
)
@requires(Access.ADMINISTRATION)
@recent_password_required
def user_action(user_id: int, action: str):  # type: ignore[no-untyped-def]
    if not ActionForm().validate_on_submit():
        abort(400)
    target = db.session.get(User, user_id)
    if target is None:
        abort(404)
    if account_action_needs_asking(action, on_self=target.id == current_user.id):
        last = last_to_answer_for(db.session, target, str(get_locale() or "kk")) if action == "deactivate" else None
        question = account_action_question(target.email, action, last_to_answer_for=last)
        if asked := ask_first(**question, cancel_url=url_for("admin.users")):
            return asked
    now = utcnow()
    try:
        if action == "new_password":
            user, password = staff.issue_one_time_password(db.session, actor=current_user, user_id=user_id, now=now)
            db.session.commit()
            form = InviteForm(formdata=None, organization="")
            form.organization.choices = _organisation_choices()
            return _page(form, new_password=password, new_email=user.email, reissued=True)
        if action == "reset_second_factor":
            staff.reset_second_factor(db.session, actor=current_user, user_id=user_id, now=now)
            message = gettext("%(email)s sets up a new second factor at the next sign-in.", email=target.email)
        else:
            active = action == "activate"
            staff.set_active(db.session, actor=current_user, user_id=user_id, active=active, now=now)
            message = (
                gettext("%(email)s can sign in again.", email=target.email)
                if active
                else gettext("%(email)s is deactivated and signed out everywhere.", email=target.email)
            )
    except NotFound:
        abort(404)
    except ValidationFailed:
        db.session.rollback()
        flash(
            gettext("Change your own password on your account page.")
            if action == "new_password"
            else gettext("You cannot deactivate your own account."),
            "error",
        )
        return redirect(url_for("admin.users"))
    db.session.commit()
    flash(message, "info")
    return redirect(url_for("admin.users"))
