"""Confirming a signed-in staff member's identity again before a sensitive action (ASVS 3.7.1)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from objections.models import User
from objections.services.audit import record_audit
from objections.services.auth import LOCK_AFTER, count_failure
from objections.services.passwords import verify_password


def confirm_password(session: Session, user: User, *, password: str, now: datetime, ip: str | None) -> bool:
    """Whether `password` is the user's. A wrong one counts towards the lockout as a failed sign-in does; a locked
    account is refused whatever is typed. Every attempt is on the audit chain."""
    if user.locked_until is not None and user.locked_until > now:
        record_audit(session, "reauth_refused_locked", actor=user, now=now, payload={"ip": ip})
        return False
    if not verify_password(user.password_hash, password):
        if count_failure(session, user, now=now) >= LOCK_AFTER:
            record_audit(session, "account_locked", actor=user, now=now, payload={"ip": ip})
        record_audit(session, "reauth_failed", actor=user, now=now, payload={"ip": ip})
        return False
    user.failed_logins = 0
    user.locked_until = None
    record_audit(session, "reauth", actor=user, now=now, payload={"ip": ip})
    return True
