"""The sweep queues each reminder and the breach notice once, to the right people, reading only the due cases."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from objections.models import Notification, Objection
from objections.services.scheduler_state import record_job_run
from objections.services.sweep import SWEEP_JOB, SweepResult, sweep_due
from tests.builders import make_many_objections, make_objection, make_organization, make_user

HOUR = timedelta(hours=1)


def sweep(session: Session, at: datetime, offsets: tuple[int, ...] = (24, 4)) -> SweepResult:
    """One sweep as the scheduler runs it: the service, its JobRun, one commit."""
    result = sweep_due(session, now=at, offsets_hours=offsets)
    record_job_run(session, SWEEP_JOB, now=at, result=result.as_dict())
    session.commit()
    return result


def queued(session: Session) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.kind.in_(("reminder", "breach")))
            .order_by(Notification.id)
            .execution_options(populate_existing=True)
        )
    )


def queued_keys(session: Session) -> list[str]:
    return sorted(n.idempotency_key for n in queued(session))


@pytest.fixture
def team(session: Session, now: datetime) -> dict:
    organization = make_organization(session)
    operator = make_user(session, organization=organization, language="en")
    supervisor = make_user(session, role="supervisor", language="ru")
    retired = make_user(session, role="supervisor", language="kk")
    retired.active = False
    objection = make_objection(session, organization=organization, received_at=now)
    session.commit()
    return {"organization": organization, "operator": operator, "supervisor": supervisor, "objection": objection}


def test_each_reminder_and_the_breach_are_queued_once_as_time_passes(session: Session, team: dict, now) -> None:
    objection: Objection = team["objection"]
    deadline = objection.deadline_at
    assert deadline == datetime.fromisoformat("2026-03-19T19:00Z")
    moments = {"reminder-24h": deadline - 24 * HOUR, "reminder-4h": deadline - 4 * HOUR, "breach": deadline}
    at = now
    while at <= deadline + 48 * HOUR:
        sweep(session, at)
        at += HOUR

    operator, contact = team["operator"].email, team["organization"].contact_email
    supervisor = team["supervisor"].email
    ref = objection.reference
    assert queued_keys(session) == sorted(
        [
            f"reminder-24h:{ref}:{operator}",
            f"reminder-24h:{ref}:{contact}",
            f"reminder-4h:{ref}:{operator}",
            f"reminder-4h:{ref}:{contact}",
            f"breach:{ref}:{operator}",
            f"breach:{ref}:{contact}",
            f"breach:{ref}:{supervisor}",
        ]
    )
    for message in queued(session):
        label = message.idempotency_key.split(":")[0]
        assert moments[label] <= message.created_at < moments[label] + HOUR, message.idempotency_key


def test_a_sweep_repeated_at_the_same_moment_queues_nothing(session: Session, team: dict) -> None:
    deadline = team["objection"].deadline_at
    first = sweep(session, deadline + HOUR)
    second = sweep(session, deadline + HOUR)
    assert first.breaches == 3
    assert (second.reminders, second.breaches) == (0, 0)
    assert len(queued(session)) == 3


def test_while_the_scheduler_was_down_across_the_4h_mark_the_breach_goes_not_the_stale_reminder(
    session: Session, team: dict
) -> None:
    deadline = team["objection"].deadline_at
    assert sweep(session, deadline - 23 * HOUR).reminders == 2
    # Down from 23 h before the deadline until an hour after it: the 4 h mark passed unseen.
    result = sweep(session, deadline + HOUR)
    for later in range(2, 6):
        sweep(session, deadline + later * HOUR)
    assert (result.reminders, result.breaches) == (0, 3)
    labels = sorted(key.split(":")[0] for key in queued_keys(session))
    assert labels == ["breach", "breach", "breach", "reminder-24h", "reminder-24h"]


def test_the_first_sweep_ever_catches_up_cases_already_overdue(session: Session, team: dict) -> None:
    result = sweep(session, team["objection"].deadline_at + 10 * 24 * HOUR)
    assert (result.reminders, result.breaches) == (0, 3)


def test_a_paper_objection_registered_after_its_deadline_gets_the_breach_at_the_next_sweep(
    session: Session, team: dict, now: datetime
) -> None:
    sweep(session, now)
    sweep(session, now + HOUR)
    late = make_objection(
        session, organization=team["organization"], received_at=now - 6 * 24 * HOUR, channel="paper", email=None
    )
    session.commit()
    assert late.deadline_at < now
    result = sweep(session, now + 2 * HOUR)
    assert result.breaches == 3
    assert all(key.startswith(f"breach:{late.reference}:") for key in queued_keys(session))


def test_the_assignee_is_reminded_instead_of_the_whole_team(session: Session, team: dict, now: datetime) -> None:
    organization = team["organization"]
    colleague = make_user(session, organization=organization)
    objection = make_objection(
        session, organization=organization, received_at=now, status="in_review", operator=colleague
    )
    session.commit()
    sweep(session, objection.deadline_at - 20 * HOUR)
    mine = [k for k in queued_keys(session) if objection.reference in k]
    assert mine == sorted(
        [
            f"reminder-24h:{objection.reference}:{colleague.email}",
            f"reminder-24h:{objection.reference}:{organization.contact_email}",
        ]
    )


def test_answered_and_withdrawn_objections_are_never_reminded(session: Session, now: datetime) -> None:
    organization = make_organization(session)
    make_user(session, organization=organization)
    answered = make_objection(session, organization=organization, received_at=now, status="answered")
    withdrawn = make_objection(session, organization=organization, received_at=now, status="withdrawn")
    session.commit()
    for hours in (-20, -3, 1, 30):
        sweep(session, answered.deadline_at + hours * HOUR)
    assert answered.deadline_at == withdrawn.deadline_at
    assert queued(session) == []


def test_messages_are_in_each_recipients_language_with_a_link_to_the_case(session: Session, team: dict) -> None:
    objection = team["objection"]
    sweep(session, objection.deadline_at + HOUR)
    by_recipient = {n.recipient: n for n in queued(session)}
    to_operator = by_recipient[team["operator"].email]
    to_supervisor = by_recipient[team["supervisor"].email]
    to_contact = by_recipient[team["organization"].contact_email]
    assert (to_operator.language, to_supervisor.language, to_contact.language) == ("en", "ru", "kk")
    assert "Thursday 19 March 2026, 24:00 (Astana time)" in to_operator.subject
    assert "19 марта 2026" in to_supervisor.subject and "время Астаны" in to_supervisor.body_text
    assert "2026 жылғы 19 наурыз" in to_contact.body_text
    assert f"http://localhost/cases/{objection.reference}" in to_operator.body_text
    assert f'href="http://localhost/cases/{objection.reference}"' in (to_operator.body_html or "")
    assert f"http://localhost/supervisor/cases/{objection.reference}" in to_supervisor.body_text
    assert objection.full_name not in to_supervisor.body_text
    assert to_operator.objection_id == objection.id and to_operator.user_id == team["operator"].id


def test_reminder_offsets_come_from_the_configuration(session: Session, team: dict) -> None:
    objection = team["objection"]
    sweep(session, objection.deadline_at - 40 * HOUR, offsets=(48, 12))
    assert {key.split(":")[0] for key in queued_keys(session)} == {"reminder-48h"}


def test_the_sweep_reads_only_the_cases_that_are_due(session: Session, team: dict, now: datetime) -> None:
    organization = team["organization"]
    make_many_objections(session, organization, received_at=now + 10 * 24 * HOUR, count=300)
    make_many_objections(session, organization, received_at=now - 40 * 24 * HOUR, count=300, status="closed")
    for objection in session.scalars(select(Objection).where(Objection.status == "closed")):
        objection.answered_at = objection.received_at + HOUR
    session.commit()
    sweep(session, now)
    result = sweep(session, team["objection"].deadline_at - 23 * HOUR)
    assert result.examined == 1
    assert result.reminders == 2


@pytest.mark.sqlite_only
def test_sqlite_reads_the_sweeps_windows_on_the_partial_index(session: Session, team: dict, now: datetime) -> None:
    statements: list[tuple[str, tuple]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if "FROM objections" in statement and "deadline_at <=" in statement:
            statements.append((statement, parameters))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        sweep(session, now)
        sweep(session, now + HOUR)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(statements) == 6  # three windows per sweep
    for statement, parameters in statements:
        plan = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
        assert any("USING INDEX ix_objections_open_deadline" in row[-1] for row in plan), plan
