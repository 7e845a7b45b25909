"""Local (Astana time) dates and times for people, in kk, ru and en, through `babel.dates`."""

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from functools import lru_cache
from types import MappingProxyType

from babel.dates import format_date, format_time

from objections.domain.calendar import LOCAL_TZ, normalize_language


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone: the moment it names is ambiguous, so it is refused."""


BABEL_LOCALES: Mapping[str, str] = MappingProxyType({"kk": "kk_KZ", "ru": "ru_RU", "en": "en_GB"})
DATE_PATTERNS: Mapping[str, str] = MappingProxyType({"kk": "y 'жылғы' d MMMM", "ru": "d MMMM y 'г'.", "en": "d MMMM y"})
WEEKDAY_DATE_PATTERNS: Mapping[str, str] = MappingProxyType(
    {"kk": "y 'жылғы' d MMMM, EEEE", "ru": "EEEE, d MMMM y 'г'.", "en": "EEEE d MMMM y"}
)
ASTANA_TIME: Mapping[str, str] = MappingProxyType({"kk": "Астана уақыты", "ru": "время Астаны", "en": "Astana time"})
AND: Mapping[str, str] = MappingProxyType({"kk": "және", "ru": "и", "en": "and"})
END_OF_DAY = "24:00"


def require_aware(value: datetime, name: str = "datetime") -> datetime:
    """The value itself, or NaiveDatetimeError when it carries no time zone."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveDatetimeError(
            f"{name} {value.isoformat()} has no time zone; pass an aware datetime (UTC or Asia/Almaty)"
        )
    return value


def to_local(dt: datetime) -> datetime:
    """The same moment in Asia/Almaty; naive datetimes are refused."""
    return require_aware(dt).astimezone(LOCAL_TZ)


def local_date(dt: datetime) -> date:
    """The calendar day in Asia/Almaty on which the moment falls."""
    return to_local(dt).date()


@lru_cache(maxsize=8192)
def _formatted_date(day: date, pattern: str, locale: str) -> str:
    # A pure function of its arguments, asked for the same few days over and over (every deadline, every page):
    # remembered, since Babel takes far longer to format a date than a lookup takes.
    return format_date(day, pattern, locale=locale)


@lru_cache(maxsize=2048)
def _formatted_time(moment: time, pattern: str, locale: str) -> str:
    return format_time(moment, pattern, locale=locale)


def _babel_date(day: date, pattern: Mapping[str, str], language: str) -> str:
    code = normalize_language(language)
    # Babel puts a narrow no-break space before abbreviations ("2026 г."); plain text keeps a plain space.
    return _formatted_date(day, pattern[code], BABEL_LOCALES[code]).replace("\u202f", " ")


def format_local_date(d: date, language: str, *, with_weekday: bool = False) -> str:
    """'26 March 2026', '26 марта 2026 г.', '2026 жылғы 26 наурыз' (a weekday first when asked)."""
    return _babel_date(d, WEEKDAY_DATE_PATTERNS if with_weekday else DATE_PATTERNS, language)


def format_weekday(d: date, language: str) -> str:
    """The weekday's name: 'Saturday', 'суббота', 'сенбі'."""
    code = normalize_language(language)
    return _formatted_date(d, "EEEE", BABEL_LOCALES[code])


def _with_astana_time(day_text: str, time_text: str, language: str) -> str:
    return f"{day_text}, {time_text} ({ASTANA_TIME[normalize_language(language)]})"


def format_local_datetime(dt_utc: datetime, language: str, *, with_weekday: bool = True) -> str:
    """'Friday 20 March 2026, 15:00 (Astana time)' for a moment, shown on the Asia/Almaty clock."""
    local = to_local(dt_utc)
    code = normalize_language(language)
    time_text = _formatted_time(local.time().replace(second=0, microsecond=0), "HH:mm", BABEL_LOCALES[code])
    return _with_astana_time(format_local_date(local.date(), code, with_weekday=with_weekday), time_text, code)


def format_end_of_day(d: date, language: str, *, with_weekday: bool = True) -> str:
    """'Thursday 26 March 2026, 24:00 (Astana time)': the end of a local day, as the Civil Code counts it."""
    return _with_astana_time(format_local_date(d, language, with_weekday=with_weekday), END_OF_DAY, language)


def join_list(items: Sequence[str], language: str) -> str:
    """'a', 'a and b', 'a, b and c' in the language."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {AND[normalize_language(language)]} {items[-1]}"
