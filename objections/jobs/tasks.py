"""The scheduled jobs. Each opens an app context, calls one service with the current time, commits and records its
run (JobRun, read by /healthz and the admin page); `flask scheduler sweep|dispatch|digest` calls the same functions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from flask import Flask
from sqlalchemy.orm import Session

from objections.clock import utcnow
from objections.extensions import db
from objections.services import audit_verify, review
from objections.services import digest as digest_service
from objections.services import dispatch as dispatch_service
from objections.services import retention as retention_service
from objections.services import sweep as sweep_service
from objections.services.scheduler_state import record_job_run

log = logging.getLogger("objections.scheduler")

SWEEP = sweep_service.SWEEP_JOB
DISPATCH = "dispatch"
DIGEST = digest_service.DIGEST_JOB
CLOSE = "close"
ANCHOR = "audit_anchor"
RETENTION = "retention"
QUIET_KEYS = frozenset(
    {"anchor", "chains", "event_floor", "event_seen", "examined", "day", "waiting", "nothing_to_report"}
)
"""Figures that do not make a run worth a log line by themselves."""


class Gate(Protocol):
    """What a job asks before working: does this process lead? (scheduler_state.Leadership)"""

    is_leader: bool
    current_holder: str | None


def sweep(app: Flask, gate: Gate | None = None) -> dict[str, Any] | None:
    """Queue the reminders and breach notices whose moment has come."""
    offsets = tuple(app.config["REMINDER_OFFSETS_HOURS"])
    return _run(app, SWEEP, gate, lambda session, now: sweep_service.sweep_due(session, now=now, offsets_hours=offsets))


def dispatch(app: Flask, gate: Gate | None = None) -> dict[str, Any] | None:
    """Send the outbox's due messages over SMTP."""

    def body(session: Session, now: Any) -> Any:
        mailer, reason = dispatch_service.mailer_from_config(app.config)
        return dispatch_service.dispatch_due(
            session,
            mailer=mailer,
            clock=utcnow,
            unavailable_reason=reason,
            max_attempts=int(app.config.get("OUTBOX_MAX_ATTEMPTS", dispatch_service.MAX_ATTEMPTS)),
        )

    return _run(app, DISPATCH, gate, body)


def digest(app: Flask, gate: Gate | None = None) -> dict[str, Any] | None:
    """Queue today's digests for staff who have not had theirs."""
    return _run(app, DIGEST, gate, lambda session, now: digest_service.send_digests(session, now=now))


def close_answered(app: Flask, gate: Gate | None = None) -> dict[str, Any] | None:
    """Close objections answered more than CLOSE_AFTER_DAYS ago."""
    after_days = int(app.config["CLOSE_AFTER_DAYS"])
    return _run(
        app, CLOSE, gate, lambda session, now: {"closed": review.close_due(session, now=now, after_days=after_days)}
    )


def audit_anchor(app: Flask, gate: Gate | None = None) -> dict[str, Any] | None:
    """Hash the heads of every chain once a day, so that a deleted chain is noticed by `audit verify`."""

    def body(session: Session, now: Any) -> dict[str, Any]:
        anchor = audit_verify.write_anchor(session, now=now)
        return {"anchor": anchor.id, "chains": anchor.chain_count}

    return _run(app, ANCHOR, gate, body)


def retention(app: Flask, gate: Gate | None = None) -> dict[str, Any] | None:
    """Erase the personal data of objections closed more than RETENTION_YEARS ago."""
    years = int(app.config["RETENTION_YEARS"])
    return _run(
        app,
        RETENTION,
        gate,
        lambda session, now: retention_service.anonymise_expired(session, now=now, retention_years=years),
    )


def _run(app: Flask, name: str, gate: Gate | None, body: Callable[[Session, Any], Any]) -> dict[str, Any] | None:
    if gate is not None and not gate.is_leader:
        log.info("skipped %s: standing by while %s leads", name, gate.current_holder or "another scheduler")
        return None
    with app.app_context():
        session = db.session
        now = utcnow()
        try:
            outcome = body(session, now)
            result = outcome if isinstance(outcome, dict) else outcome.as_dict()
            record_job_run(session, name, now=now, result=result)
            session.commit()
        except Exception:
            session.rollback()
            log.exception("%s failed", name)
            raise
        finally:
            db.session.remove()
    if any(value for key, value in result.items() if key not in QUIET_KEYS):
        log.info("%s: %s", name, result)
    return result
