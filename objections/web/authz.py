"""The one authorisation layer: every view declares its access rule with @requires; a test walks the URL map,
fails on a view without a rule, and checks each rule for each role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user

from objections.domain.permissions import NEEDS_SIGN_IN, Access, may
from objections.security_log import actor_of, security_event

ACCESS_ATTRIBUTE = "access_rule"
CHOOSE_OWN_FIRST = "This account has a one-time password: choose your own on your account page first."
# What an account whose password an administrator was shown may do before it chooses its own.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"account.index", "account.change_password", "auth.logout"})


def requires(access: Access) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare and enforce who may use a view: anonymous users are sent to sign in (401 JSON on the API);
    signed-in users of another role get 403."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if access in NEEDS_SIGN_IN:
                role = current_user.role if current_user.is_authenticated else None
                if role is None:
                    if request.path.startswith("/api/"):
                        return jsonify({"error": "authentication required"}), 401
                    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
                if not may(role, access):
                    security_event(
                        "access_denied", outcome="denied", **actor_of(current_user), rule=access.value, role=role
                    )
                    abort(403)
                if current_user.password_change_required and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
                    if request.path.startswith("/api/"):
                        return jsonify({"error": CHOOSE_OWN_FIRST}), 403
                    flash(gettext("Choose a password of your own before you go on."), "info")
                    return redirect(url_for("account.index"))
            return view(*args, **kwargs)

        setattr(guarded, ACCESS_ATTRIBUTE, access)
        return guarded

    return decorate


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    return requires(Access.PUBLIC)(view)


def access_rule_of(app: Flask, endpoint: str) -> Access | None:
    if endpoint == "static":
        return Access.PUBLIC
    view = app.view_functions[endpoint]
    return getattr(view, ACCESS_ATTRIBUTE, None)


def check_every_view_has_a_rule(app: Flask) -> list[str]:
    """Endpoints that declare no access rule."""
    return sorted(endpoint for endpoint in app.view_functions if access_rule_of(app, endpoint) is None)
