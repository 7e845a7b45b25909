"""Bearer-token authentication for the operators' endpoints: `Authorization: Bearer <token>`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from objections.clock import utcnow
from objections.domain.permissions import Access, may
from objections.extensions import db
from objections.models import User
from objections.security_log import actor_of, security_event
from objections.services.api_tokens import authenticate_token
from objections.web.api.errors import ApiError
from objections.web.authz import ACCESS_ATTRIBUTE, CHOOSE_OWN_FIRST

F = TypeVar("F", bound=Callable[..., Any])
CASE_ROLES = ("operator", "org_admin")
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="objections"'}
INVALID_TOKEN_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="objections", error="invalid_token"'}


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def require_case_worker(view: F) -> F:
    """Admit an active operator or organisation admin by their token; the user is `g.api_user`."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = _bearer_token()
        if token is None:
            raise ApiError(401, "Send your API token: Authorization: Bearer <token>.", CHALLENGE)
        user = authenticate_token(db.session, token, now=utcnow())
        if user is None:
            security_event("api_token_refused", outcome="denied")
            raise ApiError(401, "The API token is not valid: it is unknown or revoked.", INVALID_TOKEN_CHALLENGE)
        if not may(user.role, Access.ORGANISATION) or user.organization_id is None:
            security_event("access_denied", outcome="denied", **actor_of(user), rule=Access.ORGANISATION.value)
            raise ApiError(403, "Only an organisation's operators and admins can work on its objections.")
        if user.password_change_required:
            raise ApiError(403, CHOOSE_OWN_FIRST)
        g.api_user = user
        return view(*args, **kwargs)

    setattr(wrapper, ACCESS_ATTRIBUTE, Access.ORGANISATION)
    return wrapper  # type: ignore[return-value]


def api_user() -> User:
    return g.api_user
