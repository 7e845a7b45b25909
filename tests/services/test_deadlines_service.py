"""The working calendar is read once per transaction and anew after it ends."""

from datetime import date

from objections.models import CalendarOverride
from objections.services.deadlines import load_calendar


def test_the_calendar_is_cached_within_a_transaction_and_reread_after_commit(session) -> None:
    first = load_calendar(session)
    assert load_calendar(session) is first
    session.add(CalendarOverride(day=date(2026, 3, 27), is_working_day=False, reason="Decree"))
    session.commit()
    fresh = load_calendar(session)
    assert fresh is not first
    assert not fresh.is_working_day(date(2026, 3, 27))
