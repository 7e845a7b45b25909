"""RELIABILITY.md R3, R7, R8 and R9 across processes on one database: concurrent sweeps queue each reminder once,
dispatchers against a flaky SMTP server deliver each message once, a dispatcher killed right after the server
accepted a message loses nothing and doubles at most that one, a sweep killed inside its transaction leaves nothing
half-done (R5), and an outage is ridden out while permanent refusals flag the answers (R9).
Sizes in `make test`: R3 4 x 5 sweeps over 200 cases, R7 200 messages, R8 100 (RELIABILITY_FULL=1: 500 each)."""

from __future__ import annotations

import multiprocessing
import signal
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from objections.models import JobRun, Notification, Objection
from objections.services.dispatch import LEASE, dispatch_due, mailer_from_config
from objections.services.mailer import message_id
from objections.services.notify import queue_message
from objections.services.sweep import sweep_due
from tests.auth_helpers import login_as
from tests.builders import make_many_objections, make_objection, make_organization, make_user
from tests.conftest import FROZEN_NOW
from tests.reliability import outbox_workers
from tests.reliability.outbox_workers import MAIL_FROM
from tests.reliability.workload import run_in_processes, size
from tests.smtp import SmtpServer

pytestmark = pytest.mark.reliability

CASES = size(200, 500)
MESSAGES = size(200, 500)
CRASH_MESSAGES = size(100, 500)
HOUR = timedelta(hours=1)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def seed_cases(session: Session, count: int, **values: object) -> datetime:
    """Objections of an organisation without operators (each reminder goes to its one contact address); returns
    their deadline. Nothing is read after the commit: on SQLite a new transaction would take the write lock."""
    organization = make_organization(session)
    objections = make_many_objections(session, organization, count=count, **values)  # type: ignore[arg-type]
    deadline = objections[0].deadline_at
    session.commit()
    return deadline


def enqueue(session: Session, count: int, at: datetime) -> None:
    for i in range(count):
        queue_message(
            session,
            key=f"reliability:{i}",
            recipient=f"person{i}@example.kz",
            kind="reminder",
            language=("kk", "ru", "en")[i % 3],
            subject=f"Message {i}",
            body_text=f"Body {i}",
            body_html=f"<p>Body {i}</p>",
            now=at,
        )
    session.commit()


def statuses(session: Session) -> Counter[str]:
    """Messages per status, read in a transaction of its own that ends at once (it holds SQLite's write lock)."""
    session.rollback()
    counts = Counter(
        dict(session.execute(select(Notification.status, func.count()).group_by(Notification.status)).all())
    )
    session.rollback()
    return counts


def test_r3_four_processes_sweeping_at_once_queue_each_reminder_once(
    app: Flask, session: Session, database_url: str, tmp_path: Path
) -> None:
    at = seed_cases(session, CASES, received_at=FROZEN_NOW) - 20 * HOUR
    folders = [str(tmp_path / f"sweeper{i}") for i in range(4)]

    results = run_in_processes(outbox_workers.sweep, [(database_url, folder, at, 5) for folder in folders])

    inserted = sum(run["reminders"] for runs in results for run in runs)
    session.rollback()
    keys = session.scalars(select(Notification.idempotency_key).where(Notification.kind == "reminder")).all()
    assert inserted == len(keys) == CASES
    assert len(set(keys)) == CASES
    assert {key.split(":")[0] for key in keys} == {"reminder-24h"}
    # A second full sweep (no previous run to start from) finds everything queued already.
    session.execute(JobRun.__table__.delete())
    assert sweep_due(session, now=at).reminders == 0


def test_r7_three_dispatchers_and_a_flaky_server_deliver_each_message_once(
    app: Flask, session: Session, database_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    enqueue(session, MESSAGES, datetime.now(UTC))
    smtp.refuse_temporarily(0.15)
    folders = [str(tmp_path / f"dispatcher{i}") for i in range(3)]
    offset = 0.0
    for _round in range(12):
        run_in_processes(outbox_workers.dispatch, [(database_url, folder, smtp.url, offset) for folder in folders])
        if set(statuses(session)) == {"sent"}:
            break
        offset += 2 * 3600  # past the longest backoff: every retry is due in the next round

    assert statuses(session) == {"sent": MESSAGES}
    ids = smtp.message_ids()
    assert len(ids) == MESSAGES and max(ids.values()) == 1
    assert sum(smtp.handler.refused.values()) > 0  # the server did refuse, and those messages came through later
    max_attempts = session.scalar(select(func.max(Notification.attempts)))
    assert 2 <= max_attempts <= 8


def test_r8_a_dispatcher_killed_right_after_an_acceptance_loses_nothing_and_doubles_at_most_one(
    app: Flask, session: Session, database_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    enqueue(session, CRASH_MESSAGES, datetime.now(UTC))
    folder = str(tmp_path / "dispatcher")
    doomed = multiprocessing.get_context("fork").Process(
        target=outbox_workers.dispatch, args=(database_url, folder, smtp.url, 0.0, 25)
    )
    doomed.start()
    doomed.join(60)

    assert doomed.exitcode == -signal.SIGKILL
    assert len(smtp.received) == 25
    assert statuses(session)["sending"] >= 1  # the 25th was accepted but never recorded

    # The next dispatcher, once the lease has run out, sends what the dead one held.
    run_in_processes(outbox_workers.dispatch, [(database_url, folder, smtp.url, LEASE.total_seconds() + 60)])

    assert statuses(session) == {"sent": CRASH_MESSAGES}
    ids = smtp.message_ids()
    assert len(ids) == CRASH_MESSAGES
    assert sum(ids.values()) - len(ids) <= 1


def test_two_sweeps_and_two_dispatchers_at_once_deliver_each_reminder_exactly_once(
    app: Flask, session: Session, database_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    now = datetime.now(UTC)
    count = size(100, 500)
    seed_cases(session, count, received_at=now - 50 * HOUR, deadline_at=now + 10 * HOUR)
    context = multiprocessing.get_context("fork")
    with context.Pool(4) as pool:
        jobs = [
            pool.apply_async(outbox_workers.sweep_or_dispatch, ("sweep", database_url, str(tmp_path / "s1"), now, 3)),
            pool.apply_async(outbox_workers.sweep_or_dispatch, ("sweep", database_url, str(tmp_path / "s2"), now, 3)),
            pool.apply_async(
                outbox_workers.sweep_or_dispatch,
                ("dispatch", database_url, str(tmp_path / "d1"), smtp.url, 1.0, 0, 4, 0.2),
            ),
            pool.apply_async(
                outbox_workers.sweep_or_dispatch,
                ("dispatch", database_url, str(tmp_path / "d2"), smtp.url, 1.0, 0, 4, 0.2),
            ),
        ]
        for job in jobs:
            job.get(timeout=120)
    # Whatever the sweeps queued after the dispatchers' last run goes now.
    outbox_workers.dispatch(database_url, str(tmp_path / "last"), smtp.url, 1.0)

    session.rollback()
    keys = session.scalars(select(Notification.idempotency_key).where(Notification.kind == "reminder")).all()
    assert len(keys) == count
    delivered = smtp.message_ids()
    assert {message_id(key, MAIL_FROM) for key in keys} == set(delivered)
    assert set(delivered.values()) == {1}


def test_r5_a_sweep_killed_inside_its_transaction_leaves_nothing_and_the_next_one_queues_everything(
    app: Flask, session: Session, database_url: str, tmp_path: Path
) -> None:
    at = seed_cases(session, CASES, received_at=FROZEN_NOW) - 20 * HOUR
    context = multiprocessing.get_context("fork")
    inside = context.Event()
    doomed = context.Process(
        target=outbox_workers.sweep_and_hang, args=(database_url, str(tmp_path / "doomed"), at, inside)
    )
    doomed.start()
    assert inside.wait(60), "the sweep never reached its insert"
    doomed.kill()
    doomed.join(10)

    assert doomed.exitcode == -signal.SIGKILL
    assert statuses(session) == {}  # the sweep is one transaction: none of it was kept

    [runs] = run_in_processes(outbox_workers.sweep, [(database_url, str(tmp_path / "restarted"), at, 2)])

    assert [run["reminders"] for run in runs] == [CASES, 0]
    assert statuses(session) == {"pending": CASES}


def test_r9_an_smtp_outage_is_ridden_out_and_permanent_refusals_flag_the_answers(
    app: Flask, session: Session, smtp: SmtpServer, client: FlaskClient
) -> None:
    start = datetime.now(UTC)
    enqueue(session, 45, start)
    smtp.stop()

    outage = dispatch_due(session, mailer=_mailer(smtp), clock=lambda: start)

    assert (outage.sent, outage.retried) == (0, 45)
    session.rollback()
    for row in session.scalars(select(Notification)):
        assert (row.status, row.attempts) == ("pending", 1) and row.next_attempt_at > start
    session.rollback()

    # The server comes back; meanwhile five answers went out to addresses that do not exist.
    smtp.start()
    organization = make_organization(session)
    answered = []
    for i in range(5):
        smtp.refuse(f"gone{i}@example.kz", "550 5.1.1 No such user")
        answered.append(
            make_objection(
                session, organization=organization, received_at=start, status="answered", email=f"gone{i}@example.kz"
            ).id
        )
    session.commit()
    later = start + timedelta(days=1)  # past the retries' backoff and the answers (sent 20 h after receipt)
    dispatch_due(session, mailer=_mailer(smtp), clock=lambda: later)

    counts = statuses(session)
    assert counts["dead"] == 10  # each subject's receipt and answer to the unknown addresses
    assert counts["sent"] == len(smtp.received) and counts["pending"] == counts["sending"] == 0
    answers = session.scalars(select(Notification).where(Notification.kind == "answer")).all()
    assert [(a.status, a.attempts) for a in answers] == [("dead", 1)] * 5
    flagged = session.scalars(select(Objection.answer_undelivered_at).where(Objection.id.in_(answered))).all()
    assert flagged == [later] * 5
    session.rollback()
    admin = make_user(session, role="admin")
    session.commit()
    login_as(client, admin)
    page = client.get("/admin/outbox?status=dead").get_data(as_text=True)
    assert all(f"gone{i}@example.kz" in page for i in range(5))


def _mailer(smtp: SmtpServer):
    mailer, _reason = mailer_from_config({"SMTP_URL": smtp.url, "MAIL_FROM": MAIL_FROM})
    return mailer
