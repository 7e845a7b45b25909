"""Organisation admins manage their own organisation's operators at /cases/team, and nobody else's."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from objections.models import AuditEvent, User
from tests.auth_helpers import login_as
from tests.builders import make_organization, make_user


def _act(client, user_id: int, action: str, **extra: str):  # type: ignore[no-untyped-def]
    """Press one row's button on the team page, and confirm when asked."""
    data = {"user_id": user_id, "action": action, "confirmed": "yes", **extra}
    return client.post("/cases/team/actions", data=data)


@pytest.fixture
def world(app, session):  # type: ignore[no-untyped-def]
    home = make_organization(session, slug="home")
    other = make_organization(session, slug="other")
    people = {
        "admin": make_user(session, role="org_admin", organization=home),
        "colleague": make_user(session, organization=home),
        "stranger": make_user(session, organization=other),
        "supervisor": make_user(session, role="supervisor"),
        "home": home,
        "other": other,
    }
    people["colleague"].full_name = "Aliya Colleague"
    session.commit()
    client = app.test_client()
    login_as(client, people["admin"])
    people["client"] = client
    return people


def test_the_team_page_lists_the_own_organisations_staff_only(world) -> None:
    page = world["client"].get("/cases/team").get_data(as_text=True)
    assert "Aliya Colleague" in page and world["colleague"].email in page
    assert world["stranger"].email not in page and world["supervisor"].email not in page
    assert "Never" in page  # the colleague has not signed in yet
    assert 'href="/cases/team"' in page  # the navigation link


def test_an_operator_who_is_not_an_organisation_admin_is_refused(app, world) -> None:
    operator = app.test_client()
    login_as(operator, world["colleague"])
    assert operator.get("/cases/team").status_code == 403
    assert _act(operator, world["admin"].id, "deactivate").status_code == 403
    assert 'href="/cases/team"' not in operator.get("/cases/").get_data(as_text=True)


def test_an_invited_colleague_joins_the_own_organisation_with_a_one_time_password(app, session, world) -> None:
    page = world["client"].post(
        "/cases/team",
        data={
            "email": "new@home.kz",
            "full_name": "New",
            "role": "operator",
            "language": "ru",
            "organization": "other",
        },
    )
    assert page.status_code == 200
    password = re.search(r'<code class="token">([^<]+)</code>', page.get_data(as_text=True)).group(1)
    user = session.scalars(select(User).where(User.email == "new@home.kz")).one()
    assert user.organization_id == world["home"].id and user.role == "operator"
    newcomer = app.test_client()
    assert newcomer.post("/login", data={"email": "new@home.kz", "password": password}).status_code == 302
    assert "user_created" in set(session.scalars(select(AuditEvent.kind)))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address", "role": "operator", "language": "en"}, "Enter an e-mail address like"),
        ({"email": "x@home.kz", "role": "supervisor", "language": "en"}, "Choose one of the options offered."),
        ({"email": "x@home.kz", "role": "operator", "language": "en", "full_name": "n" * 201}, "This is too long."),
    ],
)
def test_a_bad_invitation_is_answered_with_field_errors_and_creates_nobody(session, world, data, message) -> None:
    response = world["client"].post("/cases/team", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert session.scalar(select(User).where(User.email == data["email"])) is None


def test_an_address_already_in_use_is_refused(world) -> None:
    data = {"email": world["stranger"].email, "role": "operator", "language": "en"}
    response = world["client"].post("/cases/team", data=data)
    assert response.status_code == 422 and "This is already in use." in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["stranger", "supervisor"])
@pytest.mark.parametrize("action", ["deactivate", "reset_second_factor"])
def test_another_organisations_user_or_a_supervisor_cannot_be_touched(session, world, target, action) -> None:
    user = world[target]
    secret = user.totp_secret
    assert _act(world["client"], user.id, action).status_code == 404
    session.refresh(user)
    assert user.active and user.totp_secret == secret


def test_deactivating_a_colleague_ends_their_session_and_reactivating_lets_them_back(app, session, world) -> None:
    colleague = app.test_client()
    login_as(colleague, world["colleague"])
    assert colleague.get("/cases/").status_code == 200
    response = _act(world["client"], world["colleague"].id, "deactivate")
    assert response.status_code == 303
    assert colleague.get("/cases/").status_code == 302
    assert "is deactivated and signed out everywhere" in world["client"].get("/cases/team").get_data(as_text=True)
    _act(world["client"], world["colleague"].id, "activate")
    session.refresh(world["colleague"])
    assert world["colleague"].active
    kinds = set(session.scalars(select(AuditEvent.kind)))
    assert {"user_deactivated", "sessions_ended", "user_activated"} <= kinds


@pytest.mark.parametrize(
    ("action", "question"), [("deactivate", "Deactivate {email}?"), ("reset_second_factor", "Reset the second factor")]
)
def test_a_team_action_asks_first_and_changes_nothing_until_confirmed(session, world, action, question) -> None:
    colleague = world["colleague"]
    secret = colleague.totp_secret
    response = _act(world["client"], colleague.id, action, confirmed="")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and question.format(email=colleague.email) in page
    assert f'name="user_id" value="{colleague.id}"' in page and f'name="action" value="{action}"' in page
    assert 'href="/cases/team"' in page  # the way back
    assert "They are the last person" not in page  # the organisation admin can still answer
    session.refresh(colleague)
    assert colleague.active and colleague.totp_secret == secret
    assert _act(world["client"], 10**9, action, confirmed="").status_code == 404  # nobody to ask about


def test_an_organisation_admin_cannot_deactivate_themselves(session, world) -> None:
    response = _act(world["client"], world["admin"].id, "deactivate")
    assert response.status_code == 303
    page = world["client"].get("/cases/team").get_data(as_text=True)
    assert "You cannot deactivate your own account." in page
    session.refresh(world["admin"])
    assert world["admin"].active


def test_resetting_a_colleagues_second_factor_makes_them_enrol_again(session, world) -> None:
    colleague = world["colleague"]
    old = colleague.totp_secret
    assert _act(world["client"], colleague.id, "reset_second_factor").status_code == 303
    session.refresh(colleague)
    assert colleague.totp_secret != old and not colleague.totp_confirmed


@pytest.mark.parametrize(
    "data",
    [
        {"user_id": "x", "action": "deactivate"},
        {"action": "deactivate"},
        {"user_id": "1", "action": "promote"},
        {"user_id": "9" * 30, "action": "activate"},
    ],
)
def test_a_tampered_action_is_refused_without_a_server_error(world, data) -> None:
    assert world["client"].post("/cases/team/actions", data=data).status_code == 400


def test_team_actions_need_the_forms_token(app, session, world) -> None:
    app.config["WTF_CSRF_ENABLED"] = True  # signed in; from here on every POST must carry the token
    client = world["client"]
    assert _act(client, world["colleague"].id, "deactivate").status_code == 400
    session.refresh(world["colleague"])
    assert world["colleague"].active
    page = client.get("/cases/team").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert _act(client, world["colleague"].id, "deactivate", csrf_token=token).status_code == 303
    session.refresh(world["colleague"])
    assert not world["colleague"].active


def test_a_name_with_control_characters_is_refused_beside_its_field(app, session, world) -> None:
    page = world["client"].post(
        "/cases/team",
        data={"email": "nul@home.kz", "full_name": "Ne\x00w\nline", "role": "operator", "language": "ru"},
    )
    assert page.status_code == 422
    assert "Remove the invisible control characters" in page.get_data(as_text=True)
    assert session.scalars(select(User).where(User.email == "nul@home.kz")).first() is None


def test_a_member_who_forgot_the_password_gets_a_one_time_password_from_the_team_page(app, session, world) -> None:
    colleague = world["colleague"]
    asked = _act(world["client"], colleague.id, "new_password", confirmed="").get_data(as_text=True)
    assert f"Give {colleague.email} a new one-time password?" in asked and "never by e-mail" in asked
    page = _act(world["client"], colleague.id, "new_password")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"A new one-time password for {colleague.email}" in text
    password = re.search(r'<code class="token">([^<]+)</code>', text).group(1)
    session.refresh(colleague)
    assert colleague.password_change_required
    returning = app.test_client()
    login_as(returning, colleague, password=password)
    assert returning.get("/cases/").headers["Location"] == "/account/"  # chooses their own first
    assert _act(world["client"], world["stranger"].id, "new_password").status_code == 404
