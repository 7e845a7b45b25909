"""A staff member's account: password change with notice and session renewal; recovery codes."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from objections.models import AuditEvent, Notification, RecoveryCode
from objections.services.passwords import verify_password
from tests.auth_helpers import login_as
from tests.builders import PASSWORD, make_organization, make_user

NEW = "a much better passphrase"


def test_password_change_needs_the_current_password_and_notifies_without_secrets(app, session) -> None:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    client = app.test_client()
    login_as(client, user)
    bad = client.post("/account/password", data={"current_password": "wrong", "new_password": NEW, "confirm": NEW})
    assert bad.status_code == 422
    assert b"This is not your current password." in bad.data
    good = client.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW})
    assert good.status_code == 302
    session.refresh(user)
    assert verify_password(user.password_hash, NEW)
    mail = session.scalars(select(Notification).where(Notification.kind == "credentials_changed")).one()
    assert mail.recipient == user.email
    assert NEW not in mail.body_text and PASSWORD not in mail.body_text
    assert client.get("/account/").status_code == 200  # this session was renewed, not ended


def test_password_change_ends_other_sessions(app, session) -> None:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    other = app.test_client()
    login_as(other, user)
    client = app.test_client()
    login_as(client, user)
    client.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW})
    assert other.get("/account/").status_code == 302


def test_common_and_short_passwords_are_refused(app, session) -> None:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    client = app.test_client()
    login_as(client, user)
    for new, message in (("password1234", b"too common"), ("short-pass", b"at least 12")):
        response = client.post(
            "/account/password", data={"current_password": PASSWORD, "new_password": new, "confirm": new}
        )
        assert response.status_code == 422
        assert message in response.data


def test_a_recovery_code_signs_in_once(app, session) -> None:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    client = app.test_client()
    login_as(client, user)
    page = client.post("/account/recovery-codes")
    codes = re.findall(r"<code>([0-9-]+)</code>", page.data.decode())
    assert len(codes) == 10
    stored = session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert all(code.replace("-", "") not in h for h in stored for code in codes)
    fresh = app.test_client()
    fresh.post("/login", data={"email": user.email, "password": PASSWORD})
    assert fresh.post("/login/code", data={"code": codes[0]}).status_code == 302
    again = app.test_client()
    again.post("/login", data={"email": user.email, "password": PASSWORD})
    assert again.post("/login/code", data={"code": codes[0]}).status_code == 200
    kinds = set(session.scalars(select(AuditEvent.kind)))
    assert {"recovery_codes_generated", "recovery_code_used"} <= kinds


def test_argon2id_hashes_with_the_required_parameters_and_distinct_salts(session) -> None:
    organization = make_organization(session)
    first = make_user(session, organization=organization)
    second = make_user(session, organization=organization)
    assert first.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert first.password_hash != second.password_hash
    assert PASSWORD not in first.password_hash
    assert datetime.now(UTC)  # the clock is untouched by hashing


def test_an_operator_creates_a_token_that_works_on_the_api_and_revokes_it(app, session) -> None:
    organization = make_organization(session)
    user = make_user(session, organization=organization)
    session.commit()
    client = app.test_client()
    login_as(client, user)
    page = client.post("/account/tokens", data={"name": "call centre"})
    assert page.status_code == 200
    assert "<title>Your account — " in page.data.decode()
    token = re.search(r'<code class="token">([^<]+)</code>', page.data.decode()).group(1)
    api = app.test_client()
    assert api.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    from objections.models import ApiToken

    token_id = session.scalars(select(ApiToken.id).where(ApiToken.user_id == user.id)).one()
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    assert api.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_supervisor_cannot_create_api_tokens(app, session) -> None:
    user = make_user(session, role="supervisor")
    session.commit()
    client = app.test_client()
    login_as(client, user)
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 403
    assert b"API tokens" not in client.get("/account/").data


@pytest.mark.parametrize(
    "guessable",
    ["kazakhstan2026", "qwertyuiop1234", "aaaaaaaaaaaaaaaa", "19901990zhanna", "ZhanarBekova1990", "zhanar.bekova2026"],
)
def test_easily_guessed_passwords_and_ones_made_of_the_own_email_are_refused(app, session, guessable: str) -> None:
    user = make_user(session, organization=make_organization(session), email="zhanar.bekova@dala-bank.example.kz")
    session.commit()
    client = app.test_client()
    login_as(client, user)
    new = guessable
    response = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": new, "confirm": new}
    )
    assert response.status_code == 422
    assert b"easy to guess" in response.data
    accepted = "Zhanar walks 7 ferries past cobalt dunes"
    response = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": accepted, "confirm": accepted}
    )
    assert response.status_code == 302


def _invite(session, email: str, *, at: datetime):  # type: ignore[no-untyped-def]
    """An operator invited by an administrator at `at`: the account and its one-time password."""
    from objections.services import staff

    organization = make_organization(session)
    admin = make_user(session, role="admin")
    return staff.invite_staff(
        session,
        actor=admin,
        email=email,
        role="operator",
        organization_slug=organization.slug,
        full_name="",
        language="en",
        now=at,
    )


def test_an_invited_member_must_choose_an_own_password_before_anything_else(app, session) -> None:
    """ASVS 2.3.1: the one-time password an administrator was shown never becomes the account's password."""
    invited, one_time = _invite(session, "new@org.example.kz", at=datetime.now(UTC))
    invited.totp_confirmed = True  # enrolment has its own tests: here the password is the point
    session.commit()
    client = app.test_client()
    login_as(client, invited, password=one_time)
    for page in ("/cases/", "/cases/search", "/account/tokens"):
        response = client.post(page) if page != "/cases/" else client.get(page)
        assert (response.status_code, response.headers["Location"]) == (302, "/account/"), page
    account_page = client.get("/account/").get_data(as_text=True)
    assert "Choose your own password" in account_page and "One-time password" in account_page
    assert "Recovery codes" not in account_page and "API tokens" not in account_page
    same = client.post(
        "/account/password", data={"current_password": one_time, "new_password": one_time, "confirm": one_time}
    )
    assert same.status_code == 422 and b"Choose a password other than the current one." in same.data
    chosen = client.post("/account/password", data={"current_password": one_time, "new_password": NEW, "confirm": NEW})
    assert chosen.status_code == 302
    session.refresh(invited)
    assert not invited.password_change_required and verify_password(invited.password_hash, NEW)
    assert client.get("/cases/").status_code == 200
    assert "Change your password" in client.get("/account/").get_data(as_text=True)


def test_accounts_made_on_the_command_line_or_in_demo_data_need_no_change(app, session) -> None:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    client = app.test_client()
    login_as(client, user)
    assert client.get("/cases/").status_code == 200


def test_an_expired_one_time_password_is_refused_with_what_to_do(app, session) -> None:
    invited, one_time = _invite(session, "late@org.example.kz", at=datetime.now(UTC) - timedelta(days=8))
    session.commit()
    response = app.test_client().post("/login", data={"email": invited.email, "password": one_time})
    assert response.status_code == 401
    assert b"This one-time password has expired. Ask your administrator" in response.data


def test_a_new_one_time_password_stops_the_accounts_api_tokens_and_the_api_until_it_is_replaced(app, session) -> None:
    from objections.services import api_tokens, staff

    organization = make_organization(session)
    user = make_user(session, organization=organization)
    admin = make_user(session, role="admin")
    old_token = api_tokens.issue_token(session, user=user, name="call centre", now=datetime.now(UTC))
    session.commit()
    api = app.test_client()
    assert api.get("/api/v1/cases", headers={"Authorization": f"Bearer {old_token}"}).status_code == 200
    staff.issue_one_time_password(session, actor=admin, user_id=user.id, now=datetime.now(UTC))
    session.commit()
    assert api.get("/api/v1/cases", headers={"Authorization": f"Bearer {old_token}"}).status_code == 401
    fresh = api_tokens.issue_token(session, user=user, name="made before the change", now=datetime.now(UTC))
    session.commit()
    refused = api.get("/api/v1/cases", headers={"Authorization": f"Bearer {fresh}"})
    assert refused.status_code == 403 and "one-time password" in refused.get_json()["error"]


def test_an_expired_one_time_password_cannot_be_changed_from_a_session_opened_in_time(app, session) -> None:
    invited, one_time = _invite(session, "slow@org.example.kz", at=datetime.now(UTC))
    invited.totp_confirmed = True
    session.commit()
    client = app.test_client()
    login_as(client, invited, password=one_time)
    invited.password_set_at = datetime.now(UTC) - timedelta(days=8)
    session.commit()
    late = client.post("/account/password", data={"current_password": one_time, "new_password": NEW, "confirm": NEW})
    assert late.status_code == 422 and b"This one-time password has expired." in late.data
