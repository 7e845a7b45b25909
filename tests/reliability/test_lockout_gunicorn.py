"""Account lockout under gunicorn -w 4: wrong passwords sent at once from many clients over real HTTP (the real login
form, CSRF token and all) are each counted in the database or refused by the lock, the account locks at the tenth
counted failure whichever worker counts it, the right password is then refused, and a per-address rate limit
throttles the address without locking the account."""

from __future__ import annotations

import http.client
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from objections.clock import utcnow
from objections.models import AuditEvent, User
from objections.services.audit_verify import verify_all
from objections.services.auth import DELAY_AFTER, LOCK_AFTER, LOCK_FOR
from tests.builders import PASSWORD, make_organization, make_user

pytestmark = pytest.mark.reliability

WRONG = "wrong-password-123"
CLIENTS = 10  # wrong passwords sent at the same instant in each round
MAX_ROUNDS = 12  # six rounds reach the lock when every round but the first counts a single failure
OFFICE = "203.0.113.7"  # the address that is throttled
ELSEWHERE = "198.51.100.9"  # the account's owner, somewhere else
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@dataclass
class LoginForm:
    """One browser's session cookie and the CSRF token of the sign-in form it was given."""

    cookie: str
    token: str


def _connection(base_url: str) -> http.client.HTTPConnection:
    host, port = base_url.removeprefix("http://").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=30)


def _forwarded(address: str | None) -> dict[str, str]:
    return {"X-Forwarded-For": address} if address else {}


def open_login_form(base_url: str, *, address: str | None = None) -> LoginForm:
    """GET /login as a browser does: keep the session cookie and read the form's CSRF token."""
    connection = _connection(base_url)
    try:
        connection.request("GET", "/login", headers={"Accept-Language": "en", **_forwarded(address)})
        response = connection.getresponse()
        page = response.read().decode()
        assert response.status == 200, page[:500]
        cookies = [header.split(";", 1)[0] for header in response.headers.get_all("Set-Cookie") or []]
    finally:
        connection.close()
    match = _TOKEN.search(page)
    assert match is not None, "the sign-in form carries no CSRF token"
    return LoginForm(cookie="; ".join(cookies), token=match.group(1) or match.group(2))


def post_login(base_url: str, form: LoginForm, email: str, password: str, *, address: str | None = None) -> int:
    """POST the sign-in form with the browser's cookie and token; the response status (302 means the password
    was accepted and the second factor is asked next)."""
    body = urlencode({"csrf_token": form.token, "email": email, "password": password})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": form.cookie,
        "Accept-Language": "en",
        **_forwarded(address),
    }
    connection = _connection(base_url)
    try:
        connection.request("POST", "/login", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status == 302:
            assert response.getheader("Location", "").endswith("/login/code")
        return response.status
    finally:
        connection.close()


def post_all_at_once(base_url: str, forms: list[LoginForm], email: str, password: str) -> list[int]:
    """Every form is posted by its own thread, all leaving at the same moment."""
    together = threading.Barrier(len(forms), timeout=30)

    def one(form: LoginForm) -> int:
        together.wait()
        return post_login(base_url, form, email, password)

    with ThreadPoolExecutor(max_workers=len(forms)) as pool:
        return list(pool.map(one, forms))


def account_state(session: Session, user_id: int) -> tuple[int, object]:
    """failed_logins and locked_until as stored; the read ends its transaction at once (on SQLite every
    transaction takes the write lock, which the server's workers are waiting for)."""
    row = session.execute(select(User.failed_logins, User.locked_until).where(User.id == user_id)).one()
    session.rollback()
    return row.failed_logins, row.locked_until


def audited(session: Session, user_id: int, kind: str) -> int:
    count = session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.actor_id == user_id, AuditEvent.kind == kind)
    )
    session.rollback()
    return count or 0


def let_the_delay_run_out(session: Session, user_id: int) -> None:
    """Move the growing delay's end into the past, as the passing of its seconds would."""
    session.execute(update(User).where(User.id == user_id).values(locked_until=utcnow() - timedelta(seconds=1)))
    session.commit()


def staff_account(session: Session) -> tuple[int, str]:
    user = make_user(session, organization=make_organization(session))
    session.commit()
    user_id, email = user.id, user.email
    session.rollback()
    return user_id, email


def test_concurrent_wrong_passwords_on_four_workers_are_all_counted_and_lock_at_the_tenth(
    app, session, live_server
) -> None:
    user_id, email = staff_account(session)
    forms = [open_login_form(live_server.url) for _ in range(CLIENTS)]

    sent = 0
    for _ in range(MAX_ROUNDS):
        statuses = post_all_at_once(live_server.url, forms, email, WRONG)
        sent += len(statuses)
        assert statuses == [401] * len(statuses)

        failed, locked_until = account_state(session, user_id)
        counted = audited(session, user_id, "login_failed")
        refused = audited(session, user_id, "login_refused_locked")
        assert failed == counted, f"{counted} failures were handled but the database counted {failed}"
        assert counted + refused == sent, "every wrong password is either counted or refused by the lock"
        if failed >= LOCK_AFTER:
            break
        if failed >= DELAY_AFTER:  # the growing delay: 1, 2, 4, 8, 16 seconds
            assert locked_until is not None
            assert locked_until - utcnow() <= timedelta(seconds=2 ** (failed - DELAY_AFTER))
            let_the_delay_run_out(session, user_id)
    else:
        pytest.fail(f"the account was not locked after {sent} wrong passwords in {MAX_ROUNDS} rounds")

    failed, locked_until = account_state(session, user_id)
    assert failed >= LOCK_AFTER
    assert locked_until is not None and locked_until > utcnow() + LOCK_FOR - timedelta(minutes=1)
    assert audited(session, user_id, "account_locked") >= 1

    refused_before = audited(session, user_id, "login_refused_locked")
    assert post_login(live_server.url, open_login_form(live_server.url), email, PASSWORD) == 401
    assert audited(session, user_id, "login_refused_locked") == refused_before + 1
    assert account_state(session, user_id) == (failed, locked_until)
    assert "Traceback" not in live_server.log()
    assert "database is locked" not in live_server.log()
    session.expire_all()
    report = verify_all(session)
    assert report.ok, f"concurrent security events broke the audit chain: {report}"


def test_a_rate_limited_address_is_throttled_without_locking_the_account(app, session, start_live_server) -> None:
    user_id, email = staff_account(session)
    workers = 4
    server = start_live_server(workers=workers, RATELIMIT_ENABLED="1", PROXY_FIX="1")
    forms = [open_login_form(server.url, address=OFFICE) for _ in range(8)]

    # Flask-Limiter counts in each worker's memory, so the address is throttled everywhere once every worker has
    # answered its full allowance: workers x limit answers that were not 429. An empty form tells the limit.
    connection = _connection(server.url)
    try:
        body = urlencode({"csrf_token": forms[0].token, "email": "", "password": ""})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": forms[0].cookie, **_forwarded(OFFICE)}
        connection.request("POST", "/login", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 200
        limit = int(response.getheader("X-RateLimit-Limit") or 0)
    finally:
        connection.close()
    assert limit > 0, "the sign-in form has no per-address rate limit"
    answered = 1
    lock = threading.Lock()

    def flood(form: LoginForm) -> list[int]:
        nonlocal answered
        statuses = []
        for _ in range(workers * limit + 40):  # bounded: the allowance plus a margin for 429s on full workers
            with lock:
                if answered >= workers * limit:
                    break
            status = post_login(server.url, form, "nobody@example.kz", WRONG, address=OFFICE)
            statuses.append(status)
            if status != 429:
                with lock:
                    answered += 1
        return statuses

    with ThreadPoolExecutor(max_workers=len(forms)) as pool:
        flooded = [status for statuses in pool.map(flood, forms) for status in statuses]
    assert answered == workers * limit, f"only {answered} sign-ins were answered before the limit"
    assert set(flooded) <= {401, 429}

    # From the throttled address, more wrong passwords for the account than the lock needs: all refused by the
    # limit, none counted against the account.
    attempts = [post_login(server.url, forms[0], email, WRONG, address=OFFICE) for _ in range(LOCK_AFTER + 2)]
    assert attempts == [429] * (LOCK_AFTER + 2)
    assert account_state(session, user_id) == (0, None)
    assert audited(session, user_id, "login_failed") == 0

    # The owner, from another address, signs in with the right password at once.
    home = open_login_form(server.url, address=ELSEWHERE)
    assert post_login(server.url, home, email, PASSWORD, address=ELSEWHERE) == 302
    assert "Traceback" not in server.log()
