"""The public API: the register, filing (with Idempotency-Key), tracking, and JSON errors everywhere."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from objections.domain import deadlines
from objections.models import IdempotencyRecord, Objection, Organization, ProcessingNotice
from objections.services import idempotency, review
from tests.builders import VALID_IINS, make_notice, make_objection, make_organization, make_user
from tests.web.api.conftest import filing

pytestmark = pytest.mark.usefixtures("frozen")


def count_objections(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Objection))


# ---- the register -------------------------------------------------------------------------------------------


def test_register_lists_active_organisations_with_their_published_current_notices(
    client: FlaskClient, session: Session, bank: Organization
) -> None:
    make_notice(session, bank, slug="draft", published=False)
    old = make_notice(session, bank, slug="fraud", version=1)
    old.is_current = False
    make_notice(session, bank, slug="fraud", version=2, title={"kk": "Алаяқтық", "ru": "Мошенничество", "en": "Fraud"})
    make_organization(session, slug="closed-down", active=False)
    session.commit()

    response = client.get("/api/v1/organizations")

    assert response.status_code == 200
    [organization] = response.json["items"]
    assert organization["slug"] == "example-bank"
    assert organization["name"] == {"kk": bank.name_kk, "ru": bank.name_ru, "en": bank.name_en}
    notices = {notice["slug"]: notice for notice in organization["notices"]}
    assert set(notices) == {"credit-scoring", "fraud"}
    assert notices["fraud"]["version"] == 2
    assert notices["fraud"]["title"] == {"kk": "Алаяқтық", "ru": "Мошенничество", "en": "Fraud"}
    assert notices["credit-scoring"]["risk_class"] == "high"
    assert datetime.fromisoformat(notices["credit-scoring"]["published_at"]).utcoffset() == timedelta(0)


# ---- filing -------------------------------------------------------------------------------------------------


def test_filing_answers_201_with_reference_access_code_and_the_engines_deadline(
    client: FlaskClient, session: Session, bank: Organization, now: datetime
) -> None:
    response = client.post("/api/v1/objections", json=filing())

    assert response.status_code == 201
    body = response.json
    assert set(body) >= {"reference", "access_code", "status", "received_at", "deadline_at"}
    assert body["status"] == "received"
    assert datetime.fromisoformat(body["received_at"]) == now
    expected = deadlines.compute(now, deadlines.WorkingCalendar(), deadlines.Policy.CALENDAR_DAYS)
    assert datetime.fromisoformat(body["deadline_at"]) == expected.deadline_at
    assert body["received_at"].endswith("+00:00") and body["deadline_at"].endswith("+00:00")
    assert response.headers["Location"].endswith(f"/api/v1/objections/{body['reference']}")
    objection = session.scalar(select(Objection).where(Objection.reference == body["reference"]))
    assert objection.channel == "api"
    assert objection.notice.slug == "credit-scoring"
    assert objection.events[0].actor_kind == "api"


def test_filing_without_a_notice_is_accepted(client: FlaskClient, bank: Organization) -> None:
    response = client.post("/api/v1/objections", json={**filing(), "notice": None})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"iin": "900101300018"}, "iin", "This IIN is not valid: please check the digits."),
        ({"organization": "no-such-bank"}, "organization", "Choose one of the options offered."),
        ({"notice": "no-such-notice"}, "notice", "Choose one of the options offered."),
        ({"consent": False}, "consent", "We need your agreement to process the data of your objection."),
        ({"decision_date": "2026-04-30"}, "decision_date", "This cannot be in the future."),
        ({"email": "not-an-address"}, "email", "Enter an e-mail address like name@example.kz."),
        ({"grounds": "   "}, "grounds", "This field is required."),
        ({"remedies": []}, "remedies", "This field is required."),
        ({"remedies": ["money_back"]}, "remedies", "Choose one of the options offered."),
        ({"language": "de"}, "language", "Choose one of the options offered."),
        ({"consent": "yes"}, "consent", "This value has the wrong type."),
        ({"decision_date": "13.03.2026"}, "decision_date", "Enter a date like 2026-03-20."),
        ({"full_name": "x" * 301}, "full_name", "This is too long."),
        ({"grounds": "null\x00byte"}, "grounds", "This contains characters that are not allowed."),
        ({"remedy": ["human_review"]}, "remedy", "This field is not part of the request."),
        ({"iin": None}, "iin", "This field is required."),
    ],
)
def test_invalid_filing_answers_422_keyed_by_the_bodys_field_names_and_writes_nothing(
    client: FlaskClient, session: Session, bank: Organization, changes: dict, field: str, message: str
) -> None:
    response = client.post("/api/v1/objections", json=filing(**changes))

    assert response.status_code == 422
    assert response.json == {"errors": {field: [message]}}
    assert count_objections(session) == 0


@pytest.mark.parametrize(
    "raw", [b"", b"{not json", b"[1, 2]", b'"a string"', b"\xff\xfe", b'{"a": "\\ud800"}'], ids=repr
)
def test_a_body_that_is_not_a_json_object_answers_400_json(
    client: FlaskClient, session: Session, bank: Organization, raw: bytes
) -> None:
    response = client.post("/api/v1/objections", data=raw, content_type="application/json")

    assert response.status_code == 400
    assert response.json == {"error": "The body must be a JSON object."}
    assert count_objections(session) == 0


def test_an_oversized_body_answers_413_json(client: FlaskClient, bank: Organization) -> None:
    response = client.post("/api/v1/objections", json=filing(grounds="x" * 200_000))

    assert response.status_code == 413
    assert response.is_json and set(response.json) == {"error"}


# ---- Idempotency-Key ----------------------------------------------------------------------------------------


def test_a_retry_with_the_same_idempotency_key_returns_the_first_response_and_files_once(
    client: FlaskClient, session: Session, bank: Organization
) -> None:
    headers = {"Idempotency-Key": "6f1c1d0e-6c1b-4bfa-9a43-6a3c0f5e7d21"}
    first = client.post("/api/v1/objections", json=filing(), headers=headers)
    retry = client.post("/api/v1/objections", json=filing(), headers=headers)

    assert first.status_code == retry.status_code == 201
    assert retry.json == first.json
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert count_objections(session) == 1
    record = session.get(IdempotencyRecord, "api:6f1c1d0e-6c1b-4bfa-9a43-6a3c0f5e7d21")
    assert record.access_code == first.json["access_code"]


def test_different_idempotency_keys_file_separately(client: FlaskClient, session: Session, bank: Organization) -> None:
    first = client.post("/api/v1/objections", json=filing(), headers={"Idempotency-Key": "a"})
    second = client.post("/api/v1/objections", json=filing(), headers={"Idempotency-Key": "b"})

    assert first.json["reference"] != second.json["reference"]
    assert count_objections(session) == 2


def test_a_key_reused_for_another_subjects_objection_is_refused_without_revealing_the_first(
    client: FlaskClient, session: Session, bank: Organization
) -> None:
    first = client.post("/api/v1/objections", json=filing(), headers={"Idempotency-Key": "shared"})
    other = client.post("/api/v1/objections", json=filing(iin=VALID_IINS[1]), headers={"Idempotency-Key": "shared"})

    assert other.status_code == 409
    assert set(other.json) == {"error"}
    assert first.json["access_code"] not in other.get_data(as_text=True)
    assert count_objections(session) == 1


def test_a_concurrent_twin_that_loses_the_race_on_the_key_answers_with_the_winners_filing(
    client: FlaskClient, session: Session, bank: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    winner = client.post("/api/v1/objections", json=filing(), headers={"Idempotency-Key": "race"})
    real_find = idempotency.find_replay
    calls = []

    def find_as_if_not_yet_committed(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return None if len(calls) == 1 else real_find(*args, **kwargs)

    monkeypatch.setattr(idempotency, "find_replay", find_as_if_not_yet_committed)
    loser = client.post("/api/v1/objections", json=filing(), headers={"Idempotency-Key": "race"})

    assert loser.status_code == 201
    assert loser.json == winner.json
    assert count_objections(session) == 1


@pytest.mark.parametrize("key", ["", "x" * 125, "with space", "ключ"])
def test_a_malformed_idempotency_key_answers_400(
    client: FlaskClient, session: Session, bank: Organization, key: str
) -> None:
    response = client.post(
        "/api/v1/objections", json=filing(), headers={"Idempotency-Key": key.encode().decode("latin-1")}
    )

    assert response.status_code == 400
    assert response.json == {"error": "The Idempotency-Key header is malformed."}
    assert count_objections(session) == 0


# ---- tracking -----------------------------------------------------------------------------------------------


def test_the_access_code_opens_the_subjects_view(client: FlaskClient, bank: Organization) -> None:
    receipt = client.post("/api/v1/objections", json=filing()).json

    response = client.get(
        f"/api/v1/objections/{receipt['reference'].lower()}",
        headers={"X-Access-Code": receipt["access_code"].lower().replace("-", " ")},
    )

    assert response.status_code == 200
    view = response.json
    assert view["reference"] == receipt["reference"]
    assert view["status"] == "received"
    assert view["organization"] == "example-bank" and view["notice"] == "credit-scoring"
    assert view["deadline_at"] == receipt["deadline_at"]
    assert view["last_day"] == "2026-03-19"
    assert view["deadline_text"] == "Thursday 19 March 2026, 24:00 (Astana time)"
    assert view["decision"] is None and view["answered_at"] is None
    assert "authorized body" in view["appeal_routes"]
    assert [event["kind"] for event in view["timeline"]] == ["received"]


def test_tracking_answers_in_the_requested_language(client: FlaskClient, bank: Organization) -> None:
    receipt = client.post("/api/v1/objections", json=filing()).json

    view = client.get(
        f"/api/v1/objections/{receipt['reference']}",
        headers={"X-Access-Code": receipt["access_code"], "Accept-Language": "ru"},
    ).json

    assert "2026" in view["deadline_text"] and "марта" in view["deadline_text"]
    assert view["appeal_routes"].startswith("Вы можете обжаловать")


def test_an_unknown_reference_and_a_wrong_code_get_the_same_404(client: FlaskClient, bank: Organization) -> None:
    receipt = client.post("/api/v1/objections", json=filing()).json

    wrong_code = client.get(
        f"/api/v1/objections/{receipt['reference']}", headers={"X-Access-Code": "AAAA-BBBB-CCCC-DDDD-EEEE"}
    )
    unknown = client.get("/api/v1/objections/OB-2026-999999", headers={"X-Access-Code": receipt["access_code"]})
    nonsense = client.get("/api/v1/objections/%00'--", headers={"X-Access-Code": receipt["access_code"]})

    assert wrong_code.status_code == unknown.status_code == nonsense.status_code == 404
    assert wrong_code.json == unknown.json == nonsense.json


def test_tracking_without_the_access_code_header_answers_400(client: FlaskClient, bank: Organization) -> None:
    receipt = client.post("/api/v1/objections", json=filing()).json
    response = client.get(f"/api/v1/objections/{receipt['reference']}")
    assert response.status_code == 400
    assert response.json == {"error": "Send the access code in the X-Access-Code header."}


def test_the_decision_shows_only_once_the_subject_has_been_notified(
    client: FlaskClient, session: Session, bank: Organization, now: datetime
) -> None:
    receipt = client.post("/api/v1/objections", json=filing()).json
    objection = session.scalar(select(Objection).where(Objection.reference == receipt["reference"]))
    operator = make_user(session, organization=bank)
    review.decide(
        session,
        objection,
        review.DecisionInput(outcome="rejected", ground="provided_by_law", reasoning="Law 123 requires scoring."),
        actor=operator,
        now=now,
    )
    session.commit()
    headers = {"X-Access-Code": receipt["access_code"]}

    decided = client.get(f"/api/v1/objections/{receipt['reference']}", headers=headers).json
    review.answer_by_email(session, objection, actor=operator, now=now + timedelta(minutes=5))
    session.commit()
    answered = client.get(f"/api/v1/objections/{receipt['reference']}", headers=headers).json

    assert decided["status"] == "decided" and decided["decision"] is None
    assert answered["status"] == "answered"
    assert answered["answered_at"] == (now + timedelta(minutes=5)).isoformat()
    assert answered["decision"] == {
        "outcome": "rejected",
        "outcome_label": "Rejected",
        "ground": "provided_by_law",
        "ground_label": "The automated processing is provided for by law",
        "reasoning": "Law 123 requires scoring.",
        "actions_taken": "",
    }
    assert [e["kind"] for e in answered["timeline"]] == ["received", "assigned", "decided", "answered"]


def test_another_organisations_objection_is_tracked_like_any_other(
    client: FlaskClient, session: Session, bank: Organization, now: datetime
) -> None:
    objection = make_objection(session, received_at=now, status="received")
    session.commit()
    response = client.get(f"/api/v1/objections/{objection.reference}", headers={"X-Access-Code": "WRONG"})
    assert response.status_code == 404


# ---- errors and protections ---------------------------------------------------------------------------------


def test_unknown_api_urls_and_methods_answer_json_not_html(client: FlaskClient) -> None:
    missing = client.get("/api/v1/no-such-thing")
    wrong_method = client.delete("/api/v1/organizations")

    assert missing.status_code == 404 and missing.is_json and set(missing.json) == {"error"}
    assert wrong_method.status_code == 405 and wrong_method.is_json and set(wrong_method.json) == {"error"}


class TestWithProtectionsOn:
    @pytest.fixture
    def config_overrides(self) -> dict:
        return {
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": True,
            "API_FILING_RATE_LIMIT": "2 per minute",
            "API_TRACKING_RATE_LIMIT": "3 per minute",
        }

    def test_filing_needs_no_csrf_token_and_is_rate_limited_with_a_json_429(
        self, client: FlaskClient, session: Session, bank: Organization
    ) -> None:
        statuses = [client.post("/api/v1/objections", json=filing()).status_code for _ in range(3)]

        assert statuses == [201, 201, 429]
        limited = client.post("/api/v1/objections", json=filing())
        assert limited.is_json and set(limited.json) == {"error"}
        assert int(limited.headers["Retry-After"]) > 0
        assert count_objections(session) == 2

    def test_tracking_is_rate_limited_so_codes_cannot_be_tried_in_bulk(
        self, client: FlaskClient, bank: Organization
    ) -> None:
        statuses = [
            client.get("/api/v1/objections/OB-2026-000001", headers={"X-Access-Code": f"CODE{n}"}).status_code
            for n in range(4)
        ]
        assert statuses == [404, 404, 404, 429]


def test_a_notice_of_another_organisation_cannot_be_named(
    client: FlaskClient, session: Session, bank: Organization
) -> None:
    other = make_organization(session)
    make_notice(session, other, slug="other-scoring")
    session.commit()

    response = client.post("/api/v1/objections", json=filing(notice="other-scoring"))

    assert response.status_code == 422
    assert set(response.json["errors"]) == {"notice"}
    assert session.scalar(select(func.count()).select_from(ProcessingNotice)) == 2
