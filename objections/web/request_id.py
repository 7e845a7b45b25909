"""Request ids (X-Request-ID in and out, on the error page, in every log line), the log of unhandled errors, and the
security events of requests refused before any view ran (a rate limit, a missing or stale CSRF token)."""

from __future__ import annotations

import logging
from types import TracebackType

from flask import Flask, Response, has_request_context, request_started
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from objections.security_log import (
    REQUEST_ID_HEADER,
    actor_of,
    current_request_id,
    route_of_request,
    security_event,
)

errors_log = logging.getLogger("objections.errors")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]


def register(app: Flask) -> None:
    request_started.connect(_assign_request_id, app)
    app.jinja_env.globals["request_id"] = current_request_id
    # Flask logs an unhandled exception once, just before the 500 page (web or API) is rendered: that record now
    # names the request id the page shows, and is one JSON line with its traceback (security_log.JsonLineFormatter).
    app.log_exception = _log_unhandled  # type: ignore[method-assign]

    @app.after_request
    def _request_id_header(response: Response) -> Response:
        request_id = current_request_id()
        if request_id is not None:
            response.headers[REQUEST_ID_HEADER] = request_id
        if response.status_code == 429:
            security_event("rate_limited", outcome="denied", **actor_of(current_user))
        return response


def log_csrf_failure(exc: CSRFError) -> None:
    """The security event of a refused form token; called by the handlers that answer a CSRFError."""
    security_event("csrf_failed", outcome="denied", reason=exc.description, **actor_of(current_user))


def _assign_request_id(_sender: Flask, **_extra: object) -> None:
    # Sent before any before_request function (CSRF protection included), so even a refused request has its id.
    current_request_id()


def _log_unhandled(exc_info: ExcInfo) -> None:
    request_id = current_request_id()
    errors_log.error(
        "unhandled exception in %s (request id %s)",
        route_of_request() if has_request_context() else "(no request)",
        request_id,
        exc_info=exc_info,
        extra={"request_id": request_id},
    )
