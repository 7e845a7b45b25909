"""Registering paper and phone objections from the workspace, and the organisation admin's answer templates."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from objections.domain.deadlines import format_deadline
from objections.models import AnswerTemplate, Notification, Objection
from objections.services.deadlines import compute_deadline
from tests.auth_helpers import login_as
from tests.builders import VALID_IINS, make_notice, make_organization, make_user


@pytest.fixture
def clock(now):
    with time_machine.travel(now, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(session, clock):
    organization = make_organization(session)
    make_notice(session, organization, slug="scoring")
    operator = make_user(session, organization=organization)
    admin = make_user(session, role="org_admin", organization=organization)
    session.commit()
    return {"org": organization, "operator": operator, "admin": admin}


def signed_in(app, user):
    client = app.test_client()
    client.set_cookie("lang", "en")
    login_as(client, user)
    return client


def paper_form(client, **values) -> dict:
    page = client.get("/cases/new").get_data(as_text=True)
    key = re.search(r'name="form_key" type="hidden" value="([^"]+)"', page).group(1)
    return {
        "channel": "phone",
        "received_at": "2026-03-14T11:00",
        "notice": "scoring",
        "full_name": "Gulnar Serikkyzy",
        "iin": VALID_IINS[0],
        "phone": "+7 701 123 45 67",
        "language": "kk",
        "grounds": "The premium was raised automatically.",
        "remedies": ["human_review", "explanation"],
        "consent": "y",
        "form_key": key,
        **values,
    }


def test_the_form_starts_at_the_current_local_minute(app, world) -> None:
    page = signed_in(app, world["operator"]).get("/cases/new").get_data(as_text=True)
    assert 'value="2026-03-16T11:00"' in page  # 06:00 UTC is 11:00 in Astana


def test_a_phone_objection_stamped_two_days_ago_runs_its_deadline_from_that_moment(app, session, now, world) -> None:
    client = signed_in(app, world["operator"])
    response = client.post("/cases/new", data=paper_form(client))
    assert response.status_code == 303
    objection = session.scalar(select(Objection).where(Objection.full_name == "Gulnar Serikkyzy"))
    stamped = now - timedelta(days=2)  # 14 March, 11:00 in Astana
    expected = compute_deadline(session, stamped, "calendar_days")
    assert (objection.received_at, objection.deadline_at, objection.channel, objection.email) == (
        stamped,
        expected.deadline_at,
        "phone",
        None,
    )
    receipt = html_lib.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert objection.reference in receipt
    assert re.search(r'<strong class="code">[A-Z2-7]{4}(-[A-Z2-7]{4}){4}</strong>', receipt)
    assert format_deadline(expected.last_day, "en") in receipt
    assert session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "receipt")) == 0


@pytest.mark.parametrize(
    ("stamp", "message"),
    [
        ("2026-03-16T11:01", "This cannot be in the future."),
        ("2026-02-14T10:59", "This cannot be more than 30 days ago."),
    ],
)
def test_a_stamp_in_the_future_or_too_far_back_is_refused_beside_the_field(app, session, world, stamp, message) -> None:
    client = signed_in(app, world["operator"])
    response = client.post("/cases/new", data=paper_form(client, received_at=stamp))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="error-message" id="received_at-error">{message}' in page
    assert "Gulnar Serikkyzy" in page  # what was typed is kept
    assert session.scalar(select(func.count()).select_from(Objection)) == 0


def test_the_citizen_forms_rules_apply_and_email_is_optional(app, session, world) -> None:
    client = signed_in(app, world["operator"])
    response = client.post("/cases/new", data=paper_form(client, iin="123456789012", grounds="", email="not-an-email"))
    page = html_lib.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "This IIN is not valid: please check the digits." in page
    assert "Enter an e-mail address like name@example.kz." in page
    assert session.scalar(select(func.count()).select_from(Objection)) == 0


def test_the_paper_form_sent_twice_registers_one_objection(app, session, world) -> None:
    client = signed_in(app, world["operator"])
    data = paper_form(client)
    first = client.post("/cases/new", data=data)
    second = client.post("/cases/new", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert session.scalar(select(func.count()).select_from(Objection)) == 1


def test_an_organisation_admin_keeps_answer_templates_that_operators_use(app, session, world) -> None:
    admin = signed_in(app, world["admin"])
    created = admin.post(
        "/cases/templates",
        data={
            "title": "Consent on file",
            "notice_slug": "scoring",
            "outcome": "rejected",
            "language": "en",
            "reasoning": "You consented when you applied.",
        },
    )
    assert created.status_code == 303
    template = session.scalar(select(AnswerTemplate))
    assert (template.organization_id, template.notice_slug) == (world["org"].id, "scoring")
    refused = admin.post("/cases/templates", data={"title": "", "outcome": "maybe", "language": "en", "reasoning": ""})
    assert refused.status_code == 422
    editing = admin.get(f"/cases/templates/{template.id}").get_data(as_text=True)
    assert 'value="Consent on file"' in editing and '<option selected value="scoring">' in editing
    edited = admin.post(
        f"/cases/templates/{template.id}",
        data={
            "title": "Consent given",
            "notice_slug": "",
            "outcome": "rejected",
            "language": "ru",
            "reasoning": "Вы дали согласие.",
        },
    )
    assert edited.status_code == 303
    session.expire_all()
    assert (template.title, template.notice_slug, template.language) == ("Consent given", None, "ru")
    assert "Consent given" in admin.get("/cases/templates").get_data(as_text=True)
    assert admin.post(f"/cases/templates/{template.id}/delete").status_code == 303
    assert session.scalar(select(func.count()).select_from(AnswerTemplate)) == 0
