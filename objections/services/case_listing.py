"""An organisation's objections in pages, nearest deadline first, by keyset on (deadline_at, id)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.elements import ColumnElement

from objections.models import Objection, User


@dataclass(frozen=True)
class CaseFilter:
    """What the caller narrows the list to; None means "any"."""

    status: str | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    breached: bool | None = None
    received_from: datetime | None = None
    received_before: datetime | None = None


@dataclass(frozen=True)
class Position:
    """The last row of the previous page."""

    deadline_at: datetime
    id: int


@dataclass(frozen=True)
class Page:
    items: list[Objection]
    next: Position | None


def breach_condition(now: datetime) -> ColumnElement[bool]:
    """SQL twin of domain.standing.is_breach: answered at or after the deadline, or unanswered at or after it.
    Art. 19-1(3) Personal Data Law; tests check it row by row against the domain rule."""
    return or_(
        and_(Objection.answered_at.is_(None), Objection.deadline_at <= now),
        and_(Objection.answered_at.is_not(None), Objection.answered_at > now, Objection.deadline_at <= now),
        and_(
            Objection.answered_at.is_not(None),
            Objection.answered_at <= now,
            Objection.answered_at >= Objection.deadline_at,
        ),
    )


def find_colleague(session: Session, *, actor: User, email: str) -> User | None:
    """An active operator or organisation admin of the actor's organisation with this e-mail address."""
    return session.scalar(
        select(User).where(
            User.email == email.strip().lower(),
            User.organization_id == actor.organization_id,
            User.role.in_(("operator", "org_admin")),
            User.active,
        )
    )


def find_case(session: Session, *, actor: User, reference: str) -> Objection | None:
    """The objection with this reference when it belongs to the actor's organisation; None otherwise."""
    return session.scalar(
        select(Objection).where(
            Objection.reference == reference.strip().upper(),
            Objection.organization_id == actor.organization_id,
        )
    )


def list_cases(
    session: Session, *, actor: User, filters: CaseFilter, after: Position | None, limit: int, now: datetime
) -> Page:
    """One page of the actor's organisation's objections matching `filters`, after `after`."""
    query = (
        select(Objection)
        .where(Objection.organization_id == actor.organization_id)
        .options(selectinload(Objection.assignee), selectinload(Objection.notice), selectinload(Objection.organization))
        .order_by(Objection.deadline_at, Objection.id)
        .limit(limit + 1)
    )
    if filters.status is not None:
        query = query.where(Objection.status == filters.status)
    if filters.unassigned:
        query = query.where(Objection.assignee_id.is_(None))
    elif filters.assignee_id is not None:
        query = query.where(Objection.assignee_id == filters.assignee_id)
    if filters.breached is not None:
        condition = breach_condition(now)
        query = query.where(condition if filters.breached else ~condition)
    if filters.received_from is not None:
        query = query.where(Objection.received_at >= filters.received_from)
    if filters.received_before is not None:
        query = query.where(Objection.received_at < filters.received_before)
    if after is not None:
        query = query.where(
            or_(
                Objection.deadline_at > after.deadline_at,
                and_(Objection.deadline_at == after.deadline_at, Objection.id > after.id),
            )
        )
    rows = list(session.scalars(query))
    if len(rows) > limit:
        last = rows[limit - 1]
        return Page(items=rows[:limit], next=Position(deadline_at=last.deadline_at, id=last.id))
    return Page(items=rows, next=None)
