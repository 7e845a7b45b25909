"""Properties of the deadline engine over any moment of 2024–2028 and any overrides (hypothesis)."""

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from objections.domain.calendar import Override, WorkingCalendar
from objections.domain.deadlines import TERM_DAYS, Policy, compute
from objections.domain.timefmt import local_date

CALENDAR = WorkingCalendar()
moments = st.datetimes(
    min_value=datetime(2024, 3, 1), max_value=datetime(2028, 12, 31, 23, 59, 59), timezones=st.just(UTC)
)
policies = st.sampled_from(list(Policy))
overrides = st.dictionaries(
    keys=st.dates(min_value=date(2024, 3, 1), max_value=date(2029, 1, 31)), values=st.booleans(), max_size=40
).map(lambda days: [Override(day=day, is_working_day=working, reason="test") for day, working in days.items()])
bounded = settings(max_examples=200, deadline=None)


@bounded
@given(received_at=moments, policy=policies, corrections=overrides)
def test_the_last_day_is_a_working_day_at_least_three_days_after_receipt(
    received_at: datetime, policy: Policy, corrections: list[Override]
) -> None:
    calendar = WorkingCalendar(corrections)
    deadline = compute(received_at, calendar, policy)
    assert deadline.received_on == local_date(received_at)
    assert deadline.last_day >= deadline.received_on + timedelta(days=TERM_DAYS)
    assert calendar.is_working_day(deadline.last_day)


@bounded
@given(received_at=moments, policy=policies)
def test_the_deadline_is_19_utc_of_the_last_day(received_at: datetime, policy: Policy) -> None:
    deadline = compute(received_at, CALENDAR, policy)
    assert deadline.deadline_at == datetime.combine(deadline.last_day, time(19), tzinfo=UTC)
    assert local_date(deadline.deadline_at - timedelta(microseconds=1)) == deadline.last_day
    assert deadline.received_at < deadline.deadline_at


@bounded
@given(first=moments, second=moments, policy=policies, corrections=overrides)
def test_the_last_day_never_decreases_as_received_at_grows(
    first: datetime, second: datetime, policy: Policy, corrections: list[Override]
) -> None:
    calendar = WorkingCalendar(corrections)
    earlier, later = sorted((first, second))
    assert compute(earlier, calendar, policy).last_day <= compute(later, calendar, policy).last_day


@bounded
@given(received_at=moments, corrections=overrides)
def test_the_last_day_is_the_plain_third_day_when_that_is_a_working_day(
    received_at: datetime, corrections: list[Override]
) -> None:
    calendar = WorkingCalendar(corrections)
    third_day = local_date(received_at) + timedelta(days=TERM_DAYS)
    deadline = compute(received_at, calendar, Policy.CALENDAR_DAYS)
    if calendar.is_working_day(third_day):
        assert deadline.last_day == third_day
    else:
        assert deadline.last_day == calendar.next_working_day(third_day)


@bounded
@given(received_at=moments)
def test_working_days_are_never_shorter_than_calendar_days(received_at: datetime) -> None:
    calendar_days = compute(received_at, CALENDAR, Policy.CALENDAR_DAYS)
    working_days = compute(received_at, CALENDAR, Policy.WORKING_DAYS)
    assert working_days.last_day >= calendar_days.last_day
    assert {line for language in ("kk", "ru", "en") for line in working_days.explanation(language)}
