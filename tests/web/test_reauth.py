"""Sensitive actions need a recent password (ASVS 3.7.1): recovery codes, API tokens, staff changes, exports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from sqlalchemy import func, select

from objections.models import ApiToken, AuditEvent, RecoveryCode, User
from tests.auth_helpers import login_as
from tests.builders import PASSWORD, make_organization, make_user

START = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def signed_in(app, user, clock):
    client = app.test_client()
    login_as(client, user, at=START)
    return client


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_right_after_sign_in_a_sensitive_action_needs_no_second_password(app, session, clock) -> None:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    client = signed_in(app, user, clock)
    clock.shift(timedelta(minutes=14))
    response = client.post("/account/recovery-codes")
    assert response.status_code == 200
    assert count(session, RecoveryCode) == 10


def test_after_fifteen_minutes_new_recovery_codes_wait_for_the_password(app, session, clock) -> None:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    client = signed_in(app, user, clock)
    clock.shift(timedelta(minutes=16))
    client.get("/account/")

    refused = client.post("/account/recovery-codes", headers={"Referer": "http://localhost/account/"})
    assert refused.status_code == 303
    location = urlsplit(refused.headers["Location"])
    assert location.path == "/login/confirm" and parse_qs(location.query)["next"] == ["/account/"]
    assert count(session, RecoveryCode) == 0
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "confirm your password, then repeat the action" in page

    wrong = client.post("/login/confirm", data={"password": "not-my-password", "next": "/account/"})
    assert wrong.status_code == 401
    session.expire_all()
    assert session.get(User, user.id).failed_logins == 1

    right = client.post("/login/confirm", data={"password": PASSWORD, "next": "/account/"})
    assert right.status_code == 303 and right.headers["Location"] == "/account/"
    session.expire_all()
    assert session.get(User, user.id).failed_logins == 0
    assert client.post("/account/recovery-codes").status_code == 200
    assert count(session, RecoveryCode) == 10
    kinds = session.scalars(select(AuditEvent.kind).where(AuditEvent.actor_id == user.id)).all()
    assert "reauth_failed" in kinds and "reauth" in kinds


def test_an_api_token_and_a_supervisor_export_also_wait_for_the_password(app, session, clock) -> None:
    operator = make_user(session, organization=make_organization(session))
    supervisor = make_user(session, role="supervisor")
    session.commit()
    operator_client = signed_in(app, operator, clock)
    supervisor_client = signed_in(app, supervisor, clock)
    clock.shift(timedelta(minutes=20))

    assert operator_client.post("/account/tokens", data={"name": "Call centre"}).status_code == 303
    assert count(session, ApiToken) == 0
    export = supervisor_client.get("/supervisor/exports/breaches.csv?period=30")
    assert export.status_code == 303
    assert parse_qs(urlsplit(export.headers["Location"]).query)["next"] == [
        "/supervisor/exports/breaches.csv?period=30"
    ]

    supervisor_client.post("/login/confirm", data={"password": PASSWORD, "next": "/supervisor/"})
    assert supervisor_client.get("/supervisor/exports/breaches.csv?period=30").status_code == 200


def test_staff_changes_by_administrators_and_organisation_admins_wait_for_the_password(app, session, clock) -> None:
    organization = make_organization(session)
    admin = make_user(session, role="admin")
    org_admin = make_user(session, role="org_admin", organization=organization)
    colleague = make_user(session, organization=organization)
    session.commit()
    admin_client = signed_in(app, admin, clock)
    org_admin_client = signed_in(app, org_admin, clock)
    clock.shift(timedelta(minutes=30))

    assert admin_client.post(f"/admin/users/{colleague.id}/deactivate").status_code == 303
    assert (
        org_admin_client.post("/cases/team/actions", data={"user_id": colleague.id, "action": "deactivate"}).status_code
        == 303
    )
    session.expire_all()
    assert session.get(User, colleague.id).active is True
    assert admin_client.get("/admin/users").status_code == 200  # looking needs no password


def test_the_confirmation_never_sends_anyone_off_the_site(app, session, clock) -> None:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    client = signed_in(app, user, clock)
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        response = client.post("/login/confirm", data={"password": PASSWORD, "next": target})
        assert response.status_code == 303
        assert urlsplit(response.headers["Location"]).netloc in ("", "localhost")
        assert response.headers["Location"] == "/account/"


def test_signed_out_visitors_meet_the_sign_in_page_not_the_confirmation(app) -> None:
    response = app.test_client().get("/login/confirm")
    assert response.status_code == 302 and "/login?" in response.headers["Location"]
