"""Worker functions for the outbox reliability tests, each run in a forked process that builds its own app (and so
its own engine and connections) on the shared database: sweeps, and dispatchers on a clock moved forward so that
retries come due without waiting, one of which can kill itself right after the server accepts a message."""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Event
from pathlib import Path

from flask import Flask

from objections import create_app
from objections.extensions import db
from objections.services import outbox
from objections.services.dispatch import dispatch_due, mailer_from_config
from objections.services.mailer import OutgoingMessage, SmtpMailer
from objections.services.scheduler_state import record_job_run
from objections.services.sweep import SWEEP_JOB, sweep_due
from tests.conftest import app_config

MAIL_FROM = "desk@objections.example.kz"


def make_app(database_url: str, folder: str, **extra: object) -> Flask:
    return create_app(app_config(Path(folder), database_url, MAIL_FROM=MAIL_FROM, **extra))


def sweep(database_url: str, folder: str, now: datetime, times: int) -> list[dict]:
    """`times` sweeps at `now`, each one transaction, as the scheduler runs them."""
    app = make_app(database_url, folder)
    results = []
    with app.app_context():
        for _ in range(times):
            result = sweep_due(db.session, now=now)
            record_job_run(db.session, SWEEP_JOB, now=now, result=result.as_dict())
            db.session.commit()
            results.append(result.as_dict())
        db.engine.dispose()
    return results


def dispatch(
    database_url: str, folder: str, smtp_url: str, offset: float, die_after: int = 0, runs: int = 1, pause: float = 0
) -> list[dict]:
    """`runs` dispatch runs, `pause` seconds apart, on the real clock moved `offset` seconds. With `die_after`,
    SIGKILL right after the server accepts that many messages: the last one accepted is never recorded as sent."""
    app = make_app(database_url, folder, SMTP_URL=smtp_url)
    results = []
    with app.app_context():
        for run in range(runs):
            if run:
                time.sleep(pause)
            mailer, reason = mailer_from_config(app.config)
            if die_after and isinstance(mailer, SmtpMailer):
                mailer = _DyingMailer(mailer, die_after)
            result = dispatch_due(
                db.session,
                mailer=mailer,
                clock=lambda: datetime.now(UTC) + timedelta(seconds=offset),
                unavailable_reason=reason,
            )
            results.append(result.as_dict())
        db.engine.dispose()
    return results


def sweep_or_dispatch(role: str, *arguments: object) -> list[dict]:
    """For a pool that runs sweeps and dispatchers side by side."""
    return (sweep if role == "sweep" else dispatch)(*arguments)  # type: ignore[arg-type]


class _DyingMailer:
    def __init__(self, mailer: SmtpMailer, die_after: int) -> None:
        self.mailer = mailer
        self.left = die_after

    def send(self, message: OutgoingMessage, *, now: datetime) -> None:
        self.mailer.send(message, now=now)
        self.left -= 1
        if self.left == 0:
            os.kill(os.getpid(), signal.SIGKILL)

    def close(self) -> None:
        self.mailer.close()


def sweep_and_hang(database_url: str, folder: str, now: datetime, inside: Event) -> None:
    """A sweep that has queued its messages, inside its transaction, and hangs there until it is killed."""
    app = make_app(database_url, folder)
    insert = outbox.insert_messages

    def insert_then_hang(session, rows):
        inserted = insert(session, rows)
        session.flush()
        inside.set()
        time.sleep(600)
        return inserted

    outbox.insert_messages = insert_then_hang  # type: ignore[assignment]
    with app.app_context():
        sweep_due(db.session, now=now)
