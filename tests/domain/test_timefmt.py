"""Dates and times written from the snapshot of month and weekday names, word for word as Babel writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version

import pytest
from babel.dates import format_date, format_time

from objections.domain import date_names_data, timefmt


def _days() -> list[date]:
    """Every day of a year, and a leap day: every month, every weekday, one- and two-digit days."""
    start = date(2026, 1, 1)
    return [start + timedelta(days=n) for n in range(365)] + [date(2028, 2, 29)]


def test_the_snapshot_is_of_the_installed_babel() -> None:
    """After an upgrade of Babel this fails until `scripts/date_names_snapshot.py` is run again."""
    assert version("babel") == date_names_data.PACKAGE_VERSION


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_dates_are_written_as_babel_writes_them(language: str) -> None:
    locale = timefmt.BABEL_LOCALES[language]
    for day in _days():
        for patterns, with_weekday in ((timefmt.DATE_PATTERNS, False), (timefmt.WEEKDAY_DATE_PATTERNS, True)):
            expected = format_date(day, patterns[language], locale=locale).replace("\u202f", " ")
            assert timefmt.format_local_date(day, language, with_weekday=with_weekday) == expected
        assert timefmt.format_weekday(day, language) == format_date(day, "EEEE", locale=locale)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_times_are_written_as_babel_writes_them(language: str) -> None:
    locale = timefmt.BABEL_LOCALES[language]
    start = datetime(2026, 3, 20, tzinfo=timefmt.LOCAL_TZ)
    for minute in range(0, 24 * 60, 7):
        moment = start + timedelta(minutes=minute)
        written = timefmt.format_local_datetime(moment.astimezone(UTC), language)
        assert f", {format_time(moment.time(), 'HH:mm', locale=locale)} (" in written


def test_examples_read_as_people_write_them() -> None:
    day = date(2026, 3, 26)
    assert timefmt.format_end_of_day(day, "en") == "Thursday 26 March 2026, 24:00 (Astana time)"
    assert timefmt.format_end_of_day(day, "ru") == "четверг, 26 марта 2026 г., 24:00 (время Астаны)"
    assert timefmt.format_local_date(day, "kk") == "2026 жылғы 26 наурыз"


def test_a_pattern_with_a_field_not_written_here_is_refused() -> None:
    with pytest.raises(ValueError, match="'MMM'"):
        timefmt._formatted(date(2026, 3, 26), "d MMM y", "en_GB")
    assert timefmt._formatted(date(2026, 3, 26), "d 'o''clock' ''", "en_GB") == "26 o'clock '"
