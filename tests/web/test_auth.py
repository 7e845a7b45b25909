"""Staff sign-in: password then TOTP, one generic message, replay refused, lockout, sign-out ends the session."""

from datetime import UTC, datetime

import pyotp
import time_machine

from objections.models import AuditEvent
from tests.auth_helpers import login_as
from tests.builders import PASSWORD, make_organization, make_user


def test_password_alone_does_not_sign_in(client, session) -> None:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/login/code")
    with client.session_transaction() as cookie_session:
        assert "_user_id" not in cookie_session


def test_wrong_password_and_unknown_account_get_the_same_message(client, session) -> None:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    wrong = client.post("/login", data={"email": user.email, "password": "not-the-password"})
    unknown = client.post("/login", data={"email": "nobody@example.kz", "password": "not-the-password"})
    assert wrong.status_code == unknown.status_code == 401
    message = b"The e-mail or password is wrong"
    assert message in wrong.data and message in unknown.data


def test_totp_code_signs_in_and_a_replayed_code_is_refused(app, session) -> None:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    with time_machine.travel(datetime(2026, 3, 16, 6, 0, 5, tzinfo=UTC), tick=False):
        first = app.test_client()
        login_as(first, user)
        second = app.test_client()
        second.post("/login", data={"email": user.email, "password": PASSWORD})
        code = pyotp.TOTP(user.totp_secret).now()
        response = second.post("/login/code", data={"code": code})
        assert response.status_code == 200
        assert b"used already" in response.data
    kinds = [e.kind for e in session.query(AuditEvent).all()]
    assert "totp_replayed" in kinds


def test_ten_failures_lock_the_account_even_for_the_right_password(client, session) -> None:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    start = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(10):
            client.post("/login", data={"email": user.email, "password": "wrong-password-123"})
            traveller.shift(60)
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 401
        traveller.shift(16 * 60)
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
    kinds = [e.kind for e in session.query(AuditEvent).all()]
    assert "account_locked" in kinds


def test_sign_out_ends_the_session_even_for_a_copied_cookie(app, session) -> None:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    client = app.test_client()
    login_as(client, user)
    assert user.email.encode() in client.get("/").data
    with client.session_transaction() as cookie_session:
        copied = dict(cookie_session)
    client.post("/logout")
    thief = app.test_client()
    with thief.session_transaction() as cookie_session:
        cookie_session.update(copied)
    response = thief.get("/")
    assert response.status_code == 200
    assert user.email.encode() not in response.data  # the nav names the signed-in user; here nobody is


def test_login_renews_the_session(client, session) -> None:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    with client.session_transaction() as cookie_session:
        cookie_session["planted"] = "x"
    login_as(client, user)
    with client.session_transaction() as cookie_session:
        assert "planted" not in cookie_session
