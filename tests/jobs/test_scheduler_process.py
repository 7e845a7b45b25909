"""`flask --app wsgi scheduler run` as a real process, as an operator starts it from a shell: after downtime it
catches up in its first sweep, sending the breach rather than a stale reminder (R4), sends, and stops cleanly on
SIGTERM; of two started together one leads, the other stands by and takes over when the first is killed (R5, R6)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from objections import ROOT
from objections.models import JobRun, Notification, ObjectionEvent, SchedulerLock
from objections.services.scheduler_state import record_job_run
from tests.builders import make_many_objections, make_organization
from tests.conftest import TEST_KEYS
from tests.smtp import SmtpServer

pytestmark = pytest.mark.reliability

HOUR = timedelta(hours=1)
FAST = ["--sweep-every", "1", "--dispatch-every", "1", "--heartbeat-every", "0.5"]


class SchedulerProcess:
    def __init__(self, database_url: str, log: Path, smtp_url: str | None = None) -> None:
        env = {
            **os.environ,
            **TEST_KEYS,
            "OBJECTIONS_ENV": "testing",
            "DATABASE_URL": database_url,
            "BASE_URL": "http://localhost",
        }
        env.pop("SMTP_URL", None)
        if smtp_url:
            env["SMTP_URL"] = smtp_url
        self.log = log
        self._out = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run", *FAST],
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = 30) -> None:
        until(lambda: text in self.output, timeout, f"{text!r} in the log:\n{self.output}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout)
        self._out.close()
        return code


def until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def start(database_url: str, tmp_path: Path) -> Iterator[Callable[..., SchedulerProcess]]:
    started: list[SchedulerProcess] = []

    def launch(smtp_url: str | None = None) -> SchedulerProcess:
        process = SchedulerProcess(database_url, tmp_path / f"scheduler-{len(started)}.log", smtp_url)
        started.append(process)
        return process

    yield launch
    for process in started:
        if process.process.poll() is None:
            process.stop(signal.SIGKILL)


def count(session: Session, *criteria: object) -> int:
    session.rollback()
    value = session.scalar(select(func.count()).select_from(Notification).where(*criteria)) or 0
    session.rollback()  # a transaction left open on SQLite holds the write lock
    return value


def seed(session: Session, cases: int, *, deadline_in: timedelta) -> None:
    """Cases of an organisation without operators (one contact address each), due on the real clock."""
    now = datetime.now(UTC)
    organization = make_organization(session)
    make_many_objections(session, organization, received_at=now - 60 * HOUR, count=cases, deadline_at=now + deadline_in)
    session.commit()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def test_started_after_downtime_it_catches_up_in_its_first_sweep_sends_and_stops_cleanly_on_sigterm(
    app: Flask, session: Session, start: Callable[..., SchedulerProcess], smtp: SmtpServer
) -> None:
    seed(session, 50, deadline_in=10 * HOUR)  # past the 24 h mark while no scheduler ran
    seed(session, 10, deadline_in=-2 * HOUR)  # past the 4 h mark and the deadline
    # The last sweep before the outage, thirty hours ago.
    last_event = session.scalar(select(func.max(ObjectionEvent.id))) or 0
    record_job_run(session, "sweep", now=datetime.now(UTC) - 30 * HOUR, result={"event_seen": last_event})
    session.commit()

    scheduler = start(smtp.url)
    scheduler.wait_for("leading as")
    until(lambda: len(smtp.received) == 60, 30, "sixty catch-up messages at the SMTP server")
    code = scheduler.stop(signal.SIGTERM)

    assert code == 0, scheduler.output
    assert "stopped" in scheduler.output and "Traceback" not in scheduler.output
    assert count(session, Notification.idempotency_key.startswith("reminder-24h:")) == 50
    assert count(session, Notification.idempotency_key.startswith("breach:")) == 10
    assert count(session, Notification.idempotency_key.startswith("reminder-4h:")) == 0
    assert count(session, Notification.status == "sent") == 60
    sweeps = [line for line in scheduler.output.splitlines() if "sweep: {" in line]
    assert "'reminders': 50, 'breaches': 10" in sweeps[0]  # all of it in the first sweep
    assert "missed" not in scheduler.output
    assert session.get(SchedulerLock, "scheduler") is None  # handed over on the way out
    assert {run.name for run in session.scalars(select(JobRun))} >= {"sweep", "dispatch"}
    session.rollback()


def test_a_second_scheduler_stands_by_and_takes_over_when_the_leader_is_killed(
    app: Flask, session: Session, start: Callable[..., SchedulerProcess]
) -> None:
    seed(session, 20, deadline_in=10 * HOUR)
    first, second = start(), start()
    until(lambda: "leading as" in first.output + second.output, 30, "a leader")
    leader, standby = (first, second) if "leading as" in first.output else (second, first)
    standby.wait_for("standing by")
    standby.wait_for("skipped sweep")
    until(lambda: count(session, Notification.kind == "reminder") == 20, 30, "twenty reminders")

    assert leader.stop(signal.SIGKILL) == -signal.SIGKILL
    # SQLite: the row's heartbeat goes stale after three beats; PostgreSQL: the lock dies with the connection.
    standby.wait_for("leading as")
    seed(session, 3, deadline_in=timedelta(seconds=1.5))  # the new leader sees these deadlines pass
    until(lambda: count(session, Notification.kind == "breach") == 3, 30, "three breach notices")
    assert standby.stop() == 0, standby.output

    assert count(session, Notification.kind == "reminder") == 20
    keys = session.scalars(select(Notification.idempotency_key)).all()
    session.rollback()
    assert len(keys) == len(set(keys)) == 23
    assert "Traceback" not in standby.output
