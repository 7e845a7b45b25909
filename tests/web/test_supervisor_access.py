"""Only supervisors and administrators get into the supervisor pages."""

from __future__ import annotations

import pytest
import time_machine

from tests.auth_helpers import login_as
from tests.builders import make_compliance_dataset, make_organization, make_user

PATHS = (
    "/supervisor/",
    "/supervisor/organizations",
    "/supervisor/breaches",
    "/supervisor/exports/breaches.csv",
    "/supervisor/exports/organizations.xlsx",
)


@pytest.mark.parametrize("path", PATHS)
def test_anonymous_visitor_is_sent_to_sign_in(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["operator", "org_admin"])
def test_organisation_staff_are_refused(client, session, role) -> None:
    organization = make_organization(session)
    user = make_user(session, role=role, organization=organization)
    session.commit()
    login_as(client, user)
    for path in PATHS:
        assert client.get(path).status_code == 403, path


def test_operator_cannot_open_a_case_through_the_supervisor_pages(client, session, now) -> None:
    with time_machine.travel(now, tick=False):
        objection = make_compliance_dataset(session, now)["objections"]["alpha_late_10h"]
        operator = make_user(session, organization=objection.organization)
        session.commit()
        login_as(client, operator)
        assert client.get(f"/supervisor/cases/{objection.reference}").status_code == 403


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_administrators_get_in(client, session, role) -> None:
    user = make_user(session, role=role)
    session.commit()
    login_as(client, user)
    for path in PATHS:
        assert client.get(path).status_code == 200, path


def test_the_sign_in_page_brings_the_supervisor_back(client, session) -> None:
    response = client.get("/supervisor/breaches")
    assert "next=" in response.headers["Location"]
