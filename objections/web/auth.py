"""Staff sign-in: password, then a TOTP code (enrolment on first sign-in), and sign-out."""

from __future__ import annotations

import io
import time

import pyotp
import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from objections.clock import utcnow
from objections.domain.permissions import Access
from objections.extensions import db, limiter, login_manager
from objections.models import User
from objections.security_log import actor_of, security_event
from objections.services import account
from objections.services import auth as auth_service
from objections.web.authz import public, requires
from objections.web.redirects import local_target

bp = Blueprint("auth", __name__)
PENDING_KEY = "pending_user"
LOGIN_AT_KEY = "login_at"
ABSOLUTE_TIMEOUT_SECONDS = 12 * 3600
PENDING_TIMEOUT_SECONDS = 300

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        raw_id, version = user_id.split(":")
        user = db.session.get(User, int(raw_id))
    except (ValueError, TypeError):
        return None
    if user is None or not user.active or str(user.session_version) != version:
        return None
    started = session.get(LOGIN_AT_KEY, 0)
    if time.time() - started > ABSOLUTE_TIMEOUT_SECONDS:
        return None
    return user


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class CodeForm(FlaskForm):
    code = StringField(
        _l("Six-digit code"),
        validators=[DataRequired(), Length(max=16)],
        description=_l("Or one of your recovery codes if you lost your authenticator app."),
    )


def _home_for(user: User) -> str:
    endpoint = {
        "operator": "operator.queue",
        "org_admin": "operator.queue",
        "supervisor": "supervisor.overview",
        "admin": "admin.index",
    }[user.role]
    return url_for(endpoint) if endpoint in current_app.view_functions else url_for("public.home")


def _safe_next(target: str | None) -> str | None:
    return local_target(target)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit("20/minute", methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    form = LoginForm()
    if form.validate_on_submit():
        result = auth_service.check_password(
            db.session,
            email=form.email.data or "",
            password=form.password.data or "",
            now=utcnow(),
            ip=request.remote_addr,
        )
        db.session.commit()
        if result.expired:
            flash(
                gettext(
                    "This one-time password has expired. Ask your administrator (or your organisation's admin) "
                    "for a new one."
                ),
                "error",
            )
            return render_template("auth/login.html", form=form), 401
        if result.user is None:
            flash(gettext("The e-mail or password is wrong, or the account is locked for a while."), "error")
            return render_template("auth/login.html", form=form), 401
        session.clear()
        session[PENDING_KEY] = {"id": result.user.id, "at": time.time(), "next": _safe_next(request.args.get("next"))}
        return redirect(url_for("auth.second_factor"))
    return render_template("auth/login.html", form=form)


def _pending_user() -> User | None:
    pending = session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_TIMEOUT_SECONDS:
        return None
    return db.session.get(User, pending["id"])


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit("20/minute", methods=["POST"])
def second_factor():  # type: ignore[no-untyped-def]
    user = _pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    enrol = not user.totp_confirmed
    if form.validate_on_submit():
        code = form.code.data or ""
        if sum(ch.isdigit() for ch in code) == 10:  # a recovery code instead of a TOTP code
            ok = not enrol and account.use_recovery_code(db.session, user, code, now=utcnow())
            if not ok:
                security_event("recovery_code_failed", outcome="failure", **actor_of(user))
        else:
            ok = auth_service.check_totp(db.session, user, code, now=utcnow(), ip=request.remote_addr)
        if ok:
            auth_service.complete_login(db.session, user, now=utcnow(), ip=request.remote_addr)
            db.session.commit()
            target = session[PENDING_KEY].get("next")
            session.clear()
            session.permanent = True
            session[LOGIN_AT_KEY] = time.time()
            login_user(user)
            security_event("login", outcome="success", **actor_of(user), enrolled=enrol)
            return redirect(target or _home_for(user))
        db.session.commit()
        flash(gettext("That code is not right, or it was used already. Wait for the next code."), "error")
    qr_svg = None
    if enrol and user.totp_secret:
        uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name="Objection desk")
        buffer = io.BytesIO()
        segno.make(uri, error="m").save(buffer, kind="svg", scale=4, xmldecl=False, svgns=True)
        qr_svg = buffer.getvalue().decode()
    return render_template(
        "auth/code.html", form=form, enrol=enrol, qr_svg=qr_svg, secret=user.totp_secret if enrol else None
    )


@bp.post("/logout")
@requires(Access.STAFF)
def logout():  # type: ignore[no-untyped-def]
    user = db.session.get(User, current_user.id)
    if user is None:
        abort(404)
    auth_service.end_sessions(db.session, user, now=utcnow())
    db.session.commit()
    security_event("logout", outcome="success", **actor_of(user))
    logout_user()
    session.clear()
    flash(gettext("You have signed out."), "info")
    return redirect(url_for("auth.login"))


def active_staff(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email, User.active))
