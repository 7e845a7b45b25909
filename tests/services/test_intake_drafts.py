"""Intake messages are rendered before the write transaction, around a mark where the reference goes: what is
queued reads exactly as a message rendered with the reference, and a template that alters the mark is rendered
again rather than sent with a mark in it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.models import Notification
from objections.services import intake, notify
from tests.builders import make_notice, make_organization, make_user, objection_input

POLICY = "calendar_days"


@pytest.fixture(autouse=True)
def frozen(now: datetime) -> Iterator[None]:
    """The tracking link's token carries the second it was made: a message rendered again a second later differs."""
    with time_machine.travel(now, tick=False):
        yield


def _setup(session: Session) -> intake.ObjectionInput:
    organization = make_organization(session)
    make_notice(session, organization, slug="scoring")
    make_user(session, role="operator", organization=organization, language="ru")
    return objection_input(organization, language="kk")


def _outbox(session: Session) -> dict[str, Notification]:
    return {n.kind + ":" + n.recipient: n for n in session.scalars(select(Notification))}


def test_drafted_messages_match_messages_rendered_with_the_reference(session: Session, now: datetime) -> None:
    filed = intake.file_objection(session, _setup(session), channel="web", now=now, policy=POLICY)
    objection = filed.objection
    queued = _outbox(session)
    expected = notify.intake_message_rows(
        session,
        objection,
        access_code=filed.access_code,
        now=now,
        recipients=notify.organisation_recipients(session, objection),
        views=None,
        link=notify.tracking_link(objection.reference),
    )

    assert len(queued) == len(expected) == 3  # the receipt, the operator and the organisation's contact address
    for row in expected:
        stored = queued[f"{row['kind']}:{row['recipient']}"]
        assert stored.objection_id == objection.id
        assert (stored.idempotency_key, stored.subject, stored.body_text, stored.body_html) == (
            row["idempotency_key"],
            row["subject"],
            row["body_text"],
            row["body_html"],
        )
        assert "\ue000" not in stored.subject + stored.body_text + (stored.body_html or "")
    receipt = queued[f"receipt:{objection.email}"]
    assert objection.reference in receipt.subject and filed.access_code in receipt.body_text
    link = receipt.body_text.split("/track/link/", 1)[1].split()[0]
    assert notify.read_tracking_token(link) == objection.reference


def test_a_draft_whose_mark_was_altered_is_rendered_again(session: Session, now: datetime) -> None:
    prepared = intake.prepare_filing(session, _setup(session), channel="web", now=now, policy=POLICY)
    for draft in prepared.drafts:  # as a template filter such as |lower would leave it
        draft["subject"] = str(draft["subject"]).replace(notify.REFERENCE_MARK, notify.REFERENCE_MARK.upper())

    filed = intake.record_filing(session, prepared, now=now)

    subjects = [n.subject for n in session.scalars(select(Notification))]
    assert len(subjects) == 3
    assert all(filed.objection.reference in subject and "\ue000" not in subject for subject in subjects)


def test_a_calendar_override_saved_between_the_checks_and_the_write_still_sets_the_deadline(
    session: Session, now: datetime
) -> None:
    """The checks and the rendering happen before the write; an administrator's override that lands in between
    (Thursday 19 March 2026 declared a day off) moves this objection's last day too, and its mails say so."""
    from datetime import date

    from objections.services import calendar_overrides

    organization = make_organization(session)
    make_user(session, role="operator", organization=organization, language="en")
    data = objection_input(organization, language="en")
    session.commit()
    prepared = intake.prepare_filing(session, data, channel="web", now=now, policy=POLICY)
    assert prepared.deadline.last_day == date(2026, 3, 19)
    session.rollback()  # the read-only part ends

    calendar_overrides.add_override(
        session, day=date(2026, 3, 19), is_working_day=False, reason="Government decree", actor=None, now=now
    )
    session.commit()

    filed = intake.record_filing(session, prepared, now=now)
    session.commit()
    assert filed.objection.last_day == date(2026, 3, 20)
    receipt = next(n for n in session.scalars(select(Notification)) if n.kind == "receipt")
    assert "The deadline is Friday 20 March 2026, 24:00" in receipt.body_text
    assert "19 March 2026, is a day off (Government decree)" in receipt.body_text
    assert notify.REFERENCE_MARK not in receipt.body_text and filed.objection.reference in receipt.body_text
