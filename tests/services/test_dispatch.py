"""The dispatcher against a real SMTP server: delivery in each language, retries with backoff, permanent failures,
nothing lost while the server is down or SMTP_URL unset."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.models import Notification, Objection, ObjectionEvent
from objections.services import dispatch as dispatch_module
from objections.services import outbox
from objections.services.dispatch import (
    LEASE,
    MAX_ATTEMPTS,
    NO_SMTP,
    DispatchResult,
    backoff_delay,
    dispatch_due,
    mailer_from_config,
)
from objections.services.mailer import SmtpSettings, SmtpUrlError, message_id, parse_smtp_url
from objections.services.notify import queue_message
from objections.services.scheduler_state import record_job_run
from objections.services.sweep import SWEEP_JOB, sweep_due
from tests.builders import make_objection, make_organization, make_user
from tests.smtp import SmtpServer

MAIL_FROM = "desk@objections.example.kz"
SECOND = timedelta(seconds=1)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def dispatch(session: Session, url: str | None, at: datetime, **options: object) -> DispatchResult:
    mailer, reason = mailer_from_config({"SMTP_URL": url, "MAIL_FROM": MAIL_FROM})
    return dispatch_due(session, mailer=mailer, clock=lambda: at, unavailable_reason=reason, **options)


def enqueue(session: Session, count: int, at: datetime, prefix: str = "message") -> None:
    for i in range(count):
        queue_message(
            session,
            key=f"{prefix}:{i}",
            recipient=f"person{i}@example.kz",
            kind="reminder",
            language="en",
            subject=f"Subject {i}",
            body_text=f"Body {i}",
            body_html=f"<p>Body {i}</p>",
            now=at,
        )
    session.commit()


def rows(session: Session) -> list[Notification]:
    return list(
        session.scalars(select(Notification).order_by(Notification.id).execution_options(populate_existing=True))
    )


def test_reminders_reach_the_server_in_each_recipients_language(
    session: Session, smtp: SmtpServer, now: datetime
) -> None:
    organization = make_organization(session)
    russian = make_user(session, organization=organization, language="ru")
    english = make_user(session, organization=organization, language="en")
    objection = make_objection(session, organization=organization, received_at=now)
    at = objection.deadline_at - 20 * timedelta(hours=1)
    result = sweep_due(session, now=at)
    record_job_run(session, SWEEP_JOB, now=at, result=result.as_dict())
    session.commit()

    sent = dispatch(session, smtp.url, at)

    reminders = [n for n in rows(session) if n.kind == "reminder"]
    assert sent.sent == len(rows(session)) and len(reminders) == 3
    expected = {
        russian.email: ("ru", "19 марта 2026 г., 24:00 (время Астаны)"),
        english.email: ("en", "Thursday 19 March 2026, 24:00 (Astana time)"),
        organization.contact_email: ("kk", "2026 жылғы 19 наурыз, бейсенбі, 24:00 (Астана уақыты)"),
    }
    for address, (language, deadline_text) in expected.items():
        row = next(n for n in reminders if n.recipient == address)
        [mail] = [m for m in smtp.received if m.message_id == message_id(row.idempotency_key, MAIL_FROM)]
        assert mail.recipients == (address,)
        assert mail.message["From"] == MAIL_FROM and mail.message["To"] == address
        assert mail.message["Content-Language"] == language
        assert objection.reference in mail.subject and deadline_text in mail.subject
        assert deadline_text in mail.part("plain")
        assert f"http://localhost/cases/{objection.reference}" in mail.part("plain")
        assert f'<a href="http://localhost/cases/{objection.reference}">' in mail.part("html")
        assert (row.status, row.attempts, row.sent_at, row.last_error) == ("sent", 1, at, None)


def test_while_smtp_is_down_messages_wait_and_back_off_then_all_arrive_once(
    session: Session, smtp: SmtpServer, now: datetime
) -> None:
    enqueue(session, 30, now)
    smtp.stop()

    outage = dispatch(session, smtp.url, now)
    assert (outage.sent, outage.retried, outage.dead) == (0, 30, 0)
    for row in rows(session):
        assert (row.status, row.attempts) == ("pending", 1)
        assert now + 30 * SECOND <= row.next_attempt_at <= now + 60 * SECOND
        assert "ConnectionRefusedError" in row.last_error
    # Thirty seconds into the outage nothing is due yet: no attempt is spent.
    assert dispatch(session, smtp.url, now + 29 * SECOND) == DispatchResult()
    assert {row.attempts for row in rows(session)} == {1}

    smtp.start()
    recovered = dispatch(session, smtp.url, now + 61 * SECOND)

    assert recovered.sent == 30
    assert {row.status for row in rows(session)} == {"sent"}
    assert len(smtp.received) == 30
    assert len(smtp.message_ids()) == 30 and max(smtp.message_ids().values()) == 1


def test_a_550_answer_is_dead_after_one_attempt_and_flags_its_objection(
    session: Session, smtp: SmtpServer, now: datetime
) -> None:
    objection = make_objection(session, received_at=now, status="answered", email="gone@example.kz")
    session.commit()
    smtp.refuse("gone@example.kz", "550 5.1.1 <gone@example.kz>: mailbox unavailable")
    at = now + timedelta(days=1)

    dispatch(session, smtp.url, at)
    dispatch(session, smtp.url, at + timedelta(days=1))

    answer = session.scalar(select(Notification).where(Notification.kind == "answer"))
    session.refresh(answer)
    assert (answer.status, answer.attempts) == ("dead", 1)
    assert answer.last_error.startswith("550 5.1.1")
    session.refresh(objection)
    assert objection.answer_undelivered_at == at
    assert objection.answered_at is not None  # the duty was met when the answer was published and queued
    kinds = [e.kind for e in session.scalars(select(ObjectionEvent).where(ObjectionEvent.objection_id == objection.id))]
    assert kinds.count("answer_undelivered") == 1
    assert [m for m in smtp.received if "gone@example.kz" in m.recipients] == []
    others = [n for n in rows(session) if n.recipient != "gone@example.kz"]
    assert others and {n.status for n in others} == {"sent"}


def test_a_retried_answer_that_then_arrives_clears_the_flag(session: Session, smtp: SmtpServer, now: datetime) -> None:
    objection = make_objection(session, received_at=now, status="answered", email="back@example.kz")
    admin = make_user(session, role="admin")
    session.commit()
    smtp.refuse("back@example.kz", "550 5.2.1 Mailbox disabled")
    dispatch(session, smtp.url, now + timedelta(hours=1))
    answer = session.scalar(select(Notification).where(Notification.kind == "answer"))
    smtp.accept("back@example.kz")

    outbox.retry_message(session, actor=admin, message_id=answer.id, now=now + timedelta(hours=2))
    session.commit()
    dispatch(session, smtp.url, now + timedelta(hours=2))

    session.refresh(answer)
    session.refresh(objection)
    assert (answer.status, answer.attempts) == ("sent", 1)
    assert objection.answer_undelivered_at is None
    assert len(smtp.to("back@example.kz")) == 1


def test_a_451_is_retried_with_growing_backoff_until_accepted(
    session: Session, smtp: SmtpServer, now: datetime
) -> None:
    enqueue(session, 1, now)
    smtp.refuse("person0@example.kz", "451 4.7.1 Greylisted, try again")
    at = now
    for attempt, (low, high) in enumerate([(30, 60), (60, 120), (120, 240)], start=1):
        result = dispatch(session, smtp.url, at)
        [row] = rows(session)
        assert (result.retried, row.status, row.attempts) == (1, "pending", attempt)
        assert at + low * SECOND <= row.next_attempt_at <= at + high * SECOND
        assert row.last_error == "451 4.7.1 Greylisted, try again"
        at = row.next_attempt_at
    smtp.accept("person0@example.kz")
    assert dispatch(session, smtp.url, at).sent == 1
    [row] = rows(session)
    assert (row.status, row.attempts) == ("sent", 4)


def test_after_eight_temporary_failures_a_message_is_dead(session: Session, smtp: SmtpServer, now: datetime) -> None:
    enqueue(session, 1, now)
    smtp.refuse("person0@example.kz", "421 4.3.2 Service shutting down")
    at = now
    for _ in range(20):
        dispatch(session, smtp.url, at)
        [row] = rows(session)
        if row.status == "dead":
            break
        at = row.next_attempt_at
    assert (row.status, row.attempts) == ("dead", MAX_ATTEMPTS)
    assert row.last_error.startswith("421")


def test_without_smtp_url_messages_wait_with_the_reason_and_a_log_line(
    session: Session, now: datetime, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Alembic's fileConfig (run by the migration fixture) disables loggers that existed before it.
    monkeypatch.setattr(logging.getLogger("objections.services.dispatch"), "disabled", False)
    monkeypatch.setattr(dispatch_module, "_last_warning", [None, None])
    enqueue(session, 3, now)
    with caplog.at_level(logging.WARNING, logger="objections.services.dispatch"):
        result = dispatch(session, None, now + timedelta(hours=1))
        quiet = caplog.text
        dispatch(session, None, now + timedelta(hours=1, minutes=5))
        assert caplog.text == quiet  # the same three, five minutes later: no new line
        enqueue(session, 4, now, prefix="more")
        dispatch(session, None, now + timedelta(hours=1, minutes=6))
    assert result.waiting == 3
    assert [(r.status, r.attempts, r.last_error) for r in rows(session)][:3] == [("pending", 0, NO_SMTP)] * 3
    assert "3 message(s) waiting: SMTP_URL is not set" in quiet
    assert "7 message(s) waiting: SMTP_URL is not set" in caplog.text


def test_a_malformed_smtp_url_keeps_messages_waiting_and_says_why(session: Session, now: datetime) -> None:
    enqueue(session, 1, now)
    dispatch(session, "http://mail.example.kz", now)
    [row] = rows(session)
    assert row.status == "pending" and "SMTP_URL must look like" in row.last_error


def test_a_message_stuck_in_sending_past_the_lease_is_sent_again(
    session: Session, smtp: SmtpServer, now: datetime
) -> None:
    enqueue(session, 2, now)
    stuck, fresh = rows(session)
    for row, claimed in ((stuck, now - LEASE - SECOND), (fresh, now - LEASE + timedelta(minutes=1))):
        row.status, row.claimed_at, row.attempts = "sending", claimed, 1
    session.commit()

    result = dispatch(session, smtp.url, now)

    stuck, fresh = rows(session)
    assert (result.reclaimed, result.sent) == (1, 1)
    assert (stuck.status, stuck.attempts) == ("sent", 2)
    assert fresh.status == "sending"
    assert [m.recipients for m in smtp.received] == [("person0@example.kz",)]


def test_two_dispatch_runs_never_send_the_same_claimed_message(
    session: Session, smtp: SmtpServer, now: datetime
) -> None:
    enqueue(session, 25, now)
    first = dispatch(session, smtp.url, now, limit=10)
    second = dispatch(session, smtp.url, now)
    assert (first.sent, second.sent) == (10, 15)
    assert max(smtp.message_ids().values()) == 1 and len(smtp.message_ids()) == 25


def test_backoff_is_exponential_capped_and_jittered() -> None:
    rng = random.Random(7)
    for attempts, ceiling in [(1, 60), (2, 120), (3, 240), (7, 3600), (8, 3600), (12, 3600)]:
        delays = [backoff_delay(attempts, rng=rng).total_seconds() for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1


@pytest.mark.parametrize(
    ("url", "settings"),
    [
        ("smtp://127.0.0.1:2525", SmtpSettings(host="127.0.0.1", port=2525)),
        (
            "smtp://desk%40example.kz:p%40ss@mail.example.kz:587?starttls=1",
            SmtpSettings(host="mail.example.kz", port=587, starttls=True, username="desk@example.kz", password="p@ss"),
        ),
        (
            "smtps://u:p@mail.example.kz?timeout=5",
            SmtpSettings(host="mail.example.kz", port=465, implicit_tls=True, username="u", password="p", timeout=5),
        ),
        ("smtp://mail.example.kz", SmtpSettings(host="mail.example.kz", port=25)),
    ],
)
def test_smtp_url_forms(url: str, settings: SmtpSettings) -> None:
    assert parse_smtp_url(url) == settings


@pytest.mark.parametrize("url", ["http://mail.example.kz", "smtp://", "smtp://host:notaport", "smtp://h?timeout=x"])
def test_malformed_smtp_urls_are_refused(url: str) -> None:
    with pytest.raises(SmtpUrlError):
        parse_smtp_url(url)


def test_the_message_id_derives_from_the_idempotency_key() -> None:
    first = message_id("breach:OB-2026-000001:a@b.kz", MAIL_FROM)
    assert first == message_id("breach:OB-2026-000001:a@b.kz", MAIL_FROM)
    assert first != message_id("breach:OB-2026-000002:a@b.kz", MAIL_FROM)
    assert first.startswith("<") and first.endswith("@objections.example.kz>")


def test_objection_flag_is_untouched_by_other_dead_messages(session: Session, smtp: SmtpServer, now: datetime) -> None:
    objection = make_objection(session, received_at=now, email="subject@example.kz")
    session.commit()
    smtp.refuse("subject@example.kz", "550 No such user")
    dispatch(session, smtp.url, now)
    receipt = session.scalar(select(Notification).where(Notification.kind == "receipt"))
    session.refresh(receipt)
    assert receipt.status == "dead"
    assert session.get(Objection, objection.id).answer_undelivered_at is None


def test_an_internationalised_address_goes_out_over_smtputf8_and_is_dead_where_the_server_lacks_it(
    session: Session, now: datetime
) -> None:
    capable, plain = SmtpServer(smtputf8=True), SmtpServer()
    capable.start()
    plain.start()
    try:
        queue_message(
            session,
            key="idn",
            recipient="айгерім@example.kz",
            kind="reminder",
            language="kk",
            subject="Еске салу: OB-2026-000001 қарсылығына жауап беру мерзімі (Астана уақыты) " * 2,
            body_text="Мәтін",
            body_html="<p>Мәтін</p>",
            now=now,
        )
        session.commit()
        refused = dispatch(session, plain.url, now)
        [row] = rows(session)
        assert (refused.dead, row.status, row.attempts) == (1, "dead", 1)
        assert "SMTPNotSupportedError" in row.last_error

        row.status, row.attempts = "pending", 0
        session.commit()
        delivered = dispatch(session, capable.url, now)
        [mail] = capable.received
        assert delivered.sent == 1
        assert mail.recipients == ("айгерім@example.kz",)
        assert mail.subject == row.subject and mail.part("plain").strip() == "Мәтін"
    finally:
        capable.stop()
        plain.stop()
