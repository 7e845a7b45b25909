"""A staff member's own account: password change, recovery codes, and the notice that credentials changed."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import force_locale, gettext
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from objections import crypto
from objections.domain.accounts import one_time_password_expired
from objections.domain.errors import ValidationFailed
from objections.models import ApiToken, RecoveryCode, User
from objections.services import notify
from objections.services.audit import record_audit
from objections.services.passwords import hash_password, password_problem, verify_password

RECOVERY_CODE_COUNT = 10


def _notify_credentials_changed(session: Session, user: User, what: str, *, now: datetime) -> None:
    """ASVS 2.2.3: tell the owner, without any secret, that a credential changed."""
    with force_locale(user.language):
        subject = gettext("Your sign-in details were changed")
        text, html = notify._render("credentials_changed", user.language, user=user, what=what, at=now)
    notify.queue_message(
        session,
        key=f"credentials:{user.id}:{what}:{now.isoformat()}",
        recipient=user.email,
        kind="credentials_changed",
        language=user.language,
        subject=subject,
        body_text=text,
        body_html=html,
        now=now,
        user=user,
    )


def change_password(session: Session, user: User, *, current: str, new: str, now: datetime) -> None:
    errors: dict[str, list[str]] = {}
    if not verify_password(user.password_hash, current):
        errors["current_password"] = ["wrong_password"]
    elif user.password_change_required and one_time_password_expired(set_at=user.password_set_at, now=now):
        errors["current_password"] = ["one_time_password_expired"]
    if problem := password_problem(new, (user.email, user.full_name or "")):
        errors["new_password"] = [problem]
    elif new == current and "current_password" not in errors:
        errors["new_password"] = ["same_password"]
    if errors:
        raise ValidationFailed(errors)
    user.password_hash = hash_password(new)
    user.password_change_required = False
    user.password_set_at = now
    user.session_version += 1  # other sessions end; the caller signs this one in again
    record_audit(session, "password_changed", actor=user, now=now)
    _notify_credentials_changed(session, user, "password", now=now)


def set_one_time_password(session: Session, user: User, password: str, *, actor: User, now: datetime) -> None:
    """Give the account a password an administrator hands over: it must be replaced at the next sign-in."""
    user.password_hash = hash_password(password)
    user.password_change_required = True
    user.password_set_at = now
    user.failed_logins = 0
    user.locked_until = None
    user.session_version += 1
    # The old password may have been lost to someone else: the API tokens made with it stop working too.
    session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=now)
    )
    record_audit(session, "one_time_password_issued", actor=actor, now=now, payload={"user_id": user.id})
    _notify_credentials_changed(session, user, "one_time_password", now=now)


def new_recovery_codes(session: Session, user: User, *, now: datetime) -> list[str]:
    """Ten single-use codes, shown once; only their HMACs are kept. Older codes stop working."""
    session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)).values(used_at=now)
    )
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODE_COUNT)]
    keys = crypto.keyring()
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=keys.hash_secret(f"recovery:{code}")))
    record_audit(session, "recovery_codes_generated", actor=user, now=now)
    _notify_credentials_changed(session, user, "recovery_codes", now=now)
    session.flush()
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def use_recovery_code(session: Session, user: User, code: str, *, now: datetime) -> bool:
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) != 10:
        return False
    row = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.used_at.is_(None),
            RecoveryCode.code_hash == crypto.keyring().hash_secret(f"recovery:{digits}"),
        )
    )
    if row is None:
        return False
    row.used_at = now
    record_audit(session, "recovery_code_used", actor=user, now=now)
    _notify_credentials_changed(session, user, "recovery_code_used", now=now)
    return True


def reset_second_factor(session: Session, user: User, *, actor: User, now: datetime) -> None:
    """An administrator resets a lost second factor: a new secret is enrolled at the next sign-in."""
    import pyotp

    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed = False
    user.totp_last_counter = None
    user.session_version += 1
    record_audit(session, "totp_reset", actor=actor, now=now, payload={"user_id": user.id})
    _notify_credentials_changed(session, user, "second_factor", now=now)
