"""Filing an objection: every rule of the input, the deadline from the engine, the timeline and the outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from objections import crypto
from objections.domain import deadlines
from objections.domain.errors import ValidationFailed
from objections.models import Notification, Objection, ObjectionEvent
from objections.services import intake, notify
from objections.services.audit_verify import verify_all
from objections.services.deadlines import load_calendar
from objections.services.events import GENESIS, append_event
from tests.builders import VALID_IINS, make_notice, make_organization, make_user, objection_input


def count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model))


def codes_for(session, now, *, email_required: bool = True, **values: object) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    organization = make_organization(session)
    make_notice(session, organization, slug="scoring")
    make_notice(session, organization, slug="draft", published=False)
    data = objection_input(organization, **{k: v for k, v in values.items() if k != "organization"})
    if "organization" in values:
        data.organization = values["organization"]  # type: ignore[assignment]
    with pytest.raises(ValidationFailed) as caught:
        intake.validate_input(session, data, email_required=email_required, now=now)
    return caught.value.errors


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"organization": ""}, "organization", "required"),
        ({"organization": "no-such-org"}, "organization", "unknown"),
        ({"notice": "no-such-notice"}, "notice", "unknown"),
        ({"notice": "draft"}, "notice", "unknown"),
        ({"full_name": " x "}, "full_name", "required"),
        ({"full_name": "x" * 301}, "full_name", "too_long"),
        ({"iin": "  "}, "iin", "required"),
        ({"iin": "9001013000ab"}, "iin", "iin_digits"),
        ({"iin": "90010130001"}, "iin", "iin_length"),
        ({"iin": VALID_IINS[0][:-1] + "8"}, "iin", "iin_checksum"),
        ({"email": ""}, "email", "required"),
        ({"email": "not-an-address"}, "email", "invalid_email"),
        ({"phone": "call me"}, "phone", "invalid_phone"),
        ({"phone": "12"}, "phone", "invalid_phone"),
        ({"language": "de"}, "language", "unknown"),
        ({"decision_reference": "x" * 121}, "decision_reference", "too_long"),
        ({"decision_date": date(2026, 3, 18)}, "decision_date", "in_future"),
        ({"grounds": "   "}, "grounds", "required"),
        ({"grounds": "x" * 5001}, "grounds", "too_long"),
        ({"remedies": []}, "remedies", "required"),
        ({"remedies": ["human_review", "money"]}, "remedies", "unknown"),
        ({"consent": False}, "consent", "consent_required"),
    ],
)
def test_each_broken_rule_is_named_by_field_and_code(session, now, values, field, code) -> None:
    assert codes_for(session, now, **values) == {field: [code]}


def test_every_problem_is_reported_at_once(session, now) -> None:
    errors = codes_for(session, now, full_name="", iin="1", grounds="", remedies=[], consent=False)
    assert set(errors) == {"full_name", "iin", "grounds", "remedies", "consent"}


def test_email_is_optional_when_not_required(session, now) -> None:
    organization = make_organization(session)
    data = objection_input(organization, email=None)
    assert intake.validate_input(session, data, email_required=False, now=now) == (organization, None, None)


def test_inactive_organisation_is_unknown(session, now) -> None:
    organization = make_organization(session, active=False)
    with pytest.raises(ValidationFailed) as caught:
        intake.validate_input(session, objection_input(organization), email_required=True, now=now)
    assert caught.value.errors == {"organization": ["unknown"]}


def test_filing_stores_the_objection_with_the_engines_deadline(session, now) -> None:
    organization = make_organization(session)
    notice = make_notice(session, organization)
    filed = intake.file_objection(
        session,
        objection_input(organization, notice="scoring", email=" Subject@Example.KZ ", phone=" +7 701 123 45 67 "),
        channel="web",
        now=now,
        policy="calendar_days",
    )
    objection = filed.objection
    expected = deadlines.compute(now, load_calendar(session), "calendar_days")
    assert objection.reference == "OB-2026-000001"
    assert objection.received_at == now
    assert (objection.deadline_at, objection.last_day) == (expected.deadline_at, expected.last_day)
    assert objection.deadline_at == datetime(2026, 3, 19, 19, 0, tzinfo=UTC)  # Thursday 19 March, 24:00 Astana
    assert objection.status == "received"
    assert objection.notice == notice
    assert objection.email == "Subject@example.kz"
    assert objection.phone == "+7 701 123 45 67"
    assert objection.remedies == ["human_review"]


def test_the_access_code_is_stored_only_as_a_hash_and_the_iin_only_encrypted(session, now) -> None:
    organization = make_organization(session)
    filed = intake.file_objection(
        session, objection_input(organization), channel="web", now=now, policy="calendar_days"
    )
    session.commit()
    code = crypto.normalise_access_code(filed.access_code)
    assert len(code) == 20
    row = session.execute(
        text("SELECT access_code_hash, iin, iin_index FROM objections WHERE id = :id"), {"id": filed.objection.id}
    ).one()
    assert code not in row.access_code_hash
    assert crypto.keyring().secret_matches(code, row.access_code_hash)
    assert VALID_IINS[0].encode() not in bytes(row.iin)
    assert row.iin_index == crypto.keyring().blind_index(VALID_IINS[0])
    assert filed.objection.iin == VALID_IINS[0]


def test_filing_writes_one_public_received_event(session, now) -> None:
    organization = make_organization(session)
    filed = intake.file_objection(
        session, objection_input(organization), channel="web", now=now, policy="calendar_days"
    )
    events = session.scalars(select(ObjectionEvent).where(ObjectionEvent.objection_id == filed.objection.id)).all()
    assert [(e.kind, e.actor_kind, e.is_public, e.at) for e in events] == [("received", "subject", True, now)]
    assert events[0].payload["channel"] == "web"
    assert events[0].payload["deadline_at"] == filed.objection.deadline_at.isoformat()
    # It opens the case's chain, and later entries follow it.
    assert (events[0].seq, events[0].prev_hash) == (1, GENESIS)
    append_event(session, filed.objection, "note_added", now=now + timedelta(minutes=1))
    report = verify_all(session)
    assert (report.problems, report.rows) == ([], 2)


def test_filing_queues_the_receipt_and_the_organisations_messages(session, now) -> None:
    organization = make_organization(session)
    operator = make_user(session, organization=organization, language="ru")
    make_user(session, organization=make_organization(session))  # someone else's operator hears nothing
    filed = intake.file_objection(
        session, objection_input(organization), channel="web", now=now, policy="calendar_days"
    )
    messages = session.scalars(select(Notification).order_by(Notification.id)).all()
    by_kind = {(m.kind, m.recipient): m for m in messages}
    assert set(by_kind) == {
        ("receipt", "subject@example.kz"),
        ("new_objection", operator.email),
        ("new_objection", organization.contact_email),
    }
    receipt = by_kind[("receipt", "subject@example.kz")]
    assert filed.access_code in receipt.body_text
    assert filed.objection.reference in receipt.subject
    token = receipt.body_text.split("/track/link/")[1].split()[0]
    assert notify.read_tracking_token(token) == filed.objection.reference
    assert by_kind[("new_objection", operator.email)].language == "ru"
    assert all(m.status == "pending" and m.next_attempt_at == now for m in messages)


def test_each_operator_gets_the_new_objection_message_in_their_own_language(session, now) -> None:
    organization = make_organization(session)
    team = [make_user(session, organization=organization, language=language) for language in ("ru", "kk", "ru")]
    filed = intake.file_objection(
        session, objection_input(organization), channel="web", now=now, policy="calendar_days"
    )
    reference = filed.objection.reference
    messages = session.scalars(select(Notification).where(Notification.kind == "new_objection")).all()
    by_recipient = {m.recipient: m for m in messages}
    assert set(by_recipient) == {user.email for user in team} | {organization.contact_email}
    for user in team:
        message = by_recipient[user.email]
        assert (message.user_id, message.language) == (user.id, user.language)
        assert message.idempotency_key == f"new-objection:{reference}:{user.email}"
        assert reference in message.subject and f"/cases/{reference}" in message.body_text
    russian, kazakh = by_recipient[team[0].email], by_recipient[team[1].email]
    assert "Новое возражение" in russian.subject and "Новое возражение" not in kazakh.subject
    assert russian.body_text != kazakh.body_text
    other_russian = by_recipient[team[2].email]
    assert (russian.subject, russian.body_html) == (other_russian.subject, other_russian.body_html)
    assert by_recipient[organization.contact_email].user_id is None


def test_a_paper_objection_without_email_keeps_its_stamped_moment_and_sends_no_receipt(session, now) -> None:
    organization = make_organization(session)
    stamped = now - timedelta(days=2)
    filed = intake.file_objection(
        session,
        objection_input(organization, email=None),
        channel="paper",
        now=now,
        policy="calendar_days",
        actor=make_user(session, organization=organization),
        received_at=stamped,
    )
    assert filed.objection.received_at == stamped
    assert filed.objection.deadline_at == deadlines.compute(stamped, load_calendar(session)).deadline_at
    assert session.scalar(select(func.count()).where(Notification.kind == "receipt")) == 0
    event = session.scalar(select(ObjectionEvent).where(ObjectionEvent.objection_id == filed.objection.id))
    assert event.actor_kind == "staff"
    assert event.payload["stamped_received_at"] == stamped.isoformat()


@pytest.mark.parametrize(("offset", "code"), [(timedelta(minutes=-1), "in_future"), (timedelta(days=31), "too_old")])
def test_a_paper_objection_cannot_be_stamped_in_the_future_or_long_ago(session, now, offset, code) -> None:
    organization = make_organization(session)
    with pytest.raises(ValidationFailed) as caught:
        intake.file_objection(
            session,
            objection_input(organization, email=None),
            channel="paper",
            now=now,
            policy="calendar_days",
            received_at=now - offset,
        )
    assert caught.value.errors == {"received_at": [code]}
    assert count(session, Objection) == 0


def test_a_web_objection_is_received_now_whatever_moment_is_passed(session, now) -> None:
    organization = make_organization(session)
    filed = intake.file_objection(
        session,
        objection_input(organization),
        channel="web",
        now=now,
        policy="calendar_days",
        received_at=now - timedelta(days=5),
    )
    assert filed.objection.received_at == now


def test_an_invalid_filing_writes_nothing(session, now) -> None:
    organization = make_organization(session)
    with pytest.raises(ValidationFailed):
        intake.file_objection(
            session, objection_input(organization, iin="123"), channel="web", now=now, policy="calendar_days"
        )
    assert (count(session, Objection), count(session, ObjectionEvent), count(session, Notification)) == (0, 0, 0)


def test_references_count_up_within_a_year(session, now) -> None:
    organization = make_organization(session)
    references = [
        intake.file_objection(
            session, objection_input(organization), channel="api", now=now, policy="calendar_days"
        ).objection.reference
        for _ in range(3)
    ]
    assert references == ["OB-2026-000001", "OB-2026-000002", "OB-2026-000003"]


def test_the_working_days_policy_is_applied_when_configured(session) -> None:
    friday = datetime(2026, 3, 13, 6, 0, tzinfo=UTC)
    organization = make_organization(session)
    filed = intake.file_objection(
        session, objection_input(organization), channel="web", now=friday, policy="working_days"
    )
    expected = deadlines.compute(friday, load_calendar(session), "working_days")
    assert filed.objection.deadline_policy == "working_days"
    assert filed.objection.last_day == expected.last_day


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{plain}", "  {code}  "])
def test_find_by_reference_accepts_the_code_as_people_type_it(session, now, typed) -> None:
    organization = make_organization(session)
    filed = intake.file_objection(
        session, objection_input(organization), channel="web", now=now, policy="calendar_days"
    )
    code = filed.access_code
    given = typed.format(code=code, lower=code.lower(), plain=code.replace("-", ""))
    assert intake.find_by_reference(session, filed.objection.reference.lower(), given) == filed.objection


def test_find_by_reference_answers_none_alike_for_a_wrong_code_and_an_unknown_reference(session, now) -> None:
    organization = make_organization(session)
    filed = intake.file_objection(
        session, objection_input(organization), channel="web", now=now, policy="calendar_days"
    )
    assert intake.find_by_reference(session, filed.objection.reference, "AAAA-BBBB-CCCC-DDDD-EEEE") is None
    assert intake.find_by_reference(session, "OB-2026-999999", filed.access_code) is None


def test_a_forwarded_objection_names_where_it_came_from(session, now) -> None:
    first = make_organization(session)
    second = make_organization(session)
    original = intake.file_objection(session, objection_input(first), channel="web", now=now, policy="calendar_days")
    forwarded = intake.file_objection(
        session,
        objection_input(second, email=None),
        channel="web",
        now=now,
        policy="calendar_days",
        forwarded_from=original.objection,
    )
    assert forwarded.objection.forwarded_from_id == original.objection.id
    event = session.scalar(select(ObjectionEvent).where(ObjectionEvent.objection_id == forwarded.objection.id))
    assert event.payload["forwarded_from"] == original.objection.reference
