"""Calendar overrides: adding or removing one, audited, recomputes the open deadlines it can move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from objections.domain import deadlines
from objections.domain.calendar import LOCAL_TZ
from objections.domain.errors import NotFound, ValidationFailed
from objections.domain.timefmt import local_date
from objections.models import CalendarOverride, Objection, User
from objections.models.objection import OPEN_STATUSES
from objections.services.audit import record_audit
from objections.services.deadlines import forget_calendar, load_calendar
from objections.services.events import append_event

REASON_MAX_LENGTH = 300
REVIEW_FROM_MONTH = 11
"""From 1 November the ministry's transfers of days off for the next year are due (they are published yearly)."""

ADDED = "calendar_override_added"
REMOVED = "calendar_override_removed"


@dataclass(frozen=True)
class DeadlineChange:
    """One open objection whose deadline moved; references only, no personal data."""

    objection_id: int
    reference: str
    old_deadline_at: datetime
    new_deadline_at: datetime
    old_last_day: date
    new_last_day: date


@dataclass(frozen=True)
class RecomputeResult:
    """The override added or removed, how many open objections it could affect, and the deadlines that moved."""

    day: date
    is_working_day: bool
    reason: str
    examined: int
    changes: tuple[DeadlineChange, ...]


def add_override(
    session: Session, *, day: date, is_working_day: bool, reason: str, actor: User | None, now: datetime
) -> RecomputeResult:
    """Declare a day a day off or a working day (an override always wins), then move the open deadlines it affects."""
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = ["required"]
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = ["too_long"]
    if _find(session, day) is not None:
        errors["day"] = ["duplicate"]
    if errors:
        raise ValidationFailed(errors)
    override = CalendarOverride(
        day=day, is_working_day=is_working_day, reason=reason, created_by_id=actor.id if actor else None, created_at=now
    )
    try:
        # A concurrent add of the same day loses here, on the unique day, instead of failing the whole transaction.
        with session.begin_nested():
            session.add(override)
            session.flush()
    except IntegrityError:
        raise ValidationFailed({"day": ["duplicate"]}) from None
    return _recompute_and_audit(
        session, cause=ADDED, day=day, is_working_day=is_working_day, reason=reason, actor=actor, now=now
    )


def remove_override(session: Session, *, day: date, actor: User | None, now: datetime) -> RecomputeResult:
    """Drop the override of a day, so the holidays calendar rules it again, and move the deadlines it affects."""
    override = _find(session, day)
    if override is None:
        raise NotFound(f"no calendar override for {day.isoformat()}")
    is_working_day, reason = override.is_working_day, override.reason
    session.delete(override)
    session.flush()
    return _recompute_and_audit(
        session, cause=REMOVED, day=day, is_working_day=is_working_day, reason=reason, actor=actor, now=now
    )


def _recompute_and_audit(
    session: Session, *, cause: str, day: date, is_working_day: bool, reason: str, actor: User | None, now: datetime
) -> RecomputeResult:
    """Move the open deadlines the changed day affects, and audit the change with what moved."""
    examined, changes = recompute_open_deadlines(session, day=day, cause=cause, actor=actor, now=now)
    record_audit(
        session,
        cause,
        now=now,
        actor=actor,
        payload={
            "day": day.isoformat(),
            "is_working_day": is_working_day,
            "reason": reason,
            "examined": examined,
            "deadlines_changed": [change.reference for change in changes],
        },
    )
    return RecomputeResult(day=day, is_working_day=is_working_day, reason=reason, examined=examined, changes=changes)


def list_overrides(session: Session, *, year: int | None = None) -> list[CalendarOverride]:
    """The overrides, earliest day first; those of one year when asked."""
    query = select(CalendarOverride).order_by(CalendarOverride.day)
    if year is not None:
        query = query.where(CalendarOverride.day.between(date(year, 1, 1), date(year, 12, 31)))
    return list(session.scalars(query))


def next_year_review_warning(session: Session, *, now: datetime) -> str | None:
    """From 1 November (Astana time), a reminder while next year has no override yet; None otherwise.

    The text is translated into the current locale: a caller outside a request sets one with `force_locale`."""
    today = local_date(now)
    if today.month < REVIEW_FROM_MONTH:
        return None
    next_year = today.year + 1
    if list_overrides(session, year=next_year):
        return None
    return gettext(
        "No calendar override for %(year)s yet: check the ministry's yearly transfers of days off for %(year)s "
        "and add those the holidays calendar lacks.",
        year=next_year,
    )


def recompute_open_deadlines(
    session: Session, *, day: date, cause: str, actor: User | None, now: datetime
) -> tuple[int, tuple[DeadlineChange, ...]]:
    """Recompute, on the current calendar, the open objections whose term a change of `day` can move.

    Both policies look only at the days after the day of receipt up to the last day, so only objections received
    before `day` whose last day is `day` or later can move. Returns how many were examined and what changed."""
    start_of_day = datetime.combine(day, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)
    candidates = session.scalars(
        select(Objection)
        .where(
            Objection.status.in_(OPEN_STATUSES),
            Objection.answered_at.is_(None),
            Objection.received_at < start_of_day,
            # deadline_at is always a local midnight, so this reads "the last day is `day` or later".
            Objection.deadline_at > start_of_day,
        )
        .order_by(Objection.id)
    ).all()
    forget_calendar(session)
    calendar = load_calendar(session)
    changes: list[DeadlineChange] = []
    for objection in candidates:
        computed = deadlines.compute(objection.received_at, calendar, objection.deadline_policy)
        if computed.deadline_at == objection.deadline_at:
            continue
        change = DeadlineChange(
            objection_id=objection.id,
            reference=objection.reference,
            old_deadline_at=objection.deadline_at,
            new_deadline_at=computed.deadline_at,
            old_last_day=objection.last_day,
            new_last_day=computed.last_day,
        )
        objection.deadline_at = computed.deadline_at
        objection.last_day = computed.last_day
        append_event(
            session,
            objection,
            "deadline_changed",
            now=now,
            actor=actor,
            payload={
                "old_deadline_at": change.old_deadline_at.isoformat(),
                "new_deadline_at": change.new_deadline_at.isoformat(),
                "old_last_day": change.old_last_day.isoformat(),
                "new_last_day": change.new_last_day.isoformat(),
                "reason": cause,
                "day": day.isoformat(),
            },
        )
        changes.append(change)
    session.flush()
    return len(candidates), tuple(changes)


def _find(session: Session, day: date) -> CalendarOverride | None:
    return session.scalar(select(CalendarOverride).where(CalendarOverride.day == day))
