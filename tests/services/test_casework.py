"""Casework: internal notes, clarification requests and replies, paper and phone intake, answer templates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from objections.domain.errors import IllegalTransition, NotFound, ValidationFailed
from objections.models import AuditEvent, Notification, ObjectionEvent
from objections.services import casework, clarifications, review
from objections.services.deadlines import compute_deadline
from objections.services.events import GENESIS, event_hash
from tests.builders import make_notice, make_objection, make_organization, make_user, objection_input


def kinds(objection) -> list[str]:
    return [event.kind for event in objection.events]


def event_of(objection, kind: str) -> ObjectionEvent:
    return next(event for event in objection.events if event.kind == kind)


@pytest.fixture
def world(session, now):
    organization = make_organization(session)
    operator = make_user(session, organization=organization)
    case = make_objection(session, organization=organization, received_at=now - timedelta(hours=2), language="ru")
    return {"org": organization, "operator": operator, "case": case}


def test_an_internal_note_is_kept_on_a_staff_only_event(session, now, world) -> None:
    note = casework.add_note(session, world["case"], actor=world["operator"], body="  Call the branch.  ", now=now)
    assert note.body == "Call the branch."
    assert casework.notes_of(session, world["case"]) == [note]
    event = event_of(world["case"], "note_added")
    assert event.is_public is False
    assert "Call the branch" not in str(event.payload)


@pytest.mark.parametrize(("body", "code"), [("   ", "required"), ("x" * 5001, "too_long")])
def test_an_empty_or_overlong_note_is_refused(session, now, world, body, code) -> None:
    with pytest.raises(ValidationFailed) as refused:
        casework.add_note(session, world["case"], actor=world["operator"], body=body, now=now)
    assert refused.value.errors == {"body": [code]}


def test_a_clarification_request_emails_the_subject_in_their_language_and_keeps_the_deadline(
    session, now, world
) -> None:
    case = world["case"]
    deadline = case.deadline_at
    asked = clarifications.request_clarification(
        session, case, actor=world["operator"], question="Which branch refused you?", now=now
    )
    event = event_of(case, "clarification_requested")
    assert (event.is_public, event.payload["clarification_id"]) == (True, asked.id)
    mail = session.scalar(select(Notification).where(Notification.kind == "clarification"))
    assert (mail.recipient, mail.language) == (case.email, "ru")
    assert "Which branch refused you?" in mail.body_text
    assert "/track/link/" in mail.body_text
    assert case.deadline_at == deadline and case.status == "received"


def test_a_clarification_is_recorded_for_a_subject_without_email(session, now, world) -> None:
    paper = make_objection(session, organization=world["org"], received_at=now, email=None, channel="phone")
    clarifications.request_clarification(session, paper, actor=world["operator"], question="Your branch?", now=now)
    assert "clarification_requested" in kinds(paper)
    assert session.scalar(select(Notification).where(Notification.kind == "clarification")) is None


def test_no_clarification_once_decided_and_no_empty_question(session, now, world) -> None:
    with pytest.raises(ValidationFailed) as empty:
        clarifications.request_clarification(session, world["case"], actor=world["operator"], question=" ", now=now)
    assert empty.value.errors == {"question": ["required"]}
    decided = make_objection(session, organization=world["org"], received_at=now - timedelta(days=1), status="decided")
    with pytest.raises(IllegalTransition):
        clarifications.request_clarification(session, decided, actor=world["operator"], question="Why?", now=now)


def test_the_subjects_reply_lands_on_the_timeline_once_and_tells_the_organisation(session, now, world) -> None:
    case = world["case"]
    asked = clarifications.request_clarification(
        session, case, actor=world["operator"], question="Which branch?", now=now
    )
    later = now + timedelta(hours=3)
    replied = clarifications.reply_to_clarification(
        session, case, clarification_id=asked.id, reply=" Almaty, Abay ave. ", now=later
    )
    assert (replied.reply, replied.replied_at) == ("Almaty, Abay ave.", later)
    event = event_of(case, "clarification_replied")
    assert (event.actor_kind, event.is_public, event.payload) == ("subject", True, {"clarification_id": asked.id})
    told = session.scalars(select(Notification).where(Notification.kind == "clarification_reply")).all()
    assert {n.recipient for n in told} >= {world["operator"].email}
    with pytest.raises(ValidationFailed) as twice:
        clarifications.reply_to_clarification(session, case, clarification_id=asked.id, reply="Again", now=later)
    assert twice.value.errors == {"reply": ["already_replied"]}
    assert kinds(case).count("clarification_replied") == 1


def test_a_reply_to_an_unknown_or_foreign_question_is_refused(session, now, world) -> None:
    other_case = make_objection(session, organization=world["org"], received_at=now)
    foreign = clarifications.request_clarification(
        session, other_case, actor=world["operator"], question="Which branch?", now=now
    )
    for clarification_id in (foreign.id, 99999):
        with pytest.raises(ValidationFailed) as refused:
            clarifications.reply_to_clarification(
                session, world["case"], clarification_id=clarification_id, reply="Hi", now=now
            )
        assert refused.value.errors == {"clarification_id": ["unknown"]}


def test_an_empty_reply_and_a_reply_to_a_withdrawn_objection_are_refused(session, now, world) -> None:
    case = world["case"]
    asked = clarifications.request_clarification(session, case, actor=world["operator"], question="Which?", now=now)
    with pytest.raises(ValidationFailed) as empty:
        clarifications.reply_to_clarification(session, case, clarification_id=asked.id, reply="  ", now=now)
    assert empty.value.errors == {"reply": ["required"]}
    review.withdraw(session, case, now=now)
    with pytest.raises(ValidationFailed) as closed:
        clarifications.reply_to_clarification(session, case, clarification_id=asked.id, reply="Late", now=now)
    assert closed.value.errors == {"reply": ["case_closed"]}


def register(session, world, *, received_at, now, key="k1", **values):
    data = objection_input(world["org"], email=None, phone="+7 701 123 45 67", **values)
    data.organization = "anything: the operator's organisation is used"
    return casework.register_paper_objection(
        session,
        data,
        actor=world["operator"],
        channel="paper",
        received_at=received_at,
        key=key,
        now=now,
        policy="calendar_days",
    )


def test_a_paper_objection_stamped_two_days_ago_gets_the_engines_deadline_for_that_moment(session, now, world) -> None:
    stamped = now - timedelta(days=2)
    filed = register(session, world, received_at=stamped, now=now)
    objection = filed.objection
    expected = compute_deadline(session, stamped, "calendar_days")
    assert (objection.received_at, objection.deadline_at, objection.last_day) == (
        stamped,
        expected.deadline_at,
        expected.last_day,
    )
    assert (objection.channel, objection.email, objection.organization_id) == ("paper", None, world["org"].id)
    received = event_of(objection, "received")
    assert received.payload["stamped_received_at"] == stamped.isoformat()
    assert (received.actor_id, received.at) == (world["operator"].id, now)
    audit = session.scalar(select(AuditEvent).where(AuditEvent.kind == "paper_objection_registered"))
    assert audit.payload["reference"] == objection.reference and audit.actor_id == world["operator"].id


@pytest.mark.parametrize(
    ("offset", "code"),
    [(timedelta(minutes=1), "in_future"), (-timedelta(days=30, minutes=1), "too_old"), (None, "required")],
)
def test_a_stamp_in_the_future_or_over_thirty_days_back_is_refused(session, now, world, offset, code) -> None:
    with pytest.raises(ValidationFailed) as refused:
        register(session, world, received_at=None if offset is None else now + offset, now=now)
    assert refused.value.errors == {"received_at": [code]}


def test_a_stamp_exactly_thirty_days_back_is_accepted(session, now, world) -> None:
    assert register(
        session, world, received_at=now - timedelta(days=30), now=now
    ).objection.received_at == now - timedelta(days=30)


def test_the_paper_form_sent_twice_files_once(session, now, world) -> None:
    first = register(session, world, received_at=now - timedelta(hours=1), now=now, key="same")
    again = register(session, world, received_at=now - timedelta(hours=1), now=now, key="same")
    assert again.objection is first.objection and again.access_code == first.access_code
    assert casework.paper_receipt(session, actor=world["operator"], key="same").access_code == first.access_code
    with pytest.raises(NotFound):
        casework.paper_receipt(session, actor=make_user(session, organization=world["org"]), key="same")


def test_paper_intake_checks_the_citizen_forms_fields_and_the_channel(session, now, world) -> None:
    with pytest.raises(ValidationFailed) as refused:
        register(session, world, received_at=now, now=now, iin="123", grounds="", remedies=[])
    assert refused.value.errors == {"iin": ["iin_length"], "grounds": ["required"], "remedies": ["required"]}
    with pytest.raises(ValidationFailed) as channel:
        casework.register_paper_objection(
            session,
            objection_input(world["org"]),
            actor=world["operator"],
            channel="web",
            received_at=now,
            key="k",
            now=now,
            policy="calendar_days",
        )
    assert channel.value.errors == {"channel": ["unknown"]}


def test_answer_templates_belong_to_one_organisation(session, now, world) -> None:
    make_notice(session, world["org"], slug="scoring")
    admin = make_user(session, role="org_admin", organization=world["org"])
    data = casework.TemplateInput(
        title="Consent given", outcome="rejected", language="ru", reasoning="Вы дали согласие.", notice_slug="scoring"
    )
    template = casework.create_template(session, actor=admin, data=data, now=now)
    assert casework.templates_of(session, world["org"].id) == [template]
    outsider = make_user(session, role="org_admin", organization=make_organization(session))
    for action in (
        lambda: casework.update_template(session, template.id, actor=outsider, data=data, now=now),
        lambda: casework.delete_template(session, template.id, actor=outsider, now=now),
        lambda: casework.template_for(session, template.id, organization_id=outsider.organization_id),
    ):
        with pytest.raises(NotFound):
            action()
    data.title = "Согласие"
    casework.update_template(session, template.id, actor=admin, data=data, now=now)
    assert template.title == "Согласие"
    casework.delete_template(session, template.id, actor=admin, now=now)
    assert casework.templates_of(session, world["org"].id) == []
    audited = session.scalars(
        select(AuditEvent.kind).where(AuditEvent.kind.like("answer_template_%")).order_by(AuditEvent.id)
    ).all()
    assert audited == ["answer_template_created", "answer_template_updated", "answer_template_deleted"]


def test_a_template_needs_title_reasoning_a_known_outcome_language_and_notice(session, now, world) -> None:
    admin = make_user(session, role="org_admin", organization=world["org"])
    data = casework.TemplateInput(title="", outcome="maybe", language="de", reasoning=" ", notice_slug="nope")
    with pytest.raises(ValidationFailed) as refused:
        casework.create_template(session, actor=admin, data=data, now=now)
    assert refused.value.errors == {
        "title": ["required"],
        "reasoning": ["required"],
        "outcome": ["unknown"],
        "language": ["unknown"],
        "notice_slug": ["unknown"],
    }


def test_templates_for_a_case_are_its_notices_and_the_general_ones_in_its_language_first(session, now, world) -> None:
    make_notice(session, world["org"], slug="scoring")
    make_notice(session, world["org"], slug="pricing")
    admin = make_user(session, role="org_admin", organization=world["org"])
    made = {}
    for title, slug, language in (
        ("A", "scoring", "en"),
        ("B", None, "ru"),
        ("C", "pricing", "ru"),
        ("D", "scoring", "ru"),
    ):
        made[title] = casework.create_template(
            session,
            actor=admin,
            now=now,
            data=casework.TemplateInput(
                title=title, outcome="rejected", language=language, reasoning="r", notice_slug=slug
            ),
        )
    case = make_objection(session, organization=world["org"], received_at=now, notice="scoring", language="ru")
    assert [t.title for t in casework.templates_for_case(session, case)] == ["D", "B", "A"]


def test_forwarding_from_casework_answers_the_subject_and_returns_the_new_case(session, now, world) -> None:
    other = make_organization(session)
    new = casework.forward_objection(
        session,
        world["case"],
        actor=world["operator"],
        to_organization=other.slug,
        reasoning="The loan was granted by another bank.",
        language=None,
        expected_version=None,
        now=now,
    )
    assert (new.organization_id, new.received_at, new.forwarded_from_id) == (other.id, now, world["case"].id)
    assert world["case"].status == "answered" and world["case"].outcome == "forwarded"


def test_colleagues_are_active_staff_of_the_same_organisation(session, world) -> None:
    admin = make_user(session, role="org_admin", organization=world["org"])
    gone = make_user(session, organization=world["org"])
    gone.active = False
    make_user(session, organization=make_organization(session))
    make_user(session, role="supervisor")
    assert {u.id for u in casework.colleagues(session, world["org"].id)} == {world["operator"].id, admin.id}
    with pytest.raises(NotFound):
        casework.find_colleague(session, world["org"].id, gone.id)


def test_the_timeline_stays_a_valid_hash_chain_through_casework(session, now, world) -> None:
    case = world["case"]
    casework.add_note(session, case, actor=world["operator"], body="Checked.", now=now)
    asked = clarifications.request_clarification(session, case, actor=world["operator"], question="Q?", now=now)
    clarifications.reply_to_clarification(session, case, clarification_id=asked.id, reply="A.", now=now)
    previous = GENESIS
    for event in case.events:
        assert event.prev_hash == previous
        assert event.hash == event_hash(
            previous,
            objection_id=case.id,
            seq=event.seq,
            kind=event.kind,
            actor_kind=event.actor_kind,
            actor_id=event.actor_id,
            payload=event.payload,
            at=event.at,
        )
        previous = event.hash
    assert all(event.at <= now for event in case.events)  # the services' `now`, never the wall clock
