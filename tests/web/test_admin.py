"""The admin pages: only administrators; the scheduler's status with a stale-heartbeat alert; the outbox with its
counts, filters, and retry and resend as CSRF-protected POSTs."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.clock import utcnow
from objections.models import AuditEvent, Notification, SchedulerLock
from objections.services.notify import queue_message
from objections.services.scheduler_state import record_job_run
from tests.auth_helpers import login_as
from tests.builders import make_organization, make_user


def add_message(session: Session, key: str, status: str, **values: object) -> Notification:
    queue_message(
        session,
        key=key,
        recipient=f"{key}@example.kz",
        kind=values.pop("kind", "reminder"),
        language="en",
        subject=f"About {key}",
        body_text="Body",
        body_html="<p>Body</p>",
        now=utcnow(),
    )
    message = session.scalar(select(Notification).where(Notification.idempotency_key == key))
    message.status = status
    for name, value in values.items():
        setattr(message, name, value)
    session.flush()
    return message


@pytest.fixture
def admin_client(client: FlaskClient, session: Session) -> FlaskClient:
    admin = make_user(session, role="admin")
    session.commit()
    login_as(client, admin)
    client.set_cookie("lang", "en")  # the assertions read the English words
    return client


@pytest.mark.parametrize("role", ["operator", "org_admin", "supervisor"])
def test_staff_other_than_administrators_are_refused(client: FlaskClient, session: Session, role: str) -> None:
    organization = make_organization(session) if role in ("operator", "org_admin") else None
    user = make_user(session, role=role, organization=organization)
    session.commit()
    login_as(client, user)
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/outbox").status_code == 403
    assert client.post("/admin/outbox/1/retry").status_code == 403


def test_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/admin/outbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_index_shows_the_leader_the_last_runs_and_the_outbox_counts(
    admin_client: FlaskClient, session: Session
) -> None:
    now = utcnow()
    session.add(SchedulerLock(name="scheduler", holder="host-a:1234:abcdef", heartbeat_at=now - timedelta(seconds=5)))
    record_job_run(session, "sweep", now=now, result={"reminders": 4, "breaches": 1, "event_seen": 77})
    add_message(session, "a", "pending")
    add_message(session, "b", "dead", last_error="550 No such user")
    add_message(session, "c", "sent")
    add_message(session, "d", "sent")
    session.commit()

    page = admin_client.get("/admin/").get_data(as_text=True)

    assert "Leading scheduler: host-a:1234:abcdef" in page
    assert "heartbeat is stale" not in page
    assert "Reminders and breach notices" in page and "reminders queued: 4, breach notices queued: 1" in page
    assert "event_seen" not in page  # where the sweep resumes is its own bookkeeping
    admin_client.set_cookie("lang", "ru")
    russian = admin_client.get("/admin/").get_data(as_text=True)
    assert "напоминаний в очереди: 4, уведомлений о нарушении срока в очереди: 1" in russian
    assert re.search(r"Waiting to be sent: <strong>1</strong>", page)
    assert re.search(r"Failed for good: <strong>1</strong>", page)
    assert re.search(r"Sent: <strong>2</strong>", page)
    assert "SMTP_URL is not set" in page


def test_a_stale_heartbeat_raises_the_alert(admin_client: FlaskClient, session: Session) -> None:
    session.add(SchedulerLock(name="scheduler", holder="host-a:1", heartbeat_at=utcnow() - timedelta(seconds=31)))
    session.commit()
    page = admin_client.get("/admin/").get_data(as_text=True)
    assert 'role="alert"' in page and "heartbeat is stale" in page


def test_without_a_scheduler_the_index_says_so(admin_client: FlaskClient) -> None:
    assert "No scheduler is running" in admin_client.get("/admin/").get_data(as_text=True)


def test_the_outbox_lists_messages_filtered_by_status_with_their_errors(
    admin_client: FlaskClient, session: Session
) -> None:
    add_message(session, "dead-one", "dead", attempts=1, last_error="550 5.1.1 No such user")
    add_message(session, "sent-one", "sent")
    add_message(session, "waiting", "pending", last_error="SMTP_URL is not set")
    session.commit()

    everything = admin_client.get("/admin/outbox").get_data(as_text=True)
    dead = admin_client.get("/admin/outbox?status=dead").get_data(as_text=True)
    failing = admin_client.get("/admin/outbox?failing=y").get_data(as_text=True)

    assert all(address in everything for address in ("dead-one@", "sent-one@", "waiting@"))
    assert "dead-one@" in dead and "sent-one@" not in dead and "550 5.1.1 No such user" in dead
    assert "dead-one@" in failing and "waiting@" in failing and "sent-one@" not in failing


def test_the_dispatchers_own_reasons_are_shown_in_the_pages_language(
    admin_client: FlaskClient, session: Session
) -> None:
    from objections.services.dispatch import NO_SMTP

    add_message(session, "waiting", "pending", last_error=NO_SMTP)
    add_message(session, "refused", "dead", last_error="550 5.1.1 No such user")
    session.commit()
    admin_client.set_cookie("lang", "ru")
    page = admin_client.get("/admin/outbox").get_data(as_text=True)
    assert "SMTP_URL не задан: сообщение ждёт в очереди исходящих" in page and NO_SMTP not in page
    assert "550 5.1.1 No such user" in page  # a mail server's answer is shown as it came


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_retry_puts_a_dead_message_back_in_the_queue_and_is_audited(
    app: Flask, admin_client: FlaskClient, session: Session
) -> None:
    message = add_message(session, "dead-one", "dead", attempts=1, last_error="550 No such user")
    session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    page = admin_client.get("/admin/outbox?status=dead").get_data(as_text=True)

    refused = admin_client.post(f"/admin/outbox/{message.id}/retry")
    response = admin_client.post(f"/admin/outbox/{message.id}/retry", data={"csrf_token": csrf_token(page)})

    assert refused.status_code == 400
    assert response.status_code == 303
    session.refresh(message)
    assert (message.status, message.attempts, message.last_error) == ("pending", 0, None)
    audit = session.scalar(select(AuditEvent).where(AuditEvent.kind == "outbox_retried"))
    assert audit.payload == {"notification_id": message.id, "kind": "reminder", "was": "dead"}
    followed = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Message {message.id} is queued again" in followed


def test_resend_queues_a_copy_of_a_sent_message_under_its_own_key(admin_client: FlaskClient, session: Session) -> None:
    message = add_message(session, "sent-one", "sent", sent_at=utcnow())
    session.commit()

    first = admin_client.post(f"/admin/outbox/{message.id}/resend")
    second = admin_client.post(f"/admin/outbox/{message.id}/resend")

    assert first.status_code == second.status_code == 303
    copies = session.scalars(
        select(Notification).where(Notification.idempotency_key.like("sent-one:resend:%")).order_by(Notification.id)
    ).all()
    assert [c.idempotency_key for c in copies] == ["sent-one:resend:1", "sent-one:resend:2"]
    assert all((c.status, c.recipient, c.subject) == ("pending", message.recipient, message.subject) for c in copies)
    session.refresh(message)
    assert message.status == "sent"


def test_a_message_in_the_wrong_state_is_not_retried_or_resent(admin_client: FlaskClient, session: Session) -> None:
    sent = add_message(session, "sent-one", "sent")
    dead = add_message(session, "dead-one", "dead")
    session.commit()
    retry = admin_client.post(f"/admin/outbox/{sent.id}/retry", follow_redirects=True).get_data(as_text=True)
    resend = admin_client.post(f"/admin/outbox/{dead.id}/resend", follow_redirects=True).get_data(as_text=True)
    missing = admin_client.post("/admin/outbox/999999/retry", follow_redirects=True).get_data(as_text=True)
    assert "Only a failed or waiting message can be retried." in retry
    assert "Only a sent message can be resent." in resend
    assert "There is no such message." in missing
    session.refresh(sent)
    session.refresh(dead)
    assert (sent.status, dead.status) == ("sent", "dead")


def test_the_outbox_pages_back_through_older_messages(admin_client: FlaskClient, session: Session) -> None:
    for i in range(55):
        add_message(session, f"m{i:02d}", "pending")
    session.commit()
    first = admin_client.get("/admin/outbox").get_data(as_text=True)
    older = re.search(r'href="([^"]*before=\d+[^"]*)" rel="next"', first).group(1).replace("&amp;", "&")
    second = admin_client.get(older).get_data(as_text=True)
    assert "m54@" in first and "m05@" in first and "m04@" not in first
    assert "m04@" in second and "m00@" in second and "m05@" not in second


def test_healthz_keeps_reporting_the_jobs(client: FlaskClient, session: Session) -> None:
    moment = datetime.fromisoformat("2026-03-16T06:00Z")
    record_job_run(session, "sweep", now=moment, result={})
    session.commit()
    assert client.get("/healthz").get_json()["last_sweep_at"] == moment.isoformat()
