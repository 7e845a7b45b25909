"""ASVS 8.3.5: every reading of a case by staff, a supervisor or a connected system is logged on the case's own
hash chain (who, when, how; never the content), and organisation admins and supervisors can read that log."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from objections.models import ObjectionEvent
from objections.services.access_log import VIEWED
from objections.services.api_tokens import issue_token
from objections.services.audit_verify import verify_all
from tests.auth_helpers import login_as
from tests.builders import VALID_IINS, make_objection, make_organization, make_user


@pytest.fixture
def clock(now):
    with time_machine.travel(now, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(session, now, clock):
    bank = make_organization(session)
    case = make_objection(session, organization=bank, received_at=now, iin=VALID_IINS[2])
    people = {
        "operator": make_user(session, organization=bank, email="reader@bank.example.kz"),
        "org_admin": make_user(session, role="org_admin", organization=bank, email="boss@bank.example.kz"),
        "supervisor": make_user(session, role="supervisor", email="watch@authority.example.kz"),
    }
    session.commit()
    return {"case": case, **people}


def client_of(app, user, now):
    client = app.test_client()
    login_as(client, user, at=now)
    return client


def viewed(session, case) -> list[ObjectionEvent]:
    session.expire_all()
    return list(
        session.scalars(
            select(ObjectionEvent)
            .where(ObjectionEvent.objection_id == case.id, ObjectionEvent.kind == VIEWED)
            .order_by(ObjectionEvent.seq)
        )
    )


def test_opening_a_case_logs_who_read_it_once_per_reading_without_its_content(app, session, world, now, clock):
    reader = client_of(app, world["operator"], now)
    assert reader.get(f"/cases/{world['case'].reference}").status_code == 200
    clock.shift(timedelta(minutes=5))
    reader.get(f"/cases/{world['case'].reference}")  # a reload: the same reading
    [entry] = viewed(session, world["case"])
    assert entry.actor_id == world["operator"].id and entry.actor_kind == "staff"
    assert entry.payload == {"via": "web", "role": "operator", "organization_id": world["operator"].organization_id}
    assert VALID_IINS[2] not in repr(entry.payload) and world["case"].full_name not in repr(entry.payload)

    clock.shift(timedelta(minutes=11))
    reader.get(f"/cases/{world['case'].reference}")
    assert len(viewed(session, world["case"])) == 2
    assert verify_all(session).ok


def test_the_timeline_stays_the_cases_history_and_the_readings_are_shown_apart(app, session, world, now):
    client_of(app, world["operator"], now).get(f"/cases/{world['case'].reference}")
    operator_page = client_of(app, world["operator"], now).get(f"/cases/{world['case'].reference}")
    assert "Who opened this case" not in operator_page.get_data(as_text=True)  # operators see no access log

    admin_page = client_of(app, world["org_admin"], now).get(f"/cases/{world['case'].reference}").get_data(as_text=True)
    log = admin_page[admin_page.index("Who opened this case") :]
    assert world["operator"].full_name in log and world["org_admin"].full_name in log
    timeline = admin_page[admin_page.index('id="timeline-h"') : admin_page.index("Who opened this case")]
    assert "viewed" not in timeline.lower()


def test_supervisors_readings_are_logged_and_they_see_the_log(app, session, world, now):
    client_of(app, world["operator"], now).get(f"/cases/{world['case'].reference}")
    page = client_of(app, world["supervisor"], now).get(f"/supervisor/cases/{world['case'].reference}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert world["operator"].full_name in text[text.index("Who opened this case") :]
    vias = [event.payload["via"] for event in viewed(session, world["case"])]
    assert vias == ["web", "supervisor"]


def test_a_reading_through_the_api_is_logged_and_not_part_of_the_returned_timeline(app, session, world, now):
    token = issue_token(session, user=world["operator"], name="call centre", now=now)
    session.commit()
    response = app.test_client().get(
        f"/api/v1/cases/{world['case'].reference}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert VIEWED not in [event["kind"] for event in response.get_json()["events"]]
    assert "received" in [event["kind"] for event in response.get_json()["events"]]
    [entry] = viewed(session, world["case"])
    assert entry.actor_kind == "api" and entry.payload["via"] == "api"


def test_the_decision_page_is_a_reading_too(app, session, world, now):
    reader = client_of(app, world["operator"], now)
    assert reader.get(f"/cases/{world['case'].reference}/decision").status_code == 200
    [entry] = viewed(session, world["case"])
    assert entry.actor_id == world["operator"].id and entry.payload["via"] == "web"
