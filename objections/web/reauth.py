"""Sensitive actions need a recent password: new recovery codes or API tokens, staff changes, bulk exports."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import confirm_login, current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from objections.clock import utcnow
from objections.domain.permissions import Access
from objections.extensions import db, limiter
from objections.services import reauth
from objections.web.auth import LOGIN_AT_KEY, bp
from objections.web.authz import requires
from objections.web.redirects import local_target

CONFIRMED_AT_KEY = "confirmed_at"


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


def recently_authenticated() -> bool:
    """Whether the password was given (at sign-in or in a confirmation) within REAUTH_MINUTES."""
    if session.get("_fresh") is False:
        return False
    latest = max(session.get(LOGIN_AT_KEY, 0), session.get(CONFIRMED_AT_KEY, 0))
    return time.time() - latest <= current_app.config["REAUTH_MINUTES"] * 60


def _back() -> str:
    """Where to return after confirming: this page for a GET; for a POST, the page whose form was sent."""
    if request.method == "GET":
        return request.full_path if request.query_string else request.path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host:
        target = local_target(referrer.path + (f"?{referrer.query}" if referrer.query else ""))
        if target:
            return target
    return url_for("public.home")


def recent_password_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send a staff member whose last password entry is older than REAUTH_MINUTES to confirm it first. Put it under
    the access rule (`@requires`), so that rule decides who may come this far."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if recently_authenticated():
            return view(*args, **kwargs)
        if request.method != "GET":
            flash(gettext("Nothing was done yet: confirm your password, then repeat the action."), "info")
        return redirect(url_for("auth.confirm_password", next=_back()), 303)

    return wrapped


@bp.route("/login/confirm", methods=["GET", "POST"], endpoint="confirm_password")
@requires(Access.STAFF)
@limiter.limit("20/minute", methods=["POST"])
def confirm_password():  # type: ignore[no-untyped-def]
    form = ConfirmPasswordForm()
    if request.method == "GET":
        form.next.data = local_target(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = current_user._get_current_object()
        confirmed = reauth.confirm_password(
            db.session, user, password=form.password.data or "", now=utcnow(), ip=request.remote_addr
        )
        db.session.commit()
        if confirmed:
            session[CONFIRMED_AT_KEY] = time.time()
            confirm_login()
            return redirect(local_target(form.next.data) or url_for("account.index"), 303)
        flash(gettext("That is not your password, or the account is locked for a while."), "error")
        return render_template("auth/confirm.html", form=form), 401
    status = 422 if request.method == "POST" else 200
    return render_template("auth/confirm.html", form=form, minutes=current_app.config["REAUTH_MINUTES"]), status
