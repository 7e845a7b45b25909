"""Signing in staff: password with lockout counted in the database, then a single-use TOTP code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from objections.domain.accounts import one_time_password_expired
from objections.models import User
from objections.security_log import email_fingerprint, security_event
from objections.services.audit import record_audit
from objections.services.passwords import hash_password, verify_password

DELAY_AFTER = 5
LOCK_AFTER = 10
LOCK_FOR = timedelta(minutes=15)
_DUMMY_HASH = hash_password("no account has this password")


@dataclass(frozen=True)
class PasswordResult:
    user: User | None
    locked: bool = False
    expired: bool = False  # the right one-time password, after its validity: ask for a new one


def check_password(session: Session, *, email: str, password: str, now: datetime, ip: str | None) -> PasswordResult:
    """The user when the password is right and the account is neither locked nor inactive.
    Failures grow a delay after 5 and lock the account for 15 minutes after 10 (ASVS 2.2.1)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        verify_password(_DUMMY_HASH, password)  # spend the same time as for a real account
        record_audit(session, "login_failed", now=now, payload={"reason": "unknown_account", "ip": ip})
        security_event("login_failed", outcome="failure", reason="unknown_account", email_hash=email_fingerprint(email))
        return PasswordResult(None)
    if user.locked_until is not None and user.locked_until > now:
        record_audit(session, "login_refused_locked", actor=user, now=now, payload={"ip": ip})
        security_event("login_refused_locked", outcome="denied", **_who(user), locked_until=user.locked_until)
        return PasswordResult(None, locked=True)
    if not user.active or not verify_password(user.password_hash, password):
        if count_failure(session, user, now=now) >= LOCK_AFTER:
            record_audit(session, "account_locked", actor=user, now=now, payload={"ip": ip})
            security_event("account_locked", outcome="denied", **_who(user), locked_until=user.locked_until)
        record_audit(
            session,
            "login_failed",
            actor=user,
            now=now,
            payload={"reason": "password" if user.active else "inactive", "ip": ip},
        )
        security_event(
            "login_failed",
            outcome="failure",
            **_who(user),
            reason="password" if user.active else "inactive",
            failed_logins=user.failed_logins,
        )
        return PasswordResult(None)
    if user.password_change_required and one_time_password_expired(set_at=user.password_set_at, now=now):
        record_audit(session, "login_refused_expired", actor=user, now=now, payload={"ip": ip})
        security_event("login_refused_expired", outcome="denied", **_who(user))
        return PasswordResult(None, expired=True)
    return PasswordResult(user)


def count_failure(session: Session, user: User, *, now: datetime, delay: bool = True) -> int:
    """Count one failed sign-in in the database and lock the account as the count requires; returns the new count.
    The count is raised by one UPDATE (failed_logins = failed_logins + 1), not read and written back, so failures
    that workers handle at the same moment are all counted; on PostgreSQL the row stays locked until the commit,
    so a later failure's lock is never overwritten by an earlier one's shorter delay."""
    count = session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(user, "failed_logins", count)
    if count >= LOCK_AFTER:
        user.locked_until = now + LOCK_FOR
    elif delay and count >= DELAY_AFTER:
        user.locked_until = now + timedelta(seconds=2 ** (count - DELAY_AFTER))
    session.flush()
    return count


def check_totp(session: Session, user: User, code: str, *, now: datetime, ip: str | None) -> bool:
    """True for a current code not used before (a replayed code is refused and logged)."""
    code = "".join(ch for ch in code if ch.isdigit())
    if not user.totp_secret or len(code) != 6:
        security_event("totp_failed", outcome="failure", **_who(user), reason="malformed")
        return False
    totp = pyotp.TOTP(user.totp_secret)
    for offset in (0, -1, 1):
        moment = now + timedelta(seconds=30 * offset)
        counter = totp.timecode(moment)
        if pyotp.utils.strings_equal(totp.at(moment), code):
            if user.totp_last_counter is not None and counter <= user.totp_last_counter:
                record_audit(session, "totp_replayed", actor=user, now=now, payload={"ip": ip})
                security_event("totp_replayed", outcome="denied", **_who(user))
                return False
            user.totp_last_counter = counter
            return True
    if count_failure(session, user, now=now, delay=False) >= LOCK_AFTER:
        record_audit(session, "account_locked", actor=user, now=now, payload={"ip": ip})
        security_event("account_locked", outcome="denied", **_who(user), locked_until=user.locked_until)
    record_audit(session, "login_failed", actor=user, now=now, payload={"reason": "totp", "ip": ip})
    security_event(
        "totp_failed", outcome="failure", **_who(user), reason="wrong_code", failed_logins=user.failed_logins
    )
    return False


def complete_login(session: Session, user: User, *, now: datetime, ip: str | None) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    user.totp_confirmed = True
    record_audit(session, "login", actor=user, now=now, payload={"ip": ip})


def _who(user: User) -> dict[str, int | None]:
    return {"user_id": user.id, "organization_id": user.organization_id}


def end_sessions(session: Session, user: User, *, now: datetime, actor: User | None = None) -> None:
    """Every cookie issued to the user stops working (logout everywhere, deactivation)."""
    user.session_version += 1
    record_audit(session, "sessions_ended", actor=actor or user, now=now, payload={"user_id": user.id})
