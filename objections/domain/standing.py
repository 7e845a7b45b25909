"""An objection's standing against its deadline at a moment: one label, the time left, and whether it is a breach."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from objections.domain.timefmt import local_date, require_aware

DUE_SOON = timedelta(hours=24)
LAST_MOMENT_OF_TERM = timedelta(microseconds=1)
"""deadline_at is 00:00 of the next day; the term's last day is the day of the moment just before it."""


class Standing(StrEnum):
    """Listed in precedence order: the first that matches is the objection's standing."""

    ANSWERED_ON_TIME = "answered_on_time"
    ANSWERED_LATE = "answered_late"
    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    DUE_WITHIN_24H = "due_within_24h"
    AT_RISK = "at_risk"
    ON_TIME = "on_time"


@dataclass(frozen=True)
class StandingInfo:
    standing: Standing
    time_left: timedelta | None
    is_breach: bool


def _answered_by(answered_at: datetime | None, now: datetime) -> datetime | None:
    """The answer as known at `now`: an answer given later did not exist yet at that moment."""
    if answered_at is None:
        return None
    require_aware(answered_at, "answered_at")
    return answered_at if answered_at <= now else None


def is_breach(*, deadline_at: datetime, answered_at: datetime | None, now: datetime) -> bool:
    """Answered at or after the deadline, or unanswered at or after it (Art. 19-1(3) Personal Data Law)."""
    require_aware(deadline_at, "deadline_at")
    require_aware(now, "now")
    answered = _answered_by(answered_at, now)
    return (answered if answered is not None else now) >= deadline_at


def hours_late(*, deadline_at: datetime, answered_at: datetime | None, now: datetime) -> float | None:
    """Hours from the deadline to the answer (or to `now` while unanswered); None when not late."""
    if not is_breach(deadline_at=deadline_at, answered_at=answered_at, now=now):
        return None
    answered = _answered_by(answered_at, now)
    late_by = (answered if answered is not None else now) - deadline_at
    return late_by / timedelta(hours=1)


def standing_at(
    *,
    now: datetime,
    received_at: datetime,
    deadline_at: datetime,
    answered_at: datetime | None,
    internal_target_hours: int | None = None,
) -> StandingInfo:
    """The one label of DESIGN.md "Standing at a moment", first match wins, with the time left while unanswered."""
    require_aware(received_at, "received_at")
    breach = is_breach(deadline_at=deadline_at, answered_at=answered_at, now=now)
    answered = _answered_by(answered_at, now)
    if answered is not None:
        standing = Standing.ANSWERED_LATE if breach else Standing.ANSWERED_ON_TIME
        return StandingInfo(standing=standing, time_left=None, is_breach=breach)
    time_left = deadline_at - now
    if breach:
        standing = Standing.OVERDUE
    elif local_date(now) == local_date(deadline_at - LAST_MOMENT_OF_TERM):
        standing = Standing.DUE_TODAY
    elif time_left <= DUE_SOON:
        standing = Standing.DUE_WITHIN_24H
    elif internal_target_hours is not None and received_at + timedelta(hours=internal_target_hours) <= now:
        standing = Standing.AT_RISK
    else:
        standing = Standing.ON_TIME
    return StandingInfo(standing=standing, time_left=time_left, is_breach=breach)


def reminder_moments(deadline_at: datetime, offsets_hours: Sequence[int] = (24, 4)) -> list[tuple[str, datetime]]:
    """The reminders before the deadline, earliest first, then the breach at the deadline itself."""
    require_aware(deadline_at, "deadline_at")
    if any(offset <= 0 for offset in offsets_hours):
        raise ValueError(f"reminder offsets must be positive hours, got {list(offsets_hours)}")
    moments = [
        (f"reminder-{offset}h", deadline_at - timedelta(hours=offset))
        for offset in sorted(set(offsets_hours), reverse=True)
    ]
    return [*moments, ("breach", deadline_at)]
