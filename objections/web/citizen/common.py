"""What the citizen views share: the page language, configured rate limits, and the session's proof of access."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, redirect, session, url_for
from flask_babel import get_locale
from werkzeug.wrappers import Response

from objections.extensions import db
from objections.models import Objection
from objections.services import tracking
from objections.web.labels import error_messages

TRACKED_KEY = "tracked_objections"
TRACKED_MAX = 5


def configured_limit(key: str, default: str) -> Callable[[], str]:
    """A rate limit read from the configuration at request time (e.g. FILING_RATE_LIMIT = "10/minute")."""
    return lambda: current_app.config.get(key, default)


def page_language() -> str:
    return str(get_locale())


def grant(reference: str) -> None:
    """Let this browser session see and act on the objection (after a right code, a valid link, or filing it).
    The session then expires after PERMANENT_SESSION_LIFETIME without a request."""
    others = [r for r in session.get(TRACKED_KEY, []) if r != reference]
    session[TRACKED_KEY] = [reference, *others][:TRACKED_MAX]
    session.permanent = True


def subject_objection(reference: str) -> Objection | None:
    """The objection when this session has proved it may see it; None otherwise."""
    reference = reference.strip().upper()
    if reference not in session.get(TRACKED_KEY, []):
        return None
    return tracking.objection_by_reference(db.session, reference)


def to_lookup(reference: str) -> Response:
    """Send someone without proof of access to the lookup form, the reference filled in."""
    return redirect(url_for("citizen.track", reference=reference[:40]))


def show_errors(form: object, codes: dict[str, list[str]]) -> None:
    """Put the services' error codes, as words in the page language, beside the form's fields; a field whose
    shape is already wrong keeps only that message."""
    for name, messages in error_messages(codes).items():
        field = getattr(form, name, None)
        if field is not None and not field.errors:
            field.errors = list(messages)
