"""A staff member's own account page: password change and recovery codes."""

from __future__ import annotations

import time

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from objections.clock import utcnow
from objections.domain.errors import ValidationFailed
from objections.domain.permissions import Access
from objections.extensions import db
from objections.services import account, api_tokens
from objections.web.auth import LOGIN_AT_KEY
from objections.web.authz import requires
from objections.web.form_errors import apply_errors
from objections.web.labels import error_messages
from objections.web.reauth import recent_password_required

bp = Blueprint("account", __name__, url_prefix="/account")
API_ROLES = ("operator", "org_admin")


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


class TokenForm(FlaskForm):
    name = StringField(_l("Name of the system that will use it"), validators=[DataRequired(), Length(max=100)])


def _page(form: PasswordForm | None = None, token_form: TokenForm | None = None, new_token: str | None = None):  # type: ignore[no-untyped-def]
    tokens = api_tokens.list_tokens(db.session, user=current_user) if current_user.role in API_ROLES else []
    form = form or PasswordForm()
    if current_user.password_change_required:
        form.current_password.label.text = gettext("One-time password")
    return render_template(
        "account/index.html",
        form=form,
        confirm=ConfirmForm(),
        token_form=token_form or TokenForm(),
        tokens=tokens,
        new_token=new_token,
        may_use_api=current_user.role in API_ROLES,
    )


@bp.get("/")
@requires(Access.STAFF)
def index():  # type: ignore[no-untyped-def]
    return _page()


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
            apply_errors(form, exc.errors)
        else:
            db.session.commit()
            session.clear()
            session.permanent = True
            session[LOGIN_AT_KEY] = time.time()
            login_user(current_user._get_current_object())
            flash(gettext("Your password was changed. Other sessions were signed out."), "info")
            return redirect(url_for("account.index"))
    return _page(form=form), 422


@bp.post("/recovery-codes")
@requires(Access.STAFF)
@recent_password_required
def recovery_codes():  # type: ignore[no-untyped-def]
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("account.index"))
    codes = account.new_recovery_codes(db.session, current_user, now=utcnow())
    db.session.commit()
    return render_template("account/recovery_codes.html", codes=codes)


@bp.post("/tokens")
@requires(Access.ORGANISATION)
@recent_password_required
def issue_token():  # type: ignore[no-untyped-def]
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(token_form=form), 422
    try:
        token = api_tokens.issue_token(db.session, user=current_user, name=form.name.data or "", now=utcnow())
    except ValidationFailed as exc:
        db.session.rollback()
        form.name.errors = error_messages(exc.errors).get("name", [])
        return _page(token_form=form), 422
    db.session.commit()
    return _page(new_token=token)


@bp.post("/tokens/<int:token_id>/revoke")
@requires(Access.ORGANISATION)
def revoke_token(token_id: int):  # type: ignore[no-untyped-def]
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("account.index"))
    if token_id not in {t.id for t in api_tokens.list_tokens(db.session, user=current_user)}:
        abort(404)
    api_tokens.revoke_token(db.session, actor=current_user, token_id=token_id, now=utcnow())
    db.session.commit()
    flash(gettext("The token was revoked."), "info")
    return redirect(url_for("account.index"))
