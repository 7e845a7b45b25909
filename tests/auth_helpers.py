"""Signing in through the real flow (password, then a TOTP code) in tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
from flask.testing import FlaskClient
from sqlalchemy.orm import object_session

from objections.models import User
from tests.builders import PASSWORD


def login_as(client: FlaskClient, user: User, *, password: str = PASSWORD, at: datetime | None = None) -> None:
    """Sign `user` in; fails the test if either step is refused. A second sign-in in the same 30 s uses the next
    code, since a used code is refused."""
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.data[:500]
    session = object_session(user)
    if session is not None:
        session.refresh(user)
    totp = pyotp.TOTP(user.totp_secret)
    moment = at or datetime.now(UTC)
    if user.totp_last_counter is not None and totp.timecode(moment) <= user.totp_last_counter:
        moment += timedelta(seconds=30 * (user.totp_last_counter - totp.timecode(moment) + 1))
    response = client.post("/login/code", data={"code": totp.at(moment)})
    assert response.status_code == 302, response.data[:500]
