"""Administrators manage staff accounts: invite, change role, deactivate (ending sessions), reset the second factor."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.domain.errors import NotFound, ValidationFailed
from objections.models import Organization, User
from objections.models.user import ROLES
from objections.services import account
from objections.services.audit import record_audit
from objections.services.auth import end_sessions
from objections.services.users import ORGANISATION_ROLES, create_user


def list_staff(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.email)))


def invite_staff(
    session: Session,
    *,
    actor: User,
    email: str,
    role: str,
    organization_slug: str | None,
    full_name: str,
    language: str,
    now: datetime,
) -> tuple[User, str]:
    """A new account with a one-time password shown to the administrator: at the first sign-in the second factor
    is enrolled and the password replaced by one of the member's own choosing."""
    password = secrets.token_urlsafe(12)
    user = create_user(
        session,
        email=email,
        password=password,
        role=role,
        organization_slug=organization_slug or None,
        full_name=full_name,
        language=language,
    )
    user.totp_confirmed = False
    user.password_change_required = True
    user.password_set_at = now
    record_audit(session, "user_created", actor=actor, now=now, payload={"user_id": user.id, "role": role})
    return user, password


def _staff(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    return user


def change_role(
    session: Session, *, actor: User, user_id: int, role: str, organization_slug: str | None, now: datetime
) -> User:
    user = _staff(session, user_id)
    if role not in ROLES:
        raise ValidationFailed({"role": ["unknown"]})
    organization = None
    if role in ORGANISATION_ROLES:
        organization = session.scalar(select(Organization).where(Organization.slug == (organization_slug or "")))
        if organization is None:
            raise ValidationFailed({"organization": ["required"]})
    if user.id == actor.id and role != user.role:
        raise ValidationFailed({"role": ["own_role"]})
    old = user.role
    user.role = role
    user.organization = organization
    end_sessions(session, user, now=now, actor=actor)
    record_audit(session, "role_changed", actor=actor, now=now, payload={"user_id": user.id, "from": old, "to": role})
    return user


def set_active(session: Session, *, actor: User, user_id: int, active: bool, now: datetime) -> User:
    """Deactivating ends every session of the user at once."""
    user = _staff(session, user_id)
    if user.id == actor.id and not active:
        raise ValidationFailed({"active": ["own_account"]})
    user.active = active
    if not active:
        end_sessions(session, user, now=now, actor=actor)
    record_audit(
        session, "user_activated" if active else "user_deactivated", actor=actor, now=now, payload={"user_id": user.id}
    )
    return user


def issue_one_time_password(session: Session, *, actor: User, user_id: int, now: datetime) -> tuple[User, str]:
    """A forgotten password, or an invitation's one-time password that expired: a new one-time password to hand
    over, valid for ONE_TIME_PASSWORD_VALIDITY and to be replaced at the next sign-in. The account's sessions end,
    a lock from failed attempts is lifted, the owner is told by mail; the second factor stays as it is."""
    user = _staff(session, user_id)
    if user.id == actor.id:
        raise ValidationFailed({"password": ["own_account_password"]})
    password = secrets.token_urlsafe(12)
    account.set_one_time_password(session, user, password, actor=actor, now=now)
    return user, password


def reset_second_factor(session: Session, *, actor: User, user_id: int, now: datetime) -> User:
    user = _staff(session, user_id)
    account.reset_second_factor(session, user, actor=actor, now=now)
    return user
