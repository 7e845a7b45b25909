"""The working calendar: weekends, KZ holidays and days off, transfers, overrides, names in kk/ru/en."""

import re
from datetime import date, timedelta
from importlib.metadata import version

import holidays
import pytest

from objections.domain.calendar import (
    MAX_SEARCH_DAYS,
    DayInfo,
    DayKind,
    DuplicateOverrideError,
    NoWorkingDayError,
    Override,
    WorkingCalendar,
    kz_holidays,
    normalize_language,
    russian_holiday_name,
)

CALENDAR = WorkingCalendar()


@pytest.mark.parametrize(
    ("day", "is_working"),
    [
        (date(2026, 3, 20), True),  # Friday before Nauryz
        (date(2026, 3, 21), False),  # Nauryz, a Saturday
        (date(2026, 3, 23), False),  # Nauryz
        (date(2026, 3, 24), False),  # Nauryz, moved off the weekend
        (date(2026, 3, 25), False),  # Nauryz, moved off the weekend
        (date(2026, 3, 26), True),
        (date(2026, 1, 7), False),  # Orthodox Christmas
        (date(2026, 5, 11), False),  # Victory Day, moved off Saturday 9 May
        (date(2026, 7, 6), False),  # Capital Day
        (date(2026, 8, 31), True),  # 30 August is no longer a day off from 2026
        (date(2026, 12, 16), False),  # Independence Day
        (date(2026, 12, 17), True),  # 17 December is a day off only until 2021
        (date(2027, 1, 4), False),  # New Year, moved off Saturday 2 January
        (date(2027, 3, 15), False),  # Constitution Day from 2027
        (date(2027, 3, 24), False),  # Nauryz, moved off Sunday 21 March
        (date(2027, 3, 25), True),
        (date(2026, 3, 14), False),  # an ordinary Saturday
        (date(2026, 3, 15), False),  # an ordinary Sunday
        (date(2026, 3, 16), True),  # an ordinary Monday
        (date(2024, 5, 4), True),  # a Saturday made a working day: its day off moved to 8 May 2024
        (date(2024, 5, 8), False),
        (date(2025, 1, 5), True),  # a Sunday made a working day: its day off moved to 3 January 2025
        (date(2025, 1, 3), False),
    ],
)
def test_is_working_day_follows_the_kz_calendar(day: date, is_working: bool) -> None:
    assert CALENDAR.is_working_day(day) is is_working


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 20), date(2026, 3, 26)),  # over Nauryz
        (date(2026, 3, 26), date(2026, 3, 27)),
        (date(2026, 3, 27), date(2026, 3, 30)),  # over a weekend
        (date(2026, 12, 31), date(2027, 1, 5)),  # over the new year
        (date(2027, 5, 6), date(2027, 5, 11)),  # Defender of the Fatherland Day, weekend, Victory Day moved
    ],
)
def test_next_working_day_is_strictly_after(day: date, expected: date) -> None:
    assert CALENDAR.next_working_day(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 20), date(2026, 3, 20)),
        (date(2026, 3, 21), date(2026, 3, 26)),
        (date(2027, 1, 1), date(2027, 1, 5)),
    ],
)
def test_first_working_day_on_or_after_keeps_a_working_day(day: date, expected: date) -> None:
    assert CALENDAR.first_working_day_on_or_after(day) == expected


@pytest.mark.parametrize(
    ("day", "language", "kind", "reason"),
    [
        (date(2026, 3, 23), "en", DayKind.HOLIDAY, "Nowruz Holiday"),
        (date(2026, 3, 23), "kk", DayKind.HOLIDAY, "Наурыз мейрамы"),
        (date(2026, 3, 23), "ru", DayKind.HOLIDAY, "Наурыз мейрамы"),
        (date(2026, 3, 24), "ru", DayKind.HOLIDAY, "Наурыз мейрамы (перенесённый выходной)"),
        (date(2026, 3, 24), "kk", DayKind.HOLIDAY, "Наурыз мейрамы (қайта белгіленген демалыс)"),
        (date(2026, 5, 11), "ru", DayKind.HOLIDAY, "День Победы (перенесённый выходной)"),
        (date(2026, 5, 27), "ru", DayKind.HOLIDAY, "Курбан айт (дата предварительная)"),
        (date(2026, 12, 16), "ru_RU", DayKind.HOLIDAY, "День Независимости"),
        (date(2024, 5, 8), "ru", DayKind.HOLIDAY, "Выходной день (перенесён с 04.05.2024)"),
        (date(2026, 3, 14), "en", DayKind.WEEKEND, None),
        (date(2026, 3, 16), "kk", DayKind.WORKING, None),
        (date(2024, 5, 4), "en", DayKind.TRANSFERRED_WORKING_DAY, "working day: a day off was moved"),
    ],
)
def test_describe_names_the_day_in_the_language(day: date, language: str, kind: DayKind, reason: str | None) -> None:
    info = CALENDAR.describe(day, language)
    assert info == DayInfo(
        day=day, is_working=kind in {DayKind.WORKING, DayKind.TRANSFERRED_WORKING_DAY}, kind=kind, reason=reason
    )


def test_describe_defaults_to_english() -> None:
    assert CALENDAR.describe(date(2026, 7, 6)).reason == "Capital Day"


def test_every_kz_holiday_of_2024_to_2028_has_a_russian_name() -> None:
    english = holidays.country_holidays("KZ", years=range(2024, 2029), language="en_US")
    for name in english.values():
        russian = russian_holiday_name(name)
        assert not re.search("[A-Za-z]", russian), (name, russian)


def test_russian_names_cover_coinciding_holidays_and_fall_back_to_english() -> None:
    assert russian_holiday_name("Victory Day; Eid al-Adha (estimated)") == (
        "День Победы; Курбан айт (дата предварительная)"
    )
    assert russian_holiday_name("Eid al-Adha (observed, estimated)") == (
        "Курбан айт (перенесённый выходной, дата предварительная)"
    )
    assert russian_holiday_name("Some New Day") == "Some New Day"


def test_kz_holidays_name_each_day_in_three_languages() -> None:
    names = kz_holidays(2026)[date(2026, 3, 22)]
    assert dict(names) == {"kk": "Наурыз мейрамы", "ru": "Наурыз мейрамы", "en": "Nowruz Holiday"}


def test_an_override_makes_a_saturday_a_working_day() -> None:
    saturday = date(2026, 3, 14)
    calendar = WorkingCalendar([Override(day=saturday, is_working_day=True, reason="Working Saturday")])
    assert calendar.is_working_day(saturday)
    assert calendar.describe(saturday, "ru") == DayInfo(
        day=saturday, is_working=True, kind=DayKind.OVERRIDE_WORKING_DAY, reason="Working Saturday"
    )
    assert calendar.next_working_day(date(2026, 3, 13)) == saturday


def test_an_override_makes_a_friday_a_day_off() -> None:
    friday = date(2026, 4, 10)
    calendar = WorkingCalendar([Override(day=friday, is_working_day=False, reason="Day off moved by decree")])
    assert not calendar.is_working_day(friday)
    assert calendar.describe(friday).kind is DayKind.OVERRIDE_DAY_OFF
    assert calendar.next_working_day(date(2026, 4, 9)) == date(2026, 4, 13)


def test_an_override_wins_over_a_holiday() -> None:
    capital_day = date(2026, 7, 6)
    calendar = WorkingCalendar([Override(day=capital_day, is_working_day=True, reason="Correction")])
    assert calendar.is_working_day(capital_day)
    assert calendar.describe(capital_day, "kk").reason == "Correction"


def test_overrides_are_listed_by_day() -> None:
    later = Override(day=date(2026, 4, 10), is_working_day=False, reason="b")
    earlier = Override(day=date(2026, 3, 14), is_working_day=True, reason="a")
    assert WorkingCalendar([later, earlier]).overrides == (earlier, later)


def test_two_overrides_for_one_day_are_refused() -> None:
    day = date(2026, 3, 14)
    with pytest.raises(DuplicateOverrideError, match="2026-03-14"):
        WorkingCalendar([Override(day, True, "a"), Override(day, False, "b")])


def test_a_holiday_source_is_asked_once_per_year() -> None:
    asked: list[int] = []

    def source(year: int) -> dict[date, dict[str, str]]:
        asked.append(year)
        return {date(year, 6, 1): {"en": "Test Day"}}

    calendar = WorkingCalendar(holiday_source=source)
    assert not calendar.is_working_day(date(2026, 6, 1))
    assert calendar.describe(date(2026, 6, 1), "kk").reason == "Test Day"
    assert calendar.is_working_day(date(2026, 6, 2))
    assert calendar.is_working_day(date(2027, 3, 22))  # the package's holidays are not consulted
    assert asked == [2026, 2027]


def test_a_custom_source_has_no_transferred_working_days_unless_given() -> None:
    def no_holidays(year: int) -> dict[date, dict[str, str]]:
        return {}

    assert not WorkingCalendar(holiday_source=no_holidays).is_working_day(date(2024, 5, 4))
    with_transfers = WorkingCalendar(holiday_source=no_holidays, weekend_workday_source=lambda year: [date(2024, 5, 4)])
    assert with_transfers.is_working_day(date(2024, 5, 4))
    assert not with_transfers.is_working_day(date(2024, 5, 5))


def test_the_package_holidays_combine_with_a_custom_source_of_working_weekends() -> None:
    calendar = WorkingCalendar(weekend_workday_source=lambda year: [date(2026, 3, 14)])
    assert calendar.describe(date(2026, 3, 14)).kind is DayKind.TRANSFERRED_WORKING_DAY
    assert not calendar.is_working_day(date(2026, 3, 23))
    assert not calendar.is_working_day(date(2024, 5, 4))


def test_a_calendar_without_working_days_stops_searching() -> None:
    def every_day_off(year: int) -> dict[date, dict[str, str]]:
        first, next_first = date(year, 1, 1), date(year + 1, 1, 1)
        return {first + timedelta(days=n): {"en": "Off"} for n in range((next_first - first).days)}

    calendar = WorkingCalendar(holiday_source=every_day_off)
    with pytest.raises(NoWorkingDayError, match=f"{MAX_SEARCH_DAYS} days of 2026-03-20"):
        calendar.first_working_day_on_or_after(date(2026, 3, 20))


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("kk", "kk"), ("ru", "ru"), ("en", "en"), ("ru_RU", "ru"), ("kk-KZ", "kk"), ("EN_us", "en"), ("de", "en")],
)
def test_normalize_language(tag: str, expected: str) -> None:
    assert normalize_language(tag) == expected


def test_the_snapshot_says_exactly_what_the_installed_holidays_package_says() -> None:
    """kz_calendar_data.py spares web workers the package's import; after an upgrade of `holidays` this fails until
    `scripts/kz_calendar_snapshot.py` is run again."""
    from objections.domain import calendar, kz_calendar_data

    assert version("holidays") == kz_calendar_data.PACKAGE_VERSION
    for year in calendar.SNAPSHOT_YEARS:
        assert calendar.kz_holidays(year) == calendar.package_holidays(year), year
        assert calendar.kz_weekend_workdays(year) == calendar.package_weekend_workdays(year), year


def test_years_outside_the_snapshot_come_from_the_package() -> None:
    from objections.domain import calendar

    year = calendar.SNAPSHOT_YEARS.stop + 1
    assert calendar.kz_holidays(year) == calendar.package_holidays(year)
    assert date(year, 1, 1) in calendar.kz_holidays(year)


def test_a_deadline_in_a_covered_year_never_imports_the_package() -> None:
    """The package loads every country's calendar (about 19 MB); a web worker reading the snapshot needs none."""
    import subprocess
    import sys

    probe = (
        "import sys; from datetime import date; from objections.domain.calendar import WorkingCalendar; "
        "calendar = WorkingCalendar(); assert not calendar.is_working_day(date(2026, 3, 23)); "
        "print('holidays' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
