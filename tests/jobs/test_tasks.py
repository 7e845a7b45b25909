"""The jobs as the scheduler runs them, under a moving clock (time-machine): each reminder and the breach reach each
recipient exactly once, across a restart and across an outage; the CLI runs the same jobs once."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from objections import create_app
from objections.extensions import db
from objections.jobs import tasks
from objections.models import JobRun, Notification, Objection
from objections.services.mailer import message_id
from tests.builders import make_objection, make_organization, make_user
from tests.conftest import app_config
from tests.smtp import SmtpServer

HOUR = timedelta(hours=1)
MAIL_FROM = "desk@objections.example.kz"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def config_overrides(smtp: SmtpServer) -> dict:
    return {"SMTP_URL": smtp.url, "MAIL_FROM": MAIL_FROM}


def run(job, app: Flask, at: datetime) -> dict | None:
    """One scheduled run at `at`. The test's own session commits first: on SQLite every transaction takes the
    write lock at BEGIN, and the job works in a session of its own."""
    db.session.commit()
    with time_machine.travel(at, tick=False):
        return job(app)


@pytest.fixture
def case(session: Session, now: datetime) -> Objection:
    organization = make_organization(session)
    make_user(session, organization=organization, language="ru")
    make_user(session, role="supervisor", language="kk")
    objection = make_objection(session, organization=organization, received_at=now)
    session.commit()
    return objection


def delivered(smtp: SmtpServer, reference: str) -> Counter[tuple[str, str]]:
    """(moment, recipient) of each reminder or breach about the objection the server accepted, matched to the outbox
    by Message-ID; a message delivered twice counts twice."""
    keys = db.session.scalars(
        select(Notification.idempotency_key).where(
            Notification.kind.in_(("reminder", "breach")), Notification.idempotency_key.contains(f":{reference}:")
        )
    ).all()
    db.session.commit()
    by_id = {message_id(key, MAIL_FROM): key.split(":") for key in keys}
    counts: Counter[tuple[str, str]] = Counter()
    for mail in smtp.received:
        if mail.message_id in by_id:
            label, _reference, address = by_id[mail.message_id]
            assert mail.recipients == (address,)
            counts[(label, address)] += 1
    return counts


def test_a_case_passes_each_reminder_and_the_breach_exactly_once(
    app: Flask, case: Objection, smtp: SmtpServer, now: datetime
) -> None:
    at = now
    while at <= case.deadline_at + 24 * HOUR:
        run(tasks.sweep, app, at)
        run(tasks.dispatch, app, at)
        at += HOUR

    counts = delivered(smtp, case.reference)
    recipients = {address for _kind, address in counts}
    assert len(recipients) == 3  # the operator, the organisation's address and (for the breach) the supervisor
    assert set(counts.values()) == {1}
    assert sorted(kind for kind, _address in counts) == ["breach"] * 3 + ["reminder-24h"] * 2 + ["reminder-4h"] * 2


def test_a_restart_between_reminders_repeats_and_loses_nothing(
    app: Flask, case: Objection, smtp: SmtpServer, tmp_path: Path, database_url: str, config_overrides: dict
) -> None:
    deadline = case.deadline_at
    run(tasks.sweep, app, deadline - 23 * HOUR)
    run(tasks.dispatch, app, deadline - 23 * HOUR)
    db.session.commit()

    # A new process: a fresh app on the same database, nothing carried over in memory.
    restarted = create_app(app_config(tmp_path / "restarted", database_url, **config_overrides))
    for hours in (-23, -22, -3, -2, 0, 1, 5):
        run(tasks.sweep, restarted, deadline + hours * HOUR)
        run(tasks.dispatch, restarted, deadline + hours * HOUR)
    with restarted.app_context():
        db.engine.dispose()

    counts = delivered(smtp, case.reference)
    assert set(counts.values()) == {1}
    assert Counter(kind for kind, _address in counts) == {"reminder-24h": 2, "reminder-4h": 2, "breach": 3}


def test_the_scheduler_down_across_the_4h_mark_sends_the_breach_and_no_stale_reminder(
    app: Flask, case: Objection, smtp: SmtpServer
) -> None:
    deadline = case.deadline_at
    run(tasks.sweep, app, deadline - 20 * HOUR)
    run(tasks.dispatch, app, deadline - 20 * HOUR)
    # Down from 20 hours before the deadline until 30 minutes after it.
    for minutes in (30, 31, 60, 120):
        run(tasks.sweep, app, deadline + minutes * timedelta(minutes=1))
        run(tasks.dispatch, app, deadline + minutes * timedelta(minutes=1))

    counts = delivered(smtp, case.reference)
    assert Counter(kind for kind, _address in counts) == {"reminder-24h": 2, "breach": 3}
    assert set(counts.values()) == {1}


def test_jobs_record_their_runs_for_healthz(app: Flask, case: Objection, now: datetime) -> None:
    run(tasks.sweep, app, now + HOUR)
    run(tasks.dispatch, app, now + 2 * HOUR)
    body = app.test_client().get("/healthz").get_json()
    assert body["last_sweep_at"] == (now + HOUR).isoformat()
    assert body["last_dispatch_at"] == (now + 2 * HOUR).isoformat()
    runs = {r.name: r for r in db.session.scalars(select(JobRun))}
    assert runs["dispatch"].last_result["sent"] == 3  # the receipt and the new-objection messages from intake


class Standby:
    is_leader = False
    current_holder = "host:4242:abcdef"


def test_a_job_does_nothing_but_log_while_another_scheduler_leads(
    app: Flask, case: Objection, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logging.getLogger("objections.scheduler"), "disabled", False)
    with caplog.at_level(logging.INFO, logger="objections.scheduler"):
        assert run(lambda a: tasks.sweep(a, Standby()), app, case.deadline_at) is None
    assert "skipped sweep: standing by while host:4242:abcdef leads" in caplog.text
    assert db.session.scalar(select(JobRun)) is None
    assert db.session.scalar(select(Notification).where(Notification.kind == "breach")) is None


def test_the_close_job_closes_objections_answered_thirty_days_ago(app: Flask, session: Session, now: datetime) -> None:
    answered = make_objection(session, received_at=now, status="answered")
    result = run(tasks.close_answered, app, answered.answered_at + timedelta(days=30, minutes=1))
    session.refresh(answered)
    assert result == {"closed": 1}
    assert answered.status == "closed"


def test_the_cli_runs_each_job_once(app: Flask, case: Objection, runner) -> None:
    at = case.deadline_at + HOUR
    db.session.commit()
    with time_machine.travel(at, tick=False):
        sweep = runner.invoke(args=["scheduler", "sweep"])
        dispatch = runner.invoke(args=["scheduler", "dispatch"])
        digest = runner.invoke(args=["scheduler", "digest"])
    assert sweep.exit_code == 0, sweep.output
    assert json.loads(sweep.output.strip().splitlines()[-1])["breaches"] == 3
    assert json.loads(dispatch.output.strip().splitlines()[-1])["sent"] == 6  # with intake's three
    assert json.loads(digest.output.strip().splitlines()[-1])["job"] == "digest"
    assert {r.name for r in db.session.scalars(select(JobRun))} == {"sweep", "dispatch", "digest"}


def test_the_audit_anchor_job_writes_an_anchor_that_verifies(app, session, now) -> None:
    from objections.jobs import tasks
    from objections.models import AuditAnchor
    from objections.services.audit_verify import verify_all
    from tests.builders import make_objection

    make_objection(session, received_at=now)
    session.commit()
    result = tasks.audit_anchor(app)
    assert result is not None and result["chains"] >= 1
    assert session.query(AuditAnchor).count() == 1
    assert verify_all(session).ok


def test_the_retention_job_records_its_run(app, session) -> None:
    from objections.jobs import tasks
    from objections.models import JobRun

    assert tasks.retention(app) == {"anonymised": 0}
    assert session.get(JobRun, "retention") is not None
