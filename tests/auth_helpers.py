"""Signing in through the real flow (password, then a TOTP code) in tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
from flask.testing import FlaskClient

from objections.models import User
from tests.builders import PASSWORD


def login_as(client: FlaskClient, user: User, *, password: str = PASSWORD, at: datetime | None = None) -> None:
    """Sign `user` in; fails the test if either step is refused."""
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.data[:500]
    code = pyotp.TOTP(user.totp_secret).at(at or datetime.now(UTC))
    response = client.post("/login/code", data={"code": code})
    assert response.status_code == 302, response.data[:500]
