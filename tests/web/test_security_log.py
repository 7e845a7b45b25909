"""Checklist 29 and 30: each security event is one structured JSON line (UTC time, user, organisation, address,
route, outcome, request id) with no secret or personal data in it, and no text can forge a second line."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pyotp
import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from objections import create_app
from objections.extensions import db
from objections.models import Objection, User
from objections.security_log import SECURITY_LOGGER, installed_handler, security_event
from objections.services.api_tokens import issue_token
from objections.services.audit_verify import verify_all, write_anchor
from objections.services.retention import anonymise_expired
from tests.auth_helpers import login_as
from tests.builders import PASSWORD, VALID_IINS, make_objection, make_organization, make_user
from tests.conftest import app_config
from tests.postgres import libpq_url

REQUIRED_KEYS = {"time", "event", "outcome", "user_id", "org", "ip", "route", "request_id"}
UTC_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
INJECTION = "\n2026-01-01 INFO admin logged in"
START = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)


def events(caplog: pytest.LogCaptureFixture, name: str | None = None) -> list[dict[str, Any]]:
    """The security events captured so far (optionally only those named `name`), parsed from their messages."""
    found = [json.loads(r.getMessage()) for r in caplog.records if r.name == SECURITY_LOGGER]
    return [e for e in found if name is None or e["event"] == name]


def the_one(caplog: pytest.LogCaptureFixture, name: str) -> dict[str, Any]:
    matching = events(caplog, name)
    assert len(matching) == 1, [e["event"] for e in events(caplog)]
    record = matching[0]
    assert set(record) >= REQUIRED_KEYS, record
    assert UTC_TIME.fullmatch(record["time"]), record["time"]
    return record


def written_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every captured record as the installed stderr handler writes it."""
    handler = installed_handler()
    assert handler is not None
    return [handler.format(record) for record in caplog.records if record.name.startswith("objections")]


def assert_never_logged(caplog: pytest.LogCaptureFixture, *secrets: str) -> None:
    text = caplog.text + "\n".join(written_lines(caplog))
    for secret in secrets:
        assert secret not in text, secret


def operator(session: Session) -> User:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    return user


def test_a_wrong_password_and_an_unknown_email_each_log_one_failure_that_the_client_cannot_tell_apart(
    client: FlaskClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    user = operator(session)
    caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
    wrong = client.post("/login", data={"email": user.email, "password": "wrong-password-123"})
    first = the_one(caplog, "login_failed")
    assert first["outcome"] == "failure" and first["reason"] == "password"
    assert first["user_id"] == user.id and first["org"] == user.organization_id
    assert first["ip"] == "127.0.0.1" and first["route"] == "POST /login" and first["request_id"]
    caplog.clear()
    unknown = client.post("/login", data={"email": "nobody@example.kz", "password": "wrong-password-123"})
    second = the_one(caplog, "login_failed")
    assert second["user_id"] is None and second["reason"] == "unknown_account"
    assert re.fullmatch(r"[0-9a-f]{16}", second["email_hash"])
    # The page echoes the typed e-mail; apart from that both answers are the same.
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.data.replace(user.email.encode(), b"") == unknown.data.replace(b"nobody@example.kz", b"")
    assert_never_logged(caplog, "wrong-password-123", "nobody@example.kz", user.email)


def test_the_tenth_failure_logs_the_lock_once_and_each_attempt_while_locked_is_logged(
    client: FlaskClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    user = operator(session)
    caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(10):
            client.post("/login", data={"email": user.email, "password": "wrong-password-123"})
            traveller.shift(60)
        locked = the_one(caplog, "account_locked")
        assert locked["outcome"] == "denied" and locked["user_id"] == user.id
        assert locked["locked_until"] == "2026-03-16T06:24:00.000Z"
        assert len(events(caplog, "login_failed")) == 10
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 401
    refused = the_one(caplog, "login_refused_locked")
    assert refused["outcome"] == "denied" and refused["org"] == user.organization_id
    assert_never_logged(caplog, PASSWORD, "wrong-password-123")


def test_second_factor_failures_replays_sign_in_and_sign_out_each_log_one_event_without_codes_or_cookie(
    app: Flask, client: FlaskClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    user = operator(session)
    totp = pyotp.TOTP(user.totp_secret)
    caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
    with time_machine.travel(START, tick=False):
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        wrong_code = str((int(totp.at(START)) + 1) % 1_000_000).zfill(6)
        client.post("/login/code", data={"code": wrong_code})
        failed = the_one(caplog, "totp_failed")
        assert failed["outcome"] == "failure" and failed["reason"] == "wrong_code" and failed["user_id"] == user.id
        good_code = totp.at(START)
        assert client.post("/login/code", data={"code": good_code}).status_code == 302
        signed_in = the_one(caplog, "login")
        assert signed_in["outcome"] == "success" and signed_in["org"] == user.organization_id
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        assert cookie is not None and cookie.value
        client.post("/logout")
        assert the_one(caplog, "logout")["user_id"] == user.id
        replayer = app.test_client()
        replayer.post("/login", data={"email": user.email, "password": PASSWORD})
        replayer.post("/login/code", data={"code": good_code})
    replayed = the_one(caplog, "totp_replayed")
    assert replayed["outcome"] == "denied" and replayed["user_id"] == user.id
    assert_never_logged(caplog, PASSWORD, good_code, wrong_code, cookie.value, user.totp_secret)


def test_a_case_of_another_organisation_logs_case_not_found_on_the_web_and_the_api_without_its_iin(
    client: FlaskClient, session: Session, now: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    user = operator(session)
    foreign: Objection = make_objection(session, received_at=now - timedelta(hours=1), iin=VALID_IINS[1])
    session.commit()
    login_as(client, user)
    caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
    assert client.get(f"/cases/{foreign.reference}").status_code == 404
    web = the_one(caplog, "case_not_found")
    assert web["outcome"] == "denied" and web["reference"] == foreign.reference
    assert web["user_id"] == user.id and web["org"] == user.organization_id and web["route"] == "GET /cases/<reference>"
    caplog.clear()
    token = issue_token(session, user=user, name="test", now=now)
    session.commit()
    response = client.get(f"/api/v1/cases/{foreign.reference}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    api = the_one(caplog, "case_not_found")
    assert api["user_id"] == user.id and api["org"] == user.organization_id and api["reference"] == foreign.reference
    assert_never_logged(caplog, VALID_IINS[1], foreign.full_name, token)


def test_a_reference_that_is_not_one_is_not_written_to_the_log(
    client: FlaskClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    login_as(client, operator(session))
    caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
    assert client.get(f"/cases/{VALID_IINS[2]}").status_code == 404
    assert the_one(caplog, "case_not_found")["reference"] == "(malformed)"
    assert_never_logged(caplog, VALID_IINS[2])


def test_a_refused_role_and_a_refused_api_token_are_logged(
    client: FlaskClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    user = operator(session)
    login_as(client, user)
    caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
    assert client.get("/admin/").status_code == 403
    denied = the_one(caplog, "access_denied")
    assert denied["outcome"] == "denied" and denied["user_id"] == user.id and denied["rule"] == "administration"
    forged = "not-a-real-token-0123456789"
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    assert the_one(caplog, "api_token_refused")["user_id"] is None
    assert_never_logged(caplog, forged)


class TestWithCsrfOn:
    @pytest.fixture
    def config_overrides(self) -> dict:
        return {"WTF_CSRF_ENABLED": True}

    def test_a_sign_in_without_a_form_token_logs_one_csrf_failure_without_the_password(
        self, client: FlaskClient, session: Session, caplog: pytest.LogCaptureFixture
    ) -> None:
        user = operator(session)
        caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 400
        failed = the_one(caplog, "csrf_failed")
        assert failed["outcome"] == "denied" and failed["route"] == "POST /login" and failed["request_id"]
        assert not events(caplog, "login_failed")
        assert_never_logged(caplog, PASSWORD, user.email)

    def test_a_citizen_form_without_its_token_logs_one_csrf_failure(
        self, client: FlaskClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
        response = client.post("/track", data={"reference": "OB-2026-000001", "access_code": "1234-5678-9012"})
        assert response.status_code == 400
        assert the_one(caplog, "csrf_failed")["route"] == "POST /track"
        assert_never_logged(caplog, "1234-5678-9012")


def test_a_signed_in_users_csrf_failure_names_the_user(
    app: Flask, client: FlaskClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    user = operator(session)
    login_as(client, user)
    app.config["WTF_CSRF_ENABLED"] = True
    caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
    assert client.post("/logout").status_code == 400
    failed = the_one(caplog, "csrf_failed")
    assert failed["user_id"] == user.id and failed["org"] == user.organization_id
    assert not events(caplog, "logout")


class TestWithRateLimitsOn:
    @pytest.fixture
    def config_overrides(self) -> dict:
        return {"RATELIMIT_ENABLED": True}

    def test_the_request_over_the_limit_logs_one_rate_limit_event(
        self, client: FlaskClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
        statuses = [
            client.post("/login", data={"email": "nobody@example.kz", "password": "wrong-password-123"}).status_code
            for _ in range(21)
        ]
        assert statuses.count(429) == 1
        limited = the_one(caplog, "rate_limited")
        assert limited["outcome"] == "denied" and limited["route"] == "POST /login" and limited["ip"] == "127.0.0.1"
        assert len(events(caplog, "login_failed")) == 20


# 30. Log injection: a line break in anything a user typed never starts a second log line.
def test_a_line_break_in_a_staff_name_or_a_typed_email_never_makes_a_second_log_line(
    client: FlaskClient, session: Session, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    user = operator(session)
    user.full_name = "Aigerim" + INJECTION
    session.commit()
    capsys.readouterr()
    caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
    client.post("/login", data={"email": "someone@example.kz" + INJECTION, "password": "wrong-password-123"})
    login_as(client, user)
    written = capsys.readouterr().err.splitlines()
    assert len(events(caplog)) == 2  # login_failed, login
    ours = [line for line in written if line.startswith("{")]
    assert [json.loads(line)["event"] for line in ours] == ["login_failed", "login"]
    assert ours == written_lines(caplog)
    # Every line on stderr (ours, and any other handler's that prints the message) is whole: none is forged.
    assert all(line.endswith("}") and "2026-01-01 INFO" not in line.split("{")[0] for line in written)


def test_a_line_break_in_a_logged_field_is_escaped_in_the_one_written_line(
    app: Flask, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
    with app.test_request_context("/login", method="POST"):
        security_event("export_refused", outcome="denied", detail="Aigerim" + INJECTION + "\r\x1b[2J")
    written = [line for line in capsys.readouterr().err.splitlines(keepends=True) if line.startswith("{")]
    assert len(written) == 1 and written[0].count("\n") == 1
    assert "\\n2026-01-01 INFO admin logged in" in written[0]
    assert json.loads(written[0])["detail"] == "Aigerim" + INJECTION + "\r\x1b[2J"
    assert "\x1b" not in written[0] and "\r" not in written[0]


def test_any_other_application_record_with_a_line_break_is_one_line_too(
    app: Flask, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    logging.getLogger("objections.services.dispatch").warning("refused %s", "x" + INJECTION)
    written = [line for line in capsys.readouterr().err.splitlines(keepends=True) if line.startswith("{")]
    assert len(written) == 1 and written[0].count("\n") == 1
    assert json.loads(written[0])["message"] == "refused x" + INJECTION


def test_secrets_and_personal_data_cannot_be_passed_as_fields(app: Flask) -> None:
    for field in ("password", "code", "token", "iin", "email", "full_name", "access_code", "cookie"):
        with pytest.raises(ValueError, match="not allowed"):
            security_event("login_failed", outcome="failure", **{field: "x"})
    with pytest.raises(ValueError, match="outcome"):
        security_event("login_failed", outcome="maybe")


# 30. The chains are append-only for the app's role on PostgreSQL (SECURITY.md, "Protected audit tables").
APPEND_ONLY_TABLES = ("audit_events", "audit_anchors", "objection_events")
EDITS = tuple(
    statement
    for table in APPEND_ONLY_TABLES
    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}")  # noqa: S608 - our own table names
)


@pytest.mark.postgres
def test_the_app_works_without_update_or_delete_on_the_chains_which_are_then_refused(
    tmp_path: Path, postgres_url: str, now: datetime
) -> None:
    with psycopg.connect(libpq_url(postgres_url), autocommit=True) as admin:
        admin.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {', '.join(APPEND_ONLY_TABLES)} FROM CURRENT_USER")
    app = create_app(app_config(tmp_path, postgres_url))
    with app.app_context():
        session = db.session
        user = operator(session)
        make_objection(
            session, organization=user.organization, received_at=now - timedelta(days=6 * 365), status="closed"
        )
        make_objection(session, organization=user.organization, received_at=now - timedelta(hours=1))
        assert anonymise_expired(session, now=now, retention_years=5).anonymised == 1
        write_anchor(session, now=now)
        session.commit()
        client = app.test_client()
        client.post("/login", data={"email": user.email, "password": "wrong-password-123"})
        login_as(client, user)
        assert verify_all(session).ok
        for statement in EDITS:
            with pytest.raises(ProgrammingError, match="permission denied"):
                session.execute(text(statement))
            session.rollback()
        db.engine.dispose()
