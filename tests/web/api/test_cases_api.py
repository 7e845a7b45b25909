"""The operators' API: bearer tokens, one organisation's cases, pagination, assignment, decisions with If-Match."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.models import Notification, Objection, Organization, User
from objections.services.api_tokens import revoke_token
from tests.builders import make_objection, make_organization, make_user
from tests.web.api.conftest import bearer

pytestmark = pytest.mark.usefixtures("frozen")

DECISION = {"outcome": "rejected", "ground": "consent_given", "reasoning": "You consented on 1 March 2026."}


@pytest.fixture
def case(session: Session, bank: Organization, now: datetime) -> Objection:
    objection = make_objection(session, organization=bank, received_at=now - timedelta(hours=1))
    session.commit()
    return objection


@pytest.fixture
def foreign_case(session: Session, now: datetime) -> Objection:
    objection = make_objection(session, organization=make_organization(session), received_at=now - timedelta(hours=1))
    session.commit()
    return objection


def reload(session: Session, objection: Objection) -> Objection:
    session.expire_all()
    return session.get(Objection, objection.id)


# ---- tokens -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic b3BlcmF0b3I6cGFzc3dvcmQ=", "Bearer not-a-token", "Bearer " + "x" * 5000],
)
def test_cases_without_a_valid_bearer_token_answer_401_json(
    client: FlaskClient, case: Objection, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.get("/api/v1/cases", headers=headers)

    assert response.status_code == 401
    assert response.is_json and set(response.json) == {"error"}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused(
    client: FlaskClient, session: Session, operator: User, auth: dict, now: datetime
) -> None:
    assert client.get("/api/v1/cases", headers=auth).status_code == 200
    [token] = operator_tokens(session, operator)
    revoke_token(session, actor=operator, token_id=token.id, now=now)
    session.commit()

    response = client.get("/api/v1/cases", headers=auth)

    assert response.status_code == 401
    assert "invalid_token" in response.headers["WWW-Authenticate"]


def operator_tokens(session: Session, user: User) -> list:
    from objections.services.api_tokens import list_tokens

    return list_tokens(session, user=user)


def test_a_deactivated_users_token_is_refused(
    client: FlaskClient, session: Session, operator: User, auth: dict
) -> None:
    operator.active = False
    session.commit()
    assert client.get("/api/v1/cases", headers=auth).status_code == 401


def test_a_supervisors_token_has_no_access_to_cases(client: FlaskClient, session: Session, now: datetime) -> None:
    supervisor = make_user(session, role="supervisor")
    response = client.get("/api/v1/cases", headers=bearer(session, supervisor, now))
    assert response.status_code == 403
    assert set(response.json) == {"error"}


FOREIGN_REQUESTS = [
    ("get", "/api/v1/cases/{ref}", None),
    ("post", "/api/v1/cases/{ref}/assign", {"assignee": None}),
    ("post", "/api/v1/cases/{ref}/decision", DECISION),
    ("post", "/api/v1/cases/{ref}/notified", {"channel": "post", "at": "2026-03-16T05:00:00+00:00", "by": "Clerk"}),
]


@pytest.mark.parametrize(("method", "path", "body"), FOREIGN_REQUESTS)
def test_another_organisations_objection_is_404_on_every_case_endpoint(
    client: FlaskClient, session: Session, auth: dict, foreign_case: Objection, method: str, path: str, body: dict
) -> None:
    before = foreign_case.row_version
    response = getattr(client, method)(path.format(ref=foreign_case.reference), headers=auth, json=body)
    unknown = getattr(client, method)(path.format(ref="OB-2026-999999"), headers=auth, json=body)

    assert response.status_code == unknown.status_code == 404
    assert response.json == unknown.json
    assert reload(session, foreign_case).row_version == before


def test_another_organisations_objections_are_not_listed(
    client: FlaskClient, auth: dict, case: Objection, foreign_case: Objection
) -> None:
    references = [item["reference"] for item in client.get("/api/v1/cases", headers=auth).json["items"]]
    assert references == [case.reference]


# ---- list ---------------------------------------------------------------------------------------------------


def test_pagination_next_links_walk_every_objection_exactly_once_nearest_deadline_first(
    client: FlaskClient, session: Session, bank: Organization, auth: dict, now: datetime
) -> None:
    # Several share a deadline (same received day), so the id breaks the ties.
    made = [
        make_objection(session, organization=bank, received_at=now - timedelta(days=days, minutes=n))
        for days in (0, 1, 2)
        for n in range(3)
    ]
    session.commit()

    seen, url, pages = [], "/api/v1/cases?limit=4&status=received", 0
    while url:
        response = client.get(url, headers=auth)
        assert response.status_code == 200
        seen.extend(item["deadline_at"] + " " + item["reference"] for item in response.json["items"])
        url, pages = response.json["next"], pages + 1
        if url:
            assert parse_qs(urlsplit(url).query)["status"] == ["received"]

    references = [entry.split(" ")[1] for entry in seen]
    assert pages == 3
    assert sorted(references) == sorted(o.reference for o in made)
    assert len(set(references)) == len(made)
    assert [entry.split(" ")[0] for entry in seen] == sorted(entry.split(" ")[0] for entry in seen)


def test_an_objection_filed_while_paging_does_not_repeat_or_shift_earlier_items(
    client: FlaskClient, session: Session, bank: Organization, auth: dict, now: datetime
) -> None:
    for days in range(4):
        make_objection(session, organization=bank, received_at=now - timedelta(days=days))
    session.commit()
    first = client.get("/api/v1/cases?limit=2", headers=auth).json
    make_objection(session, organization=bank, received_at=now - timedelta(days=10))  # sorts first: already passed
    session.commit()
    second = client.get(first["next"], headers=auth).json

    first_refs = {item["reference"] for item in first["items"]}
    assert not first_refs & {item["reference"] for item in second["items"]}
    assert len(second["items"]) == 2 and second["next"] is None


def test_list_filters_by_status_assignee_breach_and_receipt_day(
    client: FlaskClient, session: Session, bank: Organization, operator: User, auth: dict, now: datetime
) -> None:
    colleague = make_user(session, organization=bank, email="colleague@example-bank.kz")
    overdue = make_objection(session, organization=bank, received_at=now - timedelta(days=6))
    mine = make_objection(
        session, organization=bank, received_at=now - timedelta(hours=2), status="in_review", operator=operator
    )
    theirs = make_objection(
        session, organization=bank, received_at=now - timedelta(days=1), status="in_review", operator=colleague
    )
    late = make_objection(
        session,
        organization=bank,
        received_at=now - timedelta(days=8),
        status="answered",
        answered_after=timedelta(days=5),
    )
    session.commit()

    def refs(query: str) -> set[str]:
        response = client.get(f"/api/v1/cases?{query}", headers=auth)
        assert response.status_code == 200, response.json
        return {item["reference"] for item in response.json["items"]}

    assert refs("status=in_review") == {mine.reference, theirs.reference}
    assert refs("assignee=me") == {mine.reference}
    assert refs("assignee=colleague@example-bank.kz") == {theirs.reference}
    assert refs("assignee=none") == {overdue.reference}
    assert refs("breached=true") == {overdue.reference, late.reference}
    assert refs("breached=false") == {mine.reference, theirs.reference}
    assert refs("received_from=2026-03-15&received_to=2026-03-16") == {mine.reference, theirs.reference}
    assert refs("received_to=2026-03-15T06:00:00%2B00:00") == {overdue.reference, theirs.reference, late.reference}
    items = client.get("/api/v1/cases?breached=true", headers=auth).json["items"]
    assert {item["standing"] for item in items} == {"overdue", "answered_late"}


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("limit=0", 422, "limit"),
        ("limit=101", 422, "limit"),
        ("limit=ten", 422, "limit"),
        ("status=lost", 422, "status"),
        ("breached=maybe", 422, "breached"),
        ("received_from=yesterday", 422, "received_from"),
        ("assignee=stranger@example.kz", 422, "assignee"),
        ("cursor=not-a-cursor", 400, None),
        ("cursor=MjAyNi0wMy0xNlQwNjowMDowMHxub3Bl", 400, None),
    ],
)
def test_bad_list_parameters_are_refused_in_json(
    client: FlaskClient, auth: dict, case: Objection, query: str, status: int, field: str | None
) -> None:
    response = client.get(f"/api/v1/cases?{query}", headers=auth)

    assert response.status_code == status
    assert (set(response.json["errors"]) == {field}) if field else (set(response.json) == {"error"})


# ---- read ---------------------------------------------------------------------------------------------------


def test_a_case_reads_with_its_personal_data_timeline_and_an_etag(
    client: FlaskClient, auth: dict, case: Objection
) -> None:
    response = client.get(f"/api/v1/cases/{case.reference}", headers=auth)

    assert response.status_code == 200
    assert response.headers["ETag"] == f'"v{case.row_version}"'
    body = response.json
    assert body["reference"] == case.reference
    assert body["iin"] == case.iin and body["full_name"] == case.full_name
    assert body["status"] == "received" and body["decision"] is None
    assert [event["kind"] for event in body["events"]] == ["received"]
    assert body["standing"] == "on_time" and body["breached"] is False


# ---- assign -------------------------------------------------------------------------------------------------


def test_assigning_with_null_takes_the_case_for_the_tokens_user(
    client: FlaskClient, session: Session, auth: dict, operator: User, case: Objection
) -> None:
    response = client.post(f"/api/v1/cases/{case.reference}/assign", headers=auth, json={"assignee": None})

    assert response.status_code == 200
    assert response.json["assignee"] == operator.email and response.json["status"] == "in_review"
    assert response.headers["ETag"] == f'"v{reload(session, case).row_version}"'


def test_a_case_is_assigned_to_a_colleague_but_never_to_an_outsider(
    client: FlaskClient, session: Session, bank: Organization, auth: dict, case: Objection
) -> None:
    colleague = make_user(session, organization=bank, email="colleague@example-bank.kz")
    outsider = make_user(session, organization=make_organization(session), email="outsider@other.kz")
    session.commit()

    refused = client.post(f"/api/v1/cases/{case.reference}/assign", headers=auth, json={"assignee": outsider.email})
    assigned = client.post(f"/api/v1/cases/{case.reference}/assign", headers=auth, json={"assignee": colleague.email})

    assert refused.status_code == 422 and set(refused.json["errors"]) == {"assignee"}
    assert assigned.status_code == 200 and assigned.json["assignee"] == colleague.email


# ---- decide -------------------------------------------------------------------------------------------------


def test_a_decision_with_notify_answers_the_subject_in_the_same_step(
    client: FlaskClient, session: Session, auth: dict, operator: User, case: Objection
) -> None:
    etag = client.get(f"/api/v1/cases/{case.reference}", headers=auth).headers["ETag"]

    response = client.post(
        f"/api/v1/cases/{case.reference}/decision",
        headers={**auth, "If-Match": etag},
        json={**DECISION, "notify": True},
    )

    assert response.status_code == 200, response.json
    assert response.json["status"] == "answered"
    assert response.json["decision"]["outcome"] == "rejected"
    assert response.json["answered_at"] is not None
    assert response.headers["ETag"] != etag
    answer = session.scalar(select(Notification).where(Notification.kind == "answer"))
    assert answer.recipient == case.email and answer.objection_id == case.id


def test_a_decision_without_notify_leaves_the_answer_to_be_given(
    client: FlaskClient, auth: dict, case: Objection
) -> None:
    response = client.post(f"/api/v1/cases/{case.reference}/decision", headers=auth, json={**DECISION, "notify": False})
    assert response.status_code == 200
    assert response.json["status"] == "decided" and response.json["answered_at"] is None


def test_a_stale_etag_is_refused_with_412_and_nothing_changes(
    client: FlaskClient, session: Session, auth: dict, case: Objection
) -> None:
    stale = client.get(f"/api/v1/cases/{case.reference}", headers=auth).headers["ETag"]
    client.post(f"/api/v1/cases/{case.reference}/assign", headers=auth, json={})  # a colleague's change meanwhile

    response = client.post(
        f"/api/v1/cases/{case.reference}/decision", headers={**auth, "If-Match": stale}, json=DECISION
    )

    assert response.status_code == 412
    assert set(response.json) == {"error"}
    assert reload(session, case).status == "in_review"


def test_a_decision_the_state_does_not_allow_answers_409(
    client: FlaskClient, session: Session, bank: Organization, operator: User, auth: dict, now: datetime
) -> None:
    answered = make_objection(
        session, organization=bank, received_at=now - timedelta(days=1), status="answered", operator=operator
    )
    session.commit()

    response = client.post(f"/api/v1/cases/{answered.reference}/decision", headers=auth, json=DECISION)

    assert response.status_code == 409
    assert response.json == {"error": "The objection is answered: it cannot decide now."}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"outcome": "rejected", "reasoning": "No."}, {"ground"}),
        ({"outcome": "upheld_processing_stopped", "reasoning": "Stopped."}, {"actions_taken"}),
        ({"outcome": "maybe", "reasoning": "?"}, {"outcome"}),
        ({"outcome": "duplicate", "reasoning": "Filed twice.", "duplicate_of": "OB-2026-999999"}, {"duplicate_of"}),
        ({"ground": "consent_given"}, {"outcome", "reasoning"}),
    ],
)
def test_an_incomplete_decision_answers_422_and_changes_nothing(
    client: FlaskClient, session: Session, auth: dict, case: Objection, body: dict, fields: set
) -> None:
    response = client.post(f"/api/v1/cases/{case.reference}/decision", headers=auth, json=body)

    assert response.status_code == 422
    assert set(response.json["errors"]) == fields
    assert reload(session, case).status == "received"


def test_notifying_a_subject_without_an_email_is_refused_and_the_decision_is_not_kept(
    client: FlaskClient, session: Session, bank: Organization, auth: dict, now: datetime
) -> None:
    paper = make_objection(
        session, organization=bank, received_at=now - timedelta(hours=3), channel="paper", email=None
    )
    session.commit()

    response = client.post(f"/api/v1/cases/{paper.reference}/decision", headers=auth, json=DECISION)

    assert response.status_code == 422
    assert set(response.json["errors"]) == {"notify"}
    assert reload(session, paper).status == "received"


# ---- notified -----------------------------------------------------------------------------------------------


def test_an_offline_notification_answers_a_decided_paper_objection(
    client: FlaskClient, session: Session, bank: Organization, auth: dict, now: datetime
) -> None:
    paper = make_objection(
        session, organization=bank, received_at=now - timedelta(hours=3), channel="paper", email=None
    )
    session.commit()
    client.post(f"/api/v1/cases/{paper.reference}/decision", headers=auth, json={**DECISION, "notify": False})

    response = client.post(
        f"/api/v1/cases/{paper.reference}/notified",
        headers=auth,
        json={"channel": "phone", "at": "2026-03-16T11:00:00+05:00", "by": "Dana, call centre"},
    )

    assert response.status_code == 200, response.json
    assert response.json["status"] == "answered"
    assert response.json["answered_at"] == "2026-03-16T06:00:00+00:00"
    assert response.json["notified_channel"] == "phone" and response.json["notified_by"] == "Dana, call centre"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "pigeon", "at": "2026-03-16T05:00:00+00:00", "by": "Dana"}, "channel"),
        ({"channel": "post", "at": "2026-03-16T05:00:00", "by": "Dana"}, "at"),
        ({"channel": "post", "at": "2026-03-17T05:00:00+00:00", "by": "Dana"}, "at"),
        ({"channel": "post", "at": "0001-01-01T00:00:00+05:00", "by": "Dana"}, "at"),
        ({"channel": "post", "at": "2026-03-16T06:00:00+00:00", "by": " "}, "by"),
        ({"channel": "post", "at": "2026-03-16T05:00:00+00:00", "by": "Dana"}, "at"),
    ],
)
def test_a_bad_offline_notification_answers_422(
    client: FlaskClient, session: Session, auth: dict, case: Objection, body: dict, field: str
) -> None:
    client.post(f"/api/v1/cases/{case.reference}/decision", headers=auth, json={**DECISION, "notify": False})
    response = client.post(f"/api/v1/cases/{case.reference}/notified", headers=auth, json=body)

    assert response.status_code == 422
    assert set(response.json["errors"]) == {field}


def test_recording_a_notification_before_a_decision_answers_409(
    client: FlaskClient, auth: dict, case: Objection
) -> None:
    response = client.post(
        f"/api/v1/cases/{case.reference}/notified",
        headers=auth,
        json={"channel": "post", "at": "2026-03-16T05:30:00+00:00", "by": "Dana"},
    )
    assert response.status_code == 409
