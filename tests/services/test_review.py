"""Deciding and answering: complete answers only, the e-mail in the subject's language, forwarding, duplicates,
double submits, concurrent decisions, offline notification and undelivered answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from objections.domain.errors import Conflict, IllegalTransition, ValidationFailed
from objections.extensions import db
from objections.models import Notification, Objection, ObjectionEvent, User
from objections.services import review
from objections.services.deadlines import compute_deadline
from objections.web import labels
from tests.builders import make_objection, make_organization, make_user

OK_FIELDS = {
    "upheld_processing_stopped": {"actions_taken": "Automated processing stopped on 17 March 2026."},
    "upheld_decision_retaken": {"actions_taken": "Decision taken again by a credit officer; new result: approved."},
    "consent_withdrawn": {"actions_taken": "Consent withdrawn; processing stopped."},
    "partially_upheld": {"actions_taken": "The limit was reviewed by a person."},
    "rejected": {"ground": "provided_by_law"},
    "forwarded": {"forward_to": "OTHER"},
    "duplicate": {"duplicate_of": "EARLIER"},
}
# What each outcome needs beyond the reasoning, and the problem code when it is missing.
REQUIRED = {
    "upheld_processing_stopped": ("actions_taken", "required"),
    "upheld_decision_retaken": ("actions_taken", "required"),
    "consent_withdrawn": ("actions_taken", "required"),
    "partially_upheld": ("actions_taken", "required"),
    "rejected": ("ground", "required"),
    "forwarded": ("forward_to", "required"),
    "duplicate": ("duplicate_of", "required"),
}


def outbox(session: Session, kind: str = "answer") -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.kind == kind)))


def events(session: Session, objection: Objection, kind: str) -> list[ObjectionEvent]:
    return list(
        session.scalars(
            select(ObjectionEvent).where(ObjectionEvent.objection_id == objection.id, ObjectionEvent.kind == kind)
        )
    )


@pytest.fixture
def world(session: Session, now):
    organization = make_organization(session)
    other = make_organization(session)
    operator = make_user(session, organization=organization)
    earlier = make_objection(session, organization=organization, received_at=now - timedelta(days=2))
    case = make_objection(session, organization=organization, received_at=now - timedelta(hours=3))
    session.commit()
    return {"org": organization, "other": other, "operator": operator, "earlier": earlier, "case": case}


def decision_for(outcome: str, world: dict, **overrides: str) -> review.DecisionInput:
    values = {"outcome": outcome, "reasoning": "We checked the file again.", **OK_FIELDS[outcome]}
    if values.get("forward_to") == "OTHER":
        values["forward_to"] = world["other"].slug
    if values.get("duplicate_of") == "EARLIER":
        values["duplicate_of"] = world["earlier"].reference
    values.update(overrides)
    return review.DecisionInput(**values)


@pytest.mark.parametrize("outcome", sorted(REQUIRED))
def test_every_outcome_needs_its_reasoning(session, now, world, outcome) -> None:
    with pytest.raises(ValidationFailed) as refused:
        review.decide(
            session, world["case"], decision_for(outcome, world, reasoning="  "), actor=world["operator"], now=now
        )
    assert refused.value.errors["reasoning"] == ["required"]
    assert world["case"].status == "received"


@pytest.mark.parametrize("outcome", sorted(REQUIRED))
def test_every_outcome_needs_its_own_field(session, now, world, outcome) -> None:
    field, code = REQUIRED[outcome]
    data = decision_for(outcome, world)
    setattr(data, field, "")
    with pytest.raises(ValidationFailed) as refused:
        review.decide(session, world["case"], data, actor=world["operator"], now=now)
    assert refused.value.errors == {field: [code]}
    assert world["case"].decided_at is None


@pytest.mark.parametrize("outcome", sorted(REQUIRED))
def test_a_complete_decision_of_every_outcome_is_recorded(session, now, world, outcome) -> None:
    case = world["case"]
    review.decide(session, case, decision_for(outcome, world), actor=world["operator"], now=now)
    assert (case.status, case.outcome, case.decided_at) == ("decided", outcome, now)
    assert len(events(session, case, "decided")) == 1


def test_a_ground_is_refused_for_an_upheld_outcome(session, now, world) -> None:
    data = decision_for("upheld_processing_stopped", world, ground="consent_given")
    with pytest.raises(ValidationFailed) as refused:
        review.decide(session, world["case"], data, actor=world["operator"], now=now)
    assert refused.value.errors == {"ground": ["only_for_rejected"]}


def test_a_duplicate_must_name_an_earlier_objection_of_the_same_organisation(session, now, world) -> None:
    foreign = make_objection(session, organization=world["other"], received_at=now - timedelta(days=1))
    for reference in (foreign.reference, "OB-2026-999999", world["case"].reference):
        with pytest.raises(ValidationFailed) as refused:
            review.decide(
                session,
                world["case"],
                decision_for("duplicate", world, duplicate_of=reference),
                actor=world["operator"],
                now=now,
            )
        assert refused.value.errors == {"duplicate_of": ["unknown"]}


def test_a_duplicate_answer_names_the_earlier_objection(session, now, world) -> None:
    case = world["case"]
    review.decide(session, case, decision_for("duplicate", world), actor=world["operator"], now=now)
    review.answer_by_email(session, case, actor=world["operator"], now=now)
    assert case.duplicate_of_id == world["earlier"].id
    assert world["earlier"].reference in outbox(session)[0].body_text


def test_forwarding_to_ones_own_or_an_unknown_organisation_is_refused(session, now, world) -> None:
    for slug, code in ((world["org"].slug, "same_organisation"), ("no-such-org", "unknown")):
        with pytest.raises(ValidationFailed) as refused:
            review.decide(
                session,
                world["case"],
                decision_for("forwarded", world, forward_to=slug),
                actor=world["operator"],
                now=now,
            )
        assert refused.value.errors == {"forward_to": [code]}


def test_forwarding_opens_a_new_objection_at_the_other_organisation_received_now(session, now, world) -> None:
    case, other = world["case"], world["other"]
    moment = now + timedelta(days=1)
    review.decide(session, case, decision_for("forwarded", world), actor=world["operator"], now=moment)
    review.answer_by_email(session, case, actor=world["operator"], now=moment)
    forwarded = session.get(Objection, case.forwarded_to_id)
    assert forwarded.organization_id == other.id
    assert forwarded.forwarded_from_id == case.id
    assert forwarded.reference != case.reference
    assert forwarded.received_at == moment != case.received_at
    assert forwarded.deadline_at == compute_deadline(session, moment, "calendar_days").deadline_at
    assert (forwarded.status, forwarded.full_name, forwarded.iin, forwarded.grounds) == (
        "received",
        case.full_name,
        case.iin,
        case.grounds,
    )
    assert events(session, forwarded, "forwarded_in")[0].payload["from_reference"] == case.reference
    assert events(session, case, "forwarded_out")[0].payload["to_reference"] == forwarded.reference
    answer = outbox(session)[0]
    assert other.name_en in answer.body_text
    receipts = [n for n in outbox(session, "receipt") if n.objection_id == forwarded.id]
    assert len(receipts) == 1  # the subject gets the new objection's own reference and access code
    new_case_mail = [n for n in outbox(session, "new_objection") if n.objection_id == forwarded.id]
    assert {n.recipient for n in new_case_mail} == {other.contact_email}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_answer_email_carries_outcome_reasons_actions_and_appeal_routes_in_the_subjects_language(
    app, session, now, language
) -> None:
    organization = make_organization(session)
    operator = make_user(session, organization=organization)
    case = make_objection(session, organization=organization, received_at=now - timedelta(hours=3), language=language)
    data = review.DecisionInput(
        outcome="upheld_decision_retaken",
        reasoning="Your income certificate was not considered.",
        actions_taken="Decision taken again by a credit officer on 17 March; new result: approved.",
    )
    review.decide(session, case, data, actor=operator, now=now)
    review.answer_by_email(session, case, actor=operator, now=now)
    (mail,) = outbox(session)
    with force_locale(language):
        outcome_words = str(labels.OUTCOME["upheld_decision_retaken"])
    assert (mail.language, mail.recipient, mail.idempotency_key) == (
        language,
        case.email,
        f"answer:{case.reference}",
    )
    for body in (mail.body_text, mail.body_html):
        assert outcome_words in body
        assert "income certificate" in body
        assert "new result: approved" in body
        assert app.config["APPEAL_ROUTES"][language] in body
    assert case.reference in mail.subject
    assert (case.status, case.answered_at) == ("answered", now)


def test_the_answer_language_can_differ_from_the_objections(app, session, now, world) -> None:
    case = world["case"]
    data = decision_for("rejected", world, language="ru")
    review.decide(session, case, data, actor=world["operator"], now=now)
    review.answer_by_email(session, case, actor=world["operator"], now=now)
    (mail,) = outbox(session)
    assert mail.language == "ru"
    assert app.config["APPEAL_ROUTES"]["ru"] in mail.body_text


def test_the_preview_is_exactly_the_email_that_is_queued(session, now, world) -> None:
    case = world["case"]
    data = decision_for("partially_upheld", world)
    with time_machine.travel(now, tick=False):  # the tracking link is signed with the current second
        preview = review.preview_answer(session, case, data)
        assert case.status == "received" and not outbox(session)
        review.decide_and_notify(
            session, case, data, actor=world["operator"], expected_version=case.row_version, now=now
        )
    (mail,) = outbox(session)
    assert (mail.subject, mail.body_text, mail.body_html) == (preview.subject, preview.text, preview.html)


def test_decide_and_notify_is_one_unit_that_a_double_submit_cannot_repeat(session, now, world) -> None:
    case, operator = world["case"], world["operator"]
    version = case.row_version
    assert review.decide_and_notify(
        session, case, decision_for("rejected", world), actor=operator, expected_version=version, now=now
    )
    session.commit()
    with pytest.raises(IllegalTransition):
        review.decide_and_notify(
            session, case, decision_for("rejected", world), actor=operator, expected_version=version, now=now
        )
    session.rollback()
    assert len(events(session, case, "decided")) == 1
    assert len(outbox(session)) == 1


def test_a_decision_on_a_stale_version_is_a_conflict(session, now, world) -> None:
    case = world["case"]
    loaded = case.row_version
    review.assign(session, case, actor=world["operator"], assignee=None, now=now)
    session.commit()
    with pytest.raises(Conflict):
        review.decide_and_notify(
            session, case, decision_for("rejected", world), actor=world["operator"], expected_version=loaded, now=now
        )
    assert case.status == "in_review"


def test_two_operators_deciding_at_once_make_one_decision_and_one_email(app, session, now, world) -> None:
    reference, operator_id = world["case"].reference, world["operator"].id
    rejected, upheld = decision_for("rejected", world), decision_for("upheld_processing_stopped", world)
    session.commit()  # SQLite: this session must not hold the write lock while the two others work
    first = Session(bind=db.engine, expire_on_commit=False)
    second = Session(bind=db.engine, expire_on_commit=False)
    try:
        mine = first.scalar(select(Objection).where(Objection.reference == reference))
        first.commit()
        theirs = second.scalar(select(Objection).where(Objection.reference == reference))
        second.commit()  # both now hold version 1 of the same case
        operator_a = first.get(User, operator_id)
        first.commit()
        operator_b = second.get(User, operator_id)
        second.commit()
        review.decide_and_notify(first, mine, rejected, actor=operator_a, expected_version=1, now=now)
        first.commit()
        with pytest.raises(Conflict) as refused:
            review.decide_and_notify(
                second,
                theirs,
                upheld,
                actor=operator_b,
                expected_version=1,
                now=now,
            )
        assert isinstance(refused.value.__cause__, StaleDataError)  # the version column caught it at flush
        second.rollback()
    finally:
        first.close()
        second.close()
    session.expire_all()
    case = session.scalar(select(Objection).where(Objection.reference == reference))
    assert case.outcome == "rejected"
    assert len(events(session, case, "decided")) == 1
    assert session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "answer")) == 1


def test_a_paper_case_without_email_is_decided_and_then_notified_offline(session, now, world) -> None:
    organization, operator = world["org"], world["operator"]
    case = make_objection(
        session, organization=organization, received_at=now - timedelta(hours=5), email=None, channel="paper"
    )
    assert not review.decide_and_notify(
        session, case, decision_for("rejected", world), actor=operator, expected_version=None, now=now
    )
    assert case.status == "decided" and not outbox(session)
    with pytest.raises(ValidationFailed) as refused:
        review.answer_by_email(session, case, actor=operator, now=now)
    assert refused.value.errors == {"email": ["no_email_record_offline"]}
    with pytest.raises(ValidationFailed) as future:
        review.record_offline_notification(
            session, case, actor=operator, channel="post", notified_at=now + timedelta(minutes=1), by="Clerk", now=now
        )
    assert future.value.errors == {"at": ["in_future"]}
    with pytest.raises(ValidationFailed) as early:
        review.record_offline_notification(
            session, case, actor=operator, channel="phone", notified_at=now - timedelta(hours=1), by="", now=now
        )
    assert early.value.errors == {"at": ["before_decision"], "by": ["required"]}
    told_at = now + timedelta(hours=1)
    review.record_offline_notification(
        session, case, actor=operator, channel="phone", notified_at=told_at, by="A. Clerk", now=told_at
    )
    assert (case.status, case.answered_at, case.notified_channel, case.notified_by) == (
        "answered",
        told_at,
        "phone",
        "A. Clerk",
    )


def test_an_offline_notification_needs_a_decision_first(session, now, world) -> None:
    with pytest.raises(IllegalTransition):
        review.record_offline_notification(
            session, world["case"], actor=world["operator"], channel="post", notified_at=now, by="Clerk", now=now
        )


def test_an_undelivered_answer_is_flagged_until_the_subject_is_told_otherwise(session, now, world) -> None:
    case, operator = world["case"], world["operator"]
    review.decide_and_notify(
        session, case, decision_for("rejected", world), actor=operator, expected_version=None, now=now
    )
    (mail,) = outbox(session)
    failed_at = now + timedelta(hours=1)
    assert review.flag_undelivered_answer(session, mail, now=failed_at) is case
    assert review.flag_undelivered_answer(session, mail, now=failed_at + timedelta(hours=1)) is case
    assert case.answer_undelivered_at == failed_at
    assert case.answered_at == now  # the duty was met when the answer was published; the flag does not move it
    assert len(events(session, case, "answer_undelivered")) == 1
    assert review.close_due(session, now=now + timedelta(days=40), after_days=30) == 0
    told_at = failed_at + timedelta(hours=2)
    review.record_notification_after_failed_email(
        session, case, actor=operator, channel="post", notified_at=told_at, by="A. Clerk", now=told_at
    )
    assert case.answer_undelivered_at is None and case.notified_channel == "post"
    assert case.answered_at == now
    with pytest.raises(IllegalTransition):
        review.record_notification_after_failed_email(
            session, case, actor=operator, channel="post", notified_at=told_at, by="A. Clerk", now=told_at
        )
    assert review.close_due(session, now=now + timedelta(days=40), after_days=30) == 1


def test_other_messages_never_flag_an_objection(session, now, world) -> None:
    receipt = outbox(session, "receipt")[0]
    assert review.flag_undelivered_answer(session, receipt, now=now) is None
    assert world["case"].answer_undelivered_at is None
