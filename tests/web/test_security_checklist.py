"""The items of the security checklist that no other test covered fully: raw password hashes, password lengths,
lockout from two addresses, second factor before any page, idle and absolute timeouts, cookie attributes and HSTS in
production, failing closed, escaping, injection in search and mail headers, open redirects, CSP and no-store, a
generic 500 page, and authenticated IIN encryption."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
import time_machine
from cryptography.exceptions import InvalidTag
from sqlalchemy import func, select, text

from objections import create_app
from objections.crypto import keyring
from objections.extensions import db
from objections.models import AuditEvent, Notification, Objection, User
from objections.services import intake
from objections.services.auth import LOCK_AFTER
from tests.auth_helpers import login_as
from tests.builders import (
    PASSWORD,
    VALID_IINS,
    make_notice,
    make_objection,
    make_organization,
    make_user,
    multipart_body,
    objection_form_data,
    objection_input,
)
from tests.conftest import app_config

START = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)


def _staff(session, role: str = "operator") -> User:  # type: ignore[no-untyped-def]
    user = make_user(session, role=role, organization=make_organization(session) if role != "admin" else None)
    session.commit()
    return user


# 1. Password hashing, read from the raw column.
def test_raw_password_column_holds_salted_argon2id_and_never_the_password(session) -> None:
    organization = make_organization(session)
    make_user(session, organization=organization)
    make_user(session, organization=organization)
    session.commit()
    stored = session.execute(text("SELECT password_hash FROM users")).scalars().all()
    assert len(stored) == 2
    assert all(value.startswith("$argon2id$v=19$m=19456,t=2,p=1$") for value in stored)
    assert len({value.split("$")[4] for value in stored}) == 2  # distinct salts
    assert all(PASSWORD not in value for value in stored)


# 2. Password length and content: 12..128 characters, any Unicode, no truncation.
# Long enough for every length case, and not guessable (no repeats) so only the length rules decide.
PASSPHRASE = (
    "Tundra-kettle-violin-47-quartz-meadow-ferry-lantern-orbit-cobalt-harbor-nimbus-saffron-"
    "glacier-pepper-willow-ember-falcon-thistle-mango-basalt"
)


@pytest.mark.parametrize(
    ("new", "accepted"),
    [
        ("a" * 5 + "bcdefg", False),  # 11 characters
        ("tR7#kq9!xZ2m", True),  # 12 characters
        (PASSPHRASE[:63] + "!", True),  # 64 characters
        (PASSPHRASE[:128], True),
        (PASSPHRASE[:129], False),
        ("пароль с пробелами 🔐 и эмодзи", True),
    ],
)
def test_password_length_rules_on_change(app, session, new: str, accepted: bool) -> None:
    user = _staff(session)
    client = app.test_client()
    login_as(client, user)
    response = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": new, "confirm": new}
    )
    assert response.status_code == (302 if accepted else 422)
    if accepted:
        signed_in = app.test_client()
        assert signed_in.post("/login", data={"email": user.email, "password": new}).status_code == 302


def test_a_long_password_differing_only_in_its_last_character_does_not_sign_in(app, session) -> None:
    user = _staff(session)
    client = app.test_client()
    login_as(client, user)
    long_password = PASSPHRASE[:63] + "1"
    data = {"current_password": PASSWORD, "new_password": long_password, "confirm": long_password}
    assert client.post("/account/password", data=data).status_code == 302
    stranger = app.test_client()
    assert stranger.post("/login", data={"email": user.email, "password": PASSPHRASE[:63] + "2"}).status_code == 401
    assert stranger.post("/login", data={"email": user.email, "password": long_password}).status_code == 302


# 4. Brute force: failures from two addresses are counted together, delays then a lock, all logged.
def test_failures_from_two_addresses_delay_then_lock_the_account_and_each_is_logged(app, session) -> None:
    user = _staff(session)
    first = app.test_client()
    first.environ_base["REMOTE_ADDR"] = "203.0.113.1"
    second = app.test_client()
    second.environ_base["REMOTE_ADDR"] = "198.51.100.2"
    with time_machine.travel(START, tick=False) as traveller:
        for n in range(LOCK_AFTER):
            client = first if n % 2 == 0 else second
            assert client.post("/login", data={"email": user.email, "password": "wrong-password-1"}).status_code == 401
            session.refresh(user)
            assert user.failed_logins == n + 1
            if n + 1 == 5:
                assert user.locked_until == START + timedelta(minutes=n, seconds=1)  # the first growing delay
            traveller.shift(60)
        assert user.locked_until == START + timedelta(minutes=LOCK_AFTER - 1) + timedelta(minutes=15)
        assert second.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 401
    rows = session.scalars(select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id)).all()
    failed = [row for row in rows if row.kind == "login_failed"]
    assert len(failed) == LOCK_AFTER
    assert {row.payload["ip"] for row in failed} == {"203.0.113.1", "198.51.100.2"}
    assert [row.kind for row in rows].count("account_locked") == 1
    assert [row.kind for row in rows].count("login_refused_locked") == 1
    assert all(row.at.tzinfo is not None and row.at.utcoffset() == timedelta(0) for row in rows)
    assert all(PASSWORD not in str(row.payload) and "wrong-password-1" not in str(row.payload) for row in rows)


def test_a_wrong_second_factor_code_is_counted_and_logged(app, session) -> None:
    user = _staff(session)
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    assert client.post("/login/code", data={"code": "000000"}).status_code == 200
    session.refresh(user)
    assert user.failed_logins == 1
    row = session.scalars(select(AuditEvent).where(AuditEvent.kind == "login_failed")).one()
    assert row.payload["reason"] == "totp" and row.actor_id == user.id


# 5. The second factor comes before any staff page.
def test_password_alone_opens_no_staff_page(app, session) -> None:
    user = _staff(session)
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    for path in ("/cases/", "/account/", "/supervisor/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"], path


# 10. Idle (30 minutes) and absolute (12 hours) timeouts.
def test_thirty_minutes_idle_ends_the_staff_session(app, session) -> None:
    user = _staff(session)
    client = app.test_client()
    with time_machine.travel(START, tick=False) as traveller:
        login_as(client, user, at=START)
        traveller.shift(29 * 60)
        assert client.get("/cases/").status_code == 200
        traveller.shift(31 * 60)
        response = client.get("/cases/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_twelve_hours_after_sign_in_the_session_ends_even_when_active(app, session) -> None:
    user = _staff(session)
    client = app.test_client()
    with time_machine.travel(START, tick=False) as traveller:
        login_as(client, user, at=START)
        for _ in range(12 * 3):  # a request every 20 minutes for 12 hours
            traveller.shift(20 * 60)
            if client.get("/cases/").status_code != 200:
                break
        traveller.shift(20 * 60)
        response = client.get("/cases/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# 11 and 26. Cookie attributes; Secure and HSTS in production.
def test_the_session_cookie_is_httponly_samesite_lax_and_path_root(app, session) -> None:
    user = _staff(session)
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        attributes = [part.strip().lower() for part in cookie.split(";")]
        assert "httponly" in attributes
        assert "samesite=lax" in attributes
        assert "path=/" in attributes


def test_in_production_the_cookie_is_secure_and_hsts_is_sent(tmp_path: Path, database_url: str) -> None:
    production = create_app(app_config(tmp_path / "prod", database_url, OBJECTIONS_ENV="production"))
    client = production.test_client()
    response = client.post("/login", base_url="https://localhost", data={"email": "x@example.kz", "password": "y"})
    issued = [cookie for cookie in response.headers.getlist("Set-Cookie") if "max-age=0" not in cookie.lower()]
    assert issued  # a deleting cookie (max-age=0) carries nothing and is left aside
    for cookie in issued:
        assert "secure" in [part.strip().lower() for part in cookie.split(";")]
    session_cookie = next(cookie for cookie in issued if cookie.startswith("__Host-session="))
    attributes = [part.strip().lower() for part in session_cookie.split(";")[1:]]
    assert "path=/" in attributes and not any(part.startswith("domain=") for part in attributes)
    page = client.get("/", base_url="https://localhost")
    hsts = page.headers.get("Strict-Transport-Security", "")
    assert "includeSubDomains" in hsts
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 365 * 24 * 3600
    with production.app_context():
        db.engine.dispose()


# 17. Fail closed: a broken permission check shows a generic error, never the data.
def test_a_failing_permission_check_shows_a_generic_error_not_the_page(app, session, now, monkeypatch) -> None:
    user = _staff(session)
    objection = make_objection(session, organization=user.organization, received_at=now)
    session.commit()
    client = app.test_client()
    login_as(client, user)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("permission store unavailable")

    monkeypatch.setattr("objections.web.authz.may", broken)
    response = client.get(f"/cases/{objection.reference}")
    assert response.status_code in (403, 500)
    body = response.get_data(as_text=True)
    assert "Aigerim Test" not in body and objection.grounds not in body  # the page's own link names only the URL
    assert "Traceback" not in body and "permission store unavailable" not in body


# 32. A last-resort handler: no traceback for the visitor.
def test_an_unexpected_error_answers_a_generic_500_page_without_a_traceback(tmp_path: Path, database_url: str) -> None:
    fresh = create_app(app_config(tmp_path / "boom", database_url))
    fresh.config["PROPAGATE_EXCEPTIONS"] = False

    @fresh.get("/boom-for-test")
    def boom() -> str:
        raise RuntimeError("secret internal detail")

    response = fresh.test_client().get("/boom-for-test", headers={"Accept-Language": "en"})
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "Traceback" not in body and "secret internal detail" not in body
    assert fresh.config["DEBUG"] is False
    with fresh.app_context():
        db.engine.dispose()


# 20. Output encoding: a name with markup is escaped on the operator's page and in the e-mail.
def test_markup_in_a_name_is_escaped_on_the_case_page_and_in_the_mail(app, session, now) -> None:
    user = _staff(session)
    make_notice(session, user.organization)
    name = "<script>alert(1)</script> O'Hara"
    filed = intake.file_objection(
        session, objection_input(user.organization, full_name=name), channel="web", now=now, policy="calendar_days"
    )
    reference = filed.objection.reference
    session.commit()
    client = app.test_client()
    login_as(client, user)
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for html in session.scalars(select(Notification.body_html)):
        assert "<script>alert(1)</script>" not in (html or "")


# 21. SQL injection in the operator's search finds nothing of another organisation.
def test_a_sql_injection_in_the_search_finds_no_other_organisations_case(app, session, now) -> None:
    user = _staff(session)
    other = make_organization(session)
    foreign = make_objection(session, organization=other, received_at=now, full_name="Foreign Person")
    session.commit()
    client = app.test_client()
    login_as(client, user)
    for query in ("' OR 1=1 --", '" OR ""="', "%' OR '%'='"):
        response = client.get("/cases/", query_string={"q": query})
        assert response.status_code in (200, 422), query
        assert foreign.reference not in response.get_data(as_text=True), query
        assert "Foreign Person" not in response.get_data(as_text=True), query


# 22. Mail header injection: a line break in the name is refused by the form and no mail is queued.
def test_a_line_break_in_the_name_is_refused_and_nothing_is_mailed(client, session) -> None:
    bank = make_organization(session)
    make_notice(session, bank)
    session.commit()
    data = objection_form_data(bank, full_name="Aigerim\r\nBcc: victim@example.kz")
    body, content_type = multipart_body(data)
    response = client.post("/objections/new", data=body, content_type=content_type)
    assert response.status_code == 422
    assert session.scalar(select(func.count()).select_from(Objection)) == 0
    assert session.scalar(select(func.count()).select_from(Notification)) == 0


# 23. Open redirect: `next` never leaves the site, however it is spelt.
@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "/\t/evil.example/", "/\n/evil.example"]
)
def test_sign_in_never_redirects_off_the_site(app, session, target: str) -> None:
    user = _staff(session)
    client = app.test_client()
    response = client.post("/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    session.refresh(user)
    response = client.post("/login/code", data={"code": pyotp.TOTP(user.totp_secret).now()})
    assert response.headers["Location"] == "/cases/"  # the operator's home, not the offered target


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\t/evil.example/"])
def test_the_language_switch_never_redirects_off_the_site(client, target: str) -> None:
    response = client.post("/language", data={"language": "ru", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# 25 and 26. CSP with object-src and base-uri 'none'; no-store on pages with personal data.
def test_every_page_has_a_strict_csp_and_is_not_stored(app, session, now) -> None:
    user = _staff(session)
    objection = make_objection(session, organization=user.organization, received_at=now)
    session.commit()
    client = app.test_client()
    login_as(client, user)
    paths = [rule.rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and not rule.arguments]
    paths += [f"/cases/{objection.reference}", "/no-such-page"]
    for path in paths:
        if path.startswith("/static"):
            continue
        response = client.get(path)
        directives = {part.strip() for part in response.headers.get("Content-Security-Policy", "").split(";")}
        assert {"object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} <= directives, path
        assert "no-store" in response.headers.get("Cache-Control", ""), path


# 24. GET never changes state; sign-out is a POST.
def test_sign_out_by_get_is_refused_and_leaves_the_session(app, session) -> None:
    user = _staff(session)
    client = app.test_client()
    login_as(client, user)
    assert client.get("/logout").status_code == 405
    assert client.get("/cases/").status_code == 200


def test_visiting_every_page_changes_no_record(app, session, now) -> None:
    admin = _staff(session, role="admin")
    operator = _staff(session)
    make_objection(session, organization=operator.organization, received_at=now)
    session.commit()
    tables = ("objections", "objection_events", "notifications", "users", "organizations", "processing_notices")

    def counts() -> dict[str, int]:
        result = {table: session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in tables}  # noqa: S608
        session.rollback()
        return result

    for user in (admin, operator):
        client = app.test_client()
        login_as(client, user)
        before = counts()
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith("/static"):
                client.get(rule.rule)
        assert counts() == before


# 33. IIN encryption: authenticated, randomised, searchable only through the blind index.
def test_iin_ciphertexts_differ_each_time_and_a_flipped_bit_is_detected(app) -> None:
    keys = keyring()
    iin = VALID_IINS[0]
    first, second = keys.encrypt(iin), keys.encrypt(iin)
    assert first != second
    assert iin.encode() not in first
    assert keys.decrypt(first) == keys.decrypt(second) == iin
    tampered = bytearray(first)
    tampered[-1] ^= 0x01
    with pytest.raises(InvalidTag):
        keys.decrypt(bytes(tampered))
    assert keys.blind_index(iin) == keys.blind_index(iin) != keys.blind_index(VALID_IINS[1])


def test_the_stored_iin_is_found_through_the_blind_index_only(session, now) -> None:
    organization = make_organization(session)
    make_objection(session, organization=organization, received_at=now, iin=VALID_IINS[2])
    session.commit()
    raw = session.execute(text("SELECT iin, iin_index FROM objections")).one()
    assert VALID_IINS[2] not in str(raw.iin)
    assert raw.iin_index == keyring().blind_index(VALID_IINS[2])
    found = session.scalar(select(Objection).where(Objection.iin_index == keyring().blind_index(VALID_IINS[2])))
    assert found is not None and found.iin == VALID_IINS[2]
