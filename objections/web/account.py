"""A staff member's own account page: password change and recovery codes."""

from __future__ import annotations

import time

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from objections.clock import utcnow
from objections.domain.errors import ValidationFailed
from objections.domain.permissions import Access
from objections.extensions import db
from objections.services import account
from objections.web.auth import LOGIN_AT_KEY
from objections.web.authz import requires
from objections.web.labels import error_messages

bp = Blueprint("account", __name__, url_prefix="/account")


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=1024)],
        description=_l("At least 12 characters. A sentence you remember works well."),
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class ConfirmForm(FlaskForm):
    pass


@bp.get("/")
@requires(Access.STAFF)
def index():  # type: ignore[no-untyped-def]
    return render_template("account/index.html", form=PasswordForm(), confirm=ConfirmForm())


@bp.post("/password")
@requires(Access.STAFF)
def change_password():  # type: ignore[no-untyped-def]
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            account.change_password(
                db.session,
                current_user,
                current=form.current_password.data or "",
                new=form.new_password.data or "",
                now=utcnow(),
            )
        except ValidationFailed as exc:
            db.session.rollback()
            for name, messages in error_messages(exc.errors).items():
                getattr(form, name).errors = list(messages)
        else:
            db.session.commit()
            session.clear()
            session.permanent = True
            session[LOGIN_AT_KEY] = time.time()
            login_user(current_user._get_current_object())
            flash(gettext("Your password was changed. Other sessions were signed out."), "info")
            return redirect(url_for("account.index"))
    return render_template("account/index.html", form=form, confirm=ConfirmForm()), 422


@bp.post("/recovery-codes")
@requires(Access.STAFF)
def recovery_codes():  # type: ignore[no-untyped-def]
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("account.index"))
    codes = account.new_recovery_codes(db.session, current_user, now=utcnow())
    db.session.commit()
    return render_template("account/recovery_codes.html", codes=codes)
