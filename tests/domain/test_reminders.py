"""Which message is due at a moment: only the latest moment that has come; a stale reminder gives way."""

from datetime import datetime, timedelta

import pytest

from objections.domain.reminders import DueMoment, due_moment, moment_offsets
from objections.domain.timefmt import NaiveDatetimeError

# Received Monday 16 March 2026; the deadline is Thursday 19 March 2026, 24:00 Astana = 19:00 UTC.
DEADLINE_AT = datetime.fromisoformat("2026-03-19T19:00Z")
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (DEADLINE_AT - 72 * HOUR, None),
        (DEADLINE_AT - 24 * HOUR - timedelta(seconds=1), None),
        (DEADLINE_AT - 24 * HOUR, "reminder-24h"),
        (DEADLINE_AT - 5 * HOUR, "reminder-24h"),
        (DEADLINE_AT - 4 * HOUR, "reminder-4h"),
        (DEADLINE_AT - timedelta(seconds=1), "reminder-4h"),
        (DEADLINE_AT, "breach"),
        (DEADLINE_AT + 30 * 24 * HOUR, "breach"),
    ],
)
def test_the_latest_moment_that_has_come_is_due(now: datetime, expected: str | None) -> None:
    moment = due_moment(DEADLINE_AT, now)
    assert (moment.label if moment else None) == expected


def test_a_missed_four_hour_reminder_gives_way_to_the_breach() -> None:
    moment = due_moment(DEADLINE_AT, DEADLINE_AT + 2 * HOUR)
    assert moment == DueMoment("breach", DEADLINE_AT)
    assert moment.is_breach


def test_the_moment_carries_its_own_time_not_the_clock() -> None:
    moment = due_moment(DEADLINE_AT, DEADLINE_AT - 3 * HOUR)
    assert moment == DueMoment("reminder-4h", DEADLINE_AT - 4 * HOUR)
    assert not moment.is_breach


def test_offsets_come_from_configuration() -> None:
    assert due_moment(DEADLINE_AT, DEADLINE_AT - 40 * HOUR, (48, 12)).label == "reminder-48h"
    assert due_moment(DEADLINE_AT, DEADLINE_AT - 40 * HOUR) is None


def test_moment_offsets_list_each_reminder_then_the_breach() -> None:
    assert moment_offsets((4, 24)) == [("reminder-24h", 24 * HOUR), ("reminder-4h", 4 * HOUR), ("breach", timedelta(0))]


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(NaiveDatetimeError):
        due_moment(DEADLINE_AT, datetime(2026, 3, 19, 12, 0))
