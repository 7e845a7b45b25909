"""Organisation admins manage their own organisation's operators: every action is scoped to the actor's
organisation, then done by the administrators' staff service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.domain.accounts import hands_over_account
from objections.domain.calendar import LANGUAGES
from objections.domain.errors import NotFound, ValidationFailed
from objections.models import Organization, User
from objections.services import staff
from objections.services.users import ORGANISATION_ROLES

FULL_NAME_MAX = 200


def _organization_id(actor: User) -> int:
    if actor.organization_id is None or actor.role != "org_admin":
        raise NotFound("only an organisation admin manages a team")
    return actor.organization_id


def list_team(session: Session, *, actor: User) -> list[User]:
    """The actor's organisation's operators and organisation admins, active first, then by name and e-mail."""
    organization_id = _organization_id(actor)
    return list(
        session.scalars(
            select(User)
            .where(User.organization_id == organization_id, User.role.in_(ORGANISATION_ROLES))
            .order_by(User.active.desc(), User.full_name, User.email)
        )
    )


def team_member(session: Session, *, actor: User, user_id: int) -> User:
    """A member of the actor's own organisation; anyone else (another organisation's staff, a supervisor, an
    administrator, no such user) is not found, so nothing tells the actor they exist."""
    organization_id = _organization_id(actor)
    user = session.get(User, user_id)
    if user is None or user.organization_id != organization_id or user.role not in ORGANISATION_ROLES:
        raise NotFound("no such member of your organisation")
    return user


def invite_member(
    session: Session, *, actor: User, email: str, role: str, full_name: str, language: str, now: datetime
) -> tuple[User, str]:
    """A new operator or organisation admin of the actor's organisation, with a one-time password."""
    slug = session.scalar(select(Organization.slug).where(Organization.id == _organization_id(actor)))
    errors: dict[str, list[str]] = {}
    if role not in ORGANISATION_ROLES:
        errors["role"] = ["unknown"]
    full_name = full_name.strip()
    if len(full_name) > FULL_NAME_MAX:
        errors["full_name"] = ["too_long"]
    if language not in LANGUAGES:
        errors["language"] = ["unknown"]
    if errors:
        raise ValidationFailed(errors)
    return staff.invite_staff(
        session,
        actor=actor,
        email=email,
        role=role,
        organization_slug=slug,
        full_name=full_name,
        language=language,
        now=now,
    )


def issue_member_one_time_password(session: Session, *, actor: User, user_id: int, now: datetime) -> tuple[User, str]:
    """A new one-time password for a member of the actor's own organisation (staff.issue_one_time_password)."""
    member = team_member(session, actor=actor, user_id=user_id)
    if hands_over_account(
        second_factor_set_up=member.totp_confirmed, signed_in_before=member.last_login_at is not None
    ):
        raise ValidationFailed({"password": ["second_factor_reset"]})
    return staff.issue_one_time_password(session, actor=actor, user_id=member.id, now=now)


def set_member_active(session: Session, *, actor: User, user_id: int, active: bool, now: datetime) -> User:
    """Deactivating ends every session of the member at once; nobody deactivates themselves."""
    member = team_member(session, actor=actor, user_id=user_id)
    return staff.set_active(session, actor=actor, user_id=member.id, active=active, now=now)


def reset_member_second_factor(session: Session, *, actor: User, user_id: int, now: datetime) -> User:
    member = team_member(session, actor=actor, user_id=user_id)
    return staff.reset_second_factor(session, actor=actor, user_id=member.id, now=now)
