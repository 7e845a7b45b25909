"""The structured security log: one JSON line per security event, on the logger "objections.security"."""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, has_request_context, request

from objections import crypto

SECURITY_LOGGER = "objections.security"
APP_LOGGER = "objections"
OUTCOMES = ("success", "failure", "denied")
# Names a caller may never pass as a field: secrets and citizens' personal data stay out of the log (ASVS 7.1.2).
FORBIDDEN_FIELDS = frozenset(
    {
        "password",
        "code",
        "totp",
        "totp_code",
        "recovery_code",
        "access_code",
        "token",
        "cookie",
        "session",
        "iin",
        "email",
        "full_name",
        "phone",
    }
)
RESERVED_FIELDS = frozenset({"time", "event", "outcome", "user_id", "org", "ip", "endpoint", "route", "request_id"})
_HANDLER_MARK = "_objections_log_handler"
REQUEST_ID_HEADER = "X-Request-ID"
WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_REQUEST_ID_KEY = "objections.request_id"
# A case reference (OB-2026-000123) names no person and may be logged; anything else typed into a URL is not.
REFERENCE_PATTERN = re.compile(r"OB-\d{4}-\d{6,9}", re.IGNORECASE)

log = logging.getLogger(SECURITY_LOGGER)


def security_event(
    event: str,
    *,
    outcome: str,
    user_id: int | None = None,
    organization_id: int | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Write one security event as one JSON line and return what was written. Time is UTC; inside a request the
    client address, the route (method and URL rule: never the path's values or the query string, which may carry a
    token) and the request id are added. Fields must not carry secrets or personal data (see FORBIDDEN_FIELDS)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
    clash = (set(fields) & FORBIDDEN_FIELDS) | (set(fields) & RESERVED_FIELDS)
    if clash:
        raise ValueError(f"fields not allowed in the security log: {sorted(clash)}")
    record: dict[str, Any] = {
        "time": utc_timestamp(),
        "event": event,
        "outcome": outcome,
        "user_id": user_id,
        "org": organization_id,
        "ip": None,
        "endpoint": None,
        "route": None,
        "request_id": None,
    }
    if has_request_context():
        record.update(
            ip=request.remote_addr,
            endpoint=request.endpoint,
            route=route_of_request(),
            request_id=current_request_id(),
        )
    record.update(fields)
    line = json.dumps(record, ensure_ascii=False, default=_json_value, separators=(",", ":"))
    log.log(logging.INFO if outcome == "success" else logging.WARNING, line, extra={"security_event": record})
    return record


def current_request_id() -> str | None:
    """The id of the request being served (None outside a request): the proxy's X-Request-ID, behind PROXY_FIX, when
    it is well-formed (at most 64 characters of A-Z a-z 0-9 . _ -), else a new random one. Kept in the request's WSGI
    environment, so a test client's shared application context never hands one request's id to the next, and
    mirrored on flask.g.request_id."""
    if not has_request_context():
        return None
    request_id = request.environ.get(_REQUEST_ID_KEY)
    if request_id is None:
        # Only a reverse proxy's id is taken over (PROXY_FIX says there is one): a client could otherwise reuse
        # another request's id and muddle the logs and the reference on the error page.
        incoming = request.headers.get(REQUEST_ID_HEADER, "") if current_app.config.get("PROXY_FIX") else ""
        request_id = incoming if WELL_FORMED_REQUEST_ID.fullmatch(incoming) else secrets.token_hex(8)
        request.environ[_REQUEST_ID_KEY] = request_id
    g.request_id = request_id
    return str(request_id)


def _json_value(value: Any) -> str:
    return utc_timestamp(value) if isinstance(value, datetime) else str(value)


def actor_of(user: Any) -> dict[str, Any]:
    """user_id and organization_id of a signed-in user (Flask-Login's current_user or a User), nothing for an
    anonymous visitor."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    return {"user_id": user.id, "organization_id": user.organization_id}


def loggable_reference(reference: str) -> str:
    """A well-formed case reference as it is; anything else replaced, since it could be any text."""
    reference = reference.strip()
    return reference.upper() if REFERENCE_PATTERN.fullmatch(reference) else "(malformed)"


def email_fingerprint(email: str) -> str:
    """A keyed hash of an e-mail address that matched no account: repeated attempts on one address can be told apart
    from a spray over many, but the address itself (perhaps a citizen's, perhaps a typo) is never written."""
    normalised = email.strip().lower()
    return crypto.keyring().hash_secret(f"security-log-email:{normalised}")[:16]


def route_of_request() -> str:
    rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
    return f"{request.method} {rule}"


def utc_timestamp(moment: datetime | None = None) -> str:
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonLineFormatter(logging.Formatter):
    """Every record as one JSON line: a security event as written, any other record (a warning, an unhandled
    exception with its traceback) as {time, level, logger, message, request_id, exception}. Line breaks and control
    characters in messages come out escaped, so nobody can forge a second line (ASVS 7.3.1)."""

    def format(self, record: logging.LogRecord) -> str:
        if isinstance(getattr(record, "security_event", None), dict):
            return json.dumps(record.security_event, ensure_ascii=False, default=_json_value, separators=(",", ":"))
        entry: dict[str, Any] = {
            "time": utc_timestamp(datetime.fromtimestamp(record.created, UTC)),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is None:
            request_id = current_request_id()
        if request_id is not None:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=_json_value, separators=(",", ":"))


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the moment (gunicorn's workers, the development server, a test's
    capture)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> Any:  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(app: Flask) -> logging.Handler:
    """Send the application's records (logger "objections" and below: the security log, unhandled errors, the
    services' warnings) to stderr, one JSON line each, at INFO and above. Calling it again replaces the handler
    rather than adding a second one. Records still propagate, so a process that configures the root logger itself
    (the scheduler's command) sees them there too."""
    logger = logging.getLogger(APP_LOGGER)
    # logging.config.fileConfig (Alembic's env.py runs it) disables every logger that exists at the time; the app's
    # own loggers are switched back on, or a migration run in the same process would silence the security log.
    for name, existing in list(logging.Logger.manager.loggerDict.items()):
        if (name == APP_LOGGER or name.startswith(APP_LOGGER + ".")) and isinstance(existing, logging.Logger):
            existing.disabled = False
    for handler in [h for h in logger.handlers if getattr(h, _HANDLER_MARK, False)]:
        logger.removeHandler(handler)
    handler = StderrHandler()
    handler.setFormatter(JsonLineFormatter())
    setattr(handler, _HANDLER_MARK, True)
    logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.DEBUG if app.debug else logging.INFO)
    return handler


def installed_handler() -> logging.Handler | None:
    """The handler configure_logging installed, if any."""
    return next((h for h in logging.getLogger(APP_LOGGER).handlers if getattr(h, _HANDLER_MARK, False)), None)
