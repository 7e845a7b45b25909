"""Sign-in works with CSRF protection on, as in production."""

import re
from datetime import UTC, datetime

import pyotp
import pytest

from tests.builders import PASSWORD, make_organization, make_user


@pytest.fixture
def config_overrides() -> dict:
    return {"WTF_CSRF_ENABLED": True}


def _token(html: bytes) -> str:
    return re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1).decode()


def test_sign_in_with_csrf_on(client, session) -> None:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    page = client.get("/login")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": _token(page.data)})
    assert response.status_code == 302
    page = client.get("/login/code")
    code = pyotp.TOTP(user.totp_secret).at(datetime.now(UTC))
    response = client.post("/login/code", data={"code": code, "csrf_token": _token(page.data)})
    assert response.status_code == 302, response.data[:300]


def test_sign_in_without_a_csrf_token_is_refused(client, session) -> None:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code in (200, 400)
    with client.session_transaction() as cookie_session:
        assert "pending_user" not in cookie_session
