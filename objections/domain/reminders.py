"""Which of an objection's messages is due at a moment: only the latest moment that has come, so that a reminder
missed while the scheduler was down is not sent once a later one (or the breach) is due."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from objections.domain.standing import reminder_moments
from objections.domain.timefmt import require_aware

BREACH = "breach"


@dataclass(frozen=True)
class DueMoment:
    label: str
    """'reminder-24h', 'reminder-4h' or 'breach'."""
    at: datetime

    @property
    def is_breach(self) -> bool:
        return self.label == BREACH


def due_moment(deadline_at: datetime, now: datetime, offsets_hours: Sequence[int] = (24, 4)) -> DueMoment | None:
    """The latest of the reminders and the breach (DESIGN.md "reminders derive from deadline_at") that has come by
    `now`; None before the first."""
    require_aware(now, "now")
    due = [moment for moment in reminder_moments(deadline_at, offsets_hours) if moment[1] <= now]
    return DueMoment(*due[-1]) if due else None


def moment_offsets(offsets_hours: Sequence[int] = (24, 4)) -> list[tuple[str, timedelta]]:
    """Each moment's label and its distance before the deadline, earliest first, the breach (zero) last."""
    reference = datetime(2000, 1, 1, tzinfo=UTC)
    return [(label, reference - at) for label, at in reminder_moments(reference, offsets_hours)]
