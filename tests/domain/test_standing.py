"""An objection's standing at a moment: every label, their precedence, breaches, lateness and reminders."""

from datetime import datetime, timedelta

import pytest

from objections.domain.standing import (
    Standing,
    StandingInfo,
    hours_late,
    is_breach,
    reminder_moments,
    standing_at,
)
from objections.domain.timefmt import NaiveDatetimeError


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


# Received Friday 20 March 2026, 15:00 Astana; the deadline is Thursday 26 March 2026, 24:00 Astana.
RECEIVED_AT = at("2026-03-20T10:00Z")
DEADLINE_AT = at("2026-03-26T19:00Z")
# A deadline that is not a local midnight (as one stored before a correction might be): 15:00 Astana.
AFTERNOON_DEADLINE_AT = at("2026-03-26T10:00Z")


@pytest.mark.parametrize(
    ("now", "deadline_at", "answered_at", "target_hours", "standing"),
    [
        # Answered: on time strictly before the deadline, late at or after it, whatever else holds.
        ("2026-03-27T10:00Z", DEADLINE_AT, "2026-03-26T18:59:59.999999Z", 1, Standing.ANSWERED_ON_TIME),
        ("2026-03-20T11:00Z", DEADLINE_AT, "2026-03-20T10:30Z", None, Standing.ANSWERED_ON_TIME),
        ("2026-03-26T19:00Z", DEADLINE_AT, "2026-03-26T19:00Z", None, Standing.ANSWERED_LATE),
        ("2026-04-30T10:00Z", DEADLINE_AT, "2026-03-27T09:00Z", 1, Standing.ANSWERED_LATE),
        # Unanswered at or past the deadline.
        ("2026-03-26T19:00Z", DEADLINE_AT, None, 1, Standing.OVERDUE),
        ("2026-03-30T10:00Z", DEADLINE_AT, None, None, Standing.OVERDUE),
        # An answer given after `now` did not exist yet at that moment.
        ("2026-03-27T10:00Z", DEADLINE_AT, "2026-03-28T10:00Z", None, Standing.OVERDUE),
        # The last day in Astana, from its 00:00 to the moment before 24:00; it wins over the 24 hours and risk.
        ("2026-03-25T19:00Z", DEADLINE_AT, None, 1, Standing.DUE_TODAY),
        ("2026-03-26T18:59:59.999999Z", DEADLINE_AT, None, None, Standing.DUE_TODAY),
        ("2026-03-25T19:00Z", AFTERNOON_DEADLINE_AT, None, None, Standing.DUE_TODAY),
        # Within 24 hours but on the day before the last day: only a deadline that is not at midnight allows it.
        ("2026-03-25T12:00Z", AFTERNOON_DEADLINE_AT, None, 1, Standing.DUE_WITHIN_24H),
        ("2026-03-25T10:00Z", AFTERNOON_DEADLINE_AT, None, None, Standing.DUE_WITHIN_24H),
        ("2026-03-25T09:59:59Z", AFTERNOON_DEADLINE_AT, None, None, Standing.ON_TIME),
        # The organisation's internal target has passed (at its very moment too).
        ("2026-03-21T10:00Z", DEADLINE_AT, None, 24, Standing.AT_RISK),
        ("2026-03-25T18:59:59Z", DEADLINE_AT, None, 24, Standing.AT_RISK),
        ("2026-03-20T10:00Z", DEADLINE_AT, None, 0, Standing.AT_RISK),
        # Nothing else holds.
        ("2026-03-21T09:59:59Z", DEADLINE_AT, None, 24, Standing.ON_TIME),
        ("2026-03-25T18:59:59Z", DEADLINE_AT, None, None, Standing.ON_TIME),
    ],
)
def test_standing_first_match_wins(
    now: str, deadline_at: datetime, answered_at: str | None, target_hours: int | None, standing: Standing
) -> None:
    info = standing_at(
        now=at(now),
        received_at=RECEIVED_AT,
        deadline_at=deadline_at,
        answered_at=at(answered_at) if answered_at else None,
        internal_target_hours=target_hours,
    )
    assert info.standing is standing


def test_standing_labels_in_precedence_order() -> None:
    assert [str(label) for label in Standing] == [
        "answered_on_time",
        "answered_late",
        "overdue",
        "due_today",
        "due_within_24h",
        "at_risk",
        "on_time",
    ]


def test_an_unanswered_objection_has_time_left() -> None:
    info = standing_at(now=at("2026-03-26T09:00Z"), received_at=RECEIVED_AT, deadline_at=DEADLINE_AT, answered_at=None)
    assert info == StandingInfo(standing=Standing.DUE_TODAY, time_left=timedelta(hours=10), is_breach=False)


def test_an_overdue_objection_has_negative_time_left_and_is_a_breach() -> None:
    info = standing_at(now=at("2026-03-27T10:00Z"), received_at=RECEIVED_AT, deadline_at=DEADLINE_AT, answered_at=None)
    assert info == StandingInfo(standing=Standing.OVERDUE, time_left=timedelta(hours=-15), is_breach=True)


def test_at_the_deadline_the_time_left_is_zero_and_it_is_a_breach() -> None:
    info = standing_at(now=DEADLINE_AT, received_at=RECEIVED_AT, deadline_at=DEADLINE_AT, answered_at=None)
    assert info == StandingInfo(standing=Standing.OVERDUE, time_left=timedelta(0), is_breach=True)


@pytest.mark.parametrize(
    ("answered_at", "info"),
    [
        ("2026-03-23T09:00Z", StandingInfo(Standing.ANSWERED_ON_TIME, None, False)),
        ("2026-03-26T19:00Z", StandingInfo(Standing.ANSWERED_LATE, None, True)),
    ],
)
def test_an_answered_objection_has_no_time_left(answered_at: str, info: StandingInfo) -> None:
    now = at("2026-04-01T00:00Z")
    assert standing_at(now=now, received_at=RECEIVED_AT, deadline_at=DEADLINE_AT, answered_at=at(answered_at)) == info


@pytest.mark.parametrize(
    ("now", "answered_at", "breach", "late"),
    [
        ("2026-03-26T18:00Z", None, False, None),
        ("2026-03-26T19:00Z", None, True, 0.0),
        ("2026-03-26T20:30Z", None, True, 1.5),
        ("2026-04-10T00:00Z", "2026-03-26T18:59:59Z", False, None),
        ("2026-04-10T00:00Z", "2026-03-26T19:00Z", True, 0.0),
        ("2026-04-10T00:00Z", "2026-03-26T21:00Z", True, 2.0),
        ("2026-03-26T20:00Z", "2026-03-27T09:00Z", True, 1.0),  # not yet answered at `now`
    ],
)
def test_breach_and_hours_late(now: str, answered_at: str | None, breach: bool, late: float | None) -> None:
    answered = at(answered_at) if answered_at else None
    assert is_breach(deadline_at=DEADLINE_AT, answered_at=answered, now=at(now)) is breach
    assert hours_late(deadline_at=DEADLINE_AT, answered_at=answered, now=at(now)) == late


@pytest.mark.parametrize(
    "naive",
    [
        {"now": datetime(2026, 3, 21, 10)},
        {"received_at": datetime(2026, 3, 20, 10)},
        {"deadline_at": datetime(2026, 3, 26, 19)},
        {"answered_at": datetime(2026, 3, 21, 9)},
    ],
)
def test_naive_datetimes_are_refused(naive: dict[str, datetime]) -> None:
    arguments: dict[str, datetime | None] = {
        "now": at("2026-03-21T10:00Z"),
        "received_at": RECEIVED_AT,
        "deadline_at": DEADLINE_AT,
        "answered_at": None,
    }
    with pytest.raises(NaiveDatetimeError, match=f"{next(iter(naive))} .* has no time zone"):
        standing_at(**(arguments | naive))  # type: ignore[arg-type]


def test_reminders_default_to_24_and_4_hours_then_the_breach() -> None:
    assert reminder_moments(DEADLINE_AT) == [
        ("reminder-24h", at("2026-03-25T19:00Z")),
        ("reminder-4h", at("2026-03-26T15:00Z")),
        ("breach", DEADLINE_AT),
    ]


def test_reminder_offsets_are_configurable_and_ordered() -> None:
    assert reminder_moments(DEADLINE_AT, (4, 48, 4)) == [
        ("reminder-48h", at("2026-03-24T19:00Z")),
        ("reminder-4h", at("2026-03-26T15:00Z")),
        ("breach", DEADLINE_AT),
    ]
    assert reminder_moments(DEADLINE_AT, ()) == [("breach", DEADLINE_AT)]


@pytest.mark.parametrize("offsets", [(0,), (24, -4)])
def test_reminder_offsets_must_be_positive(offsets: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="positive hours"):
        reminder_moments(DEADLINE_AT, offsets)


def test_reminders_refuse_a_naive_deadline() -> None:
    with pytest.raises(NaiveDatetimeError):
        reminder_moments(datetime(2026, 3, 26, 19))
