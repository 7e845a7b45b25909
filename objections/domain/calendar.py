"""Kazakhstan's working calendar: weekends, the `holidays` package's KZ days off, and administrators' overrides."""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

from objections.domain import kz_calendar_data

LOCAL_TZ = ZoneInfo("Asia/Almaty")
"""All of Kazakhstan keeps UTC+5 since 1 March 2024; the zone database, never a fixed offset, knows the history."""

LANGUAGES = ("kk", "ru", "en")
# The years scripts/kz_calendar_snapshot.py writes to kz_calendar_data.py; others are read from the package.
SNAPSHOT_YEARS = range(2020, 2036)
MAX_SEARCH_DAYS = 60
"""No real calendar has two months without a working day: past this, the calendar data is wrong."""

HolidaySource = Callable[[int], Mapping[date, Mapping[str, str]]]
WeekendWorkdaySource = Callable[[int], Iterable[date]]

# Russian names of the package's KZ holidays, keyed by the package's en_US name (it has no Russian catalogue).
RU_HOLIDAY_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "New Year's Day": "Новый год",
        "Orthodox Christmas": "Православное Рождество",
        "International Women's Day": "Международный женский день",
        "Nowruz Holiday": "Наурыз мейрамы",
        "Kazakhstan's People Solidarity Holiday": "Праздник единства народа Казахстана",
        "Defender of the Fatherland Day": "День защитника Отечества",
        "Victory Day": "День Победы",
        "Capital Day": "День Столицы",
        "Constitution Day": "День Конституции Республики Казахстан",
        "Republic Day": "День Республики",
        "First President Day": "День Первого Президента Республики Казахстан",
        "Independence Day": "День Независимости",
        "Eid al-Adha": "Курбан айт",
    }
)
RU_SUFFIXES: Mapping[str, str] = MappingProxyType(
    {
        " (observed, estimated)": " (перенесённый выходной, дата предварительная)",
        " (observed)": " (перенесённый выходной)",
        " (estimated)": " (дата предварительная)",
    }
)
_SUBSTITUTED = re.compile(r"^Day off \(substituted from (\d{2})/(\d{2})/(\d{4})\)$")

TRANSFERRED_WORKING_DAY: Mapping[str, str] = MappingProxyType(
    {
        "kk": "демалыс күнінің ауыстырылуына байланысты жұмыс күні",
        "ru": "рабочий день в связи с переносом выходного",
        "en": "working day: a day off was moved",
    }
)


class NoWorkingDayError(RuntimeError):
    """No working day within MAX_SEARCH_DAYS: the holiday data or the overrides are wrong."""


class DuplicateOverrideError(ValueError):
    """Two overrides for one day: the calendar cannot tell which one wins."""


class DayKind(StrEnum):
    WORKING = "working"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    TRANSFERRED_WORKING_DAY = "transferred_working_day"
    OVERRIDE_DAY_OFF = "override_day_off"
    OVERRIDE_WORKING_DAY = "override_working_day"


WORKING_KINDS = frozenset({DayKind.WORKING, DayKind.TRANSFERRED_WORKING_DAY, DayKind.OVERRIDE_WORKING_DAY})


@dataclass(frozen=True)
class Override:
    day: date
    is_working_day: bool
    reason: str


@dataclass(frozen=True)
class DayInfo:
    day: date
    is_working: bool
    kind: DayKind
    reason: str | None


def normalize_language(language: str) -> str:
    """'kk', 'ru' or 'en' from a language tag such as 'ru_RU' or 'kk-KZ'; anything else reads as English."""
    prefix = language.replace("-", "_").split("_", 1)[0].lower()
    return prefix if prefix in LANGUAGES else "en"


def russian_holiday_name(english: str) -> str:
    """The Russian name of one of the package's KZ holidays, given its en_US name; unknown names stay English."""
    parts = [_russian_single_name(part) for part in english.split("; ")]
    return "; ".join(parts)


def _russian_single_name(english: str) -> str:
    substituted = _SUBSTITUTED.match(english)
    if substituted:
        month, day, year = substituted.groups()
        return f"Выходной день (перенесён с {day}.{month}.{year})"
    for suffix, ru_suffix in RU_SUFFIXES.items():
        if english.endswith(suffix):
            base = english.removesuffix(suffix)
            return RU_HOLIDAY_NAMES.get(base, base) + ru_suffix
    return RU_HOLIDAY_NAMES.get(english, english)


@lru_cache(maxsize=64)
def kz_holidays(year: int) -> Mapping[date, Mapping[str, str]]:
    """The package's KZ holidays and days off of one year, each named in kk, ru and en (read-only): from the
    snapshot for the years it covers, else from the package itself."""
    if year in kz_calendar_data.HOLIDAYS:
        return MappingProxyType(
            {
                date.fromisoformat(day): MappingProxyType({"kk": kk, "ru": russian_holiday_name(en), "en": en})
                for day, en, kk in kz_calendar_data.HOLIDAYS[year]
            }
        )
    return package_holidays(year)


@lru_cache(maxsize=64)
def kz_weekend_workdays(year: int) -> frozenset[date]:
    """Weekend days the government made working days when it moved a day off (the package knows them)."""
    if year in kz_calendar_data.WEEKEND_WORKDAYS:
        return frozenset(date.fromisoformat(day) for day in kz_calendar_data.WEEKEND_WORKDAYS[year])
    return package_weekend_workdays(year)


def package_holidays(year: int) -> Mapping[date, Mapping[str, str]]:
    """What the installed `holidays` package says of one year (imported only here: it loads every country)."""
    import holidays

    english = holidays.country_holidays("KZ", years=year, language="en_US")
    kazakh = holidays.country_holidays("KZ", years=year, language="kk")
    return MappingProxyType(
        {
            day: MappingProxyType({"kk": kazakh.get(day, name), "ru": russian_holiday_name(name), "en": name})
            for day, name in sorted(english.items())
        }
    )


def package_weekend_workdays(year: int) -> frozenset[date]:
    import holidays

    # A transfer is listed under the year of its day off, which may follow the working weekend day's year.
    calendar = holidays.country_holidays("KZ", years=(year, year + 1), language="en_US")
    return frozenset(day for day in calendar.weekend_workdays if day.year == year)


class WorkingCalendar:
    """Working days: Monday–Friday, minus KZ holidays and days off, corrected by overrides (which always win)."""

    def __init__(
        self,
        overrides: Iterable[Override] = (),
        *,
        holiday_source: HolidaySource | None = None,
        weekend_workday_source: WeekendWorkdaySource | None = None,
    ) -> None:
        by_day: dict[date, Override] = {}
        for override in overrides:
            if override.day in by_day:
                raise DuplicateOverrideError(f"two calendar overrides for {override.day.isoformat()}")
            by_day[override.day] = override
        self._overrides: Mapping[date, Override] = MappingProxyType(by_day)
        if holiday_source is None:
            holiday_source = kz_holidays
            if weekend_workday_source is None:
                weekend_workday_source = kz_weekend_workdays
        self._holiday_source = holiday_source
        self._weekend_workday_source = weekend_workday_source
        self._holidays: dict[int, Mapping[date, Mapping[str, str]]] = {}
        self._weekend_workdays: dict[int, frozenset[date]] = {}

    @property
    def overrides(self) -> tuple[Override, ...]:
        return tuple(sorted(self._overrides.values(), key=lambda override: override.day))

    def holidays_of(self, year: int) -> Mapping[date, Mapping[str, str]]:
        """The holiday source's days off of one year, fetched once per calendar."""
        if year not in self._holidays:
            self._holidays[year] = self._holiday_source(year)
        return self._holidays[year]

    def _is_weekend_workday(self, day: date) -> bool:
        if self._weekend_workday_source is None:
            return False
        if day.year not in self._weekend_workdays:
            self._weekend_workdays[day.year] = frozenset(self._weekend_workday_source(day.year))
        return day in self._weekend_workdays[day.year]

    def kind_of(self, day: date) -> DayKind:
        """Why the day is, or is not, a working day; an override first, then holidays, then the weekend."""
        override = self._overrides.get(day)
        if override is not None:
            return DayKind.OVERRIDE_WORKING_DAY if override.is_working_day else DayKind.OVERRIDE_DAY_OFF
        if day in self.holidays_of(day.year):
            return DayKind.HOLIDAY
        if day.weekday() >= 5:
            return DayKind.TRANSFERRED_WORKING_DAY if self._is_weekend_workday(day) else DayKind.WEEKEND
        return DayKind.WORKING

    def is_working_day(self, day: date) -> bool:
        return self.kind_of(day) in WORKING_KINDS

    def first_working_day_on_or_after(self, day: date) -> date:
        """The day itself when it is a working day, else the next one (Civil Code General Part Art. 176)."""
        for offset in range(MAX_SEARCH_DAYS + 1):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise NoWorkingDayError(f"no working day within {MAX_SEARCH_DAYS} days of {day.isoformat()}")

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after the day."""
        return self.first_working_day_on_or_after(day + timedelta(days=1))

    def describe(self, day: date, language: str = "en") -> DayInfo:
        """The day's kind, with the holiday name in the language or the override's reason."""
        kind = self.kind_of(day)
        reason: str | None = None
        if kind in {DayKind.OVERRIDE_WORKING_DAY, DayKind.OVERRIDE_DAY_OFF}:
            reason = self._overrides[day].reason
        elif kind is DayKind.HOLIDAY:
            names = self.holidays_of(day.year)[day]
            reason = names.get(normalize_language(language)) or names.get("en") or next(iter(names.values()), None)
        elif kind is DayKind.TRANSFERRED_WORKING_DAY:
            reason = TRANSFERRED_WORKING_DAY[normalize_language(language)]
        return DayInfo(day=day, is_working=kind in WORKING_KINDS, kind=kind, reason=reason)
