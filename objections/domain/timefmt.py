"""Local (Astana time) dates and times for people, in kk, ru and en, in Babel's (CLDR's) words and patterns.

The month and weekday names come from a snapshot of Babel's locale data (date_names_data.py, checked against
Babel by tests/domain/test_timefmt.py), so that writing a date does not load each language's whole locale data
(about 2 MB a language, in every process) for a few dozen words.
"""

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from types import MappingProxyType

from objections.domain.calendar import LOCAL_TZ, normalize_language
from objections.domain.date_names_data import MONTHS, WEEKDAYS


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


# A pattern's parts: a quoted literal ('' is a quote), a run of one field letter, or any other character.
_PATTERN_PART = re.compile(r"'((?:[^']|'')*)'|([A-Za-z])\2*|(.)")


@lru_cache(maxsize=64)
def _pattern_parts(pattern: str) -> tuple[tuple[str, str], ...]:
    """("literal", text) and ("field", letters) pairs of a CLDR date pattern; the fields written here are
    y, d, MMMM, EEEE, HH and mm: any other is refused, so that a new pattern cannot be written wrongly."""
    parts = []
    for match in _PATTERN_PART.finditer(pattern):
        quoted, field, other = match.group(1), match.group(0) if match.group(2) else None, match.group(3)
        if field is not None:
            if field not in _FIELDS:
                raise ValueError(f"date pattern field {field!r} of {pattern!r} is not supported")
            parts.append(("field", field))
        else:
            parts.append(("literal", (quoted.replace("''", "'") or "'") if quoted is not None else other))
    return tuple(parts)


_FIELDS = {
    "y": lambda day, locale: str(day.year),
    "d": lambda day, locale: str(day.day),
    "MMMM": lambda day, locale: MONTHS[locale][day.month - 1],
    "EEEE": lambda day, locale: WEEKDAYS[locale][day.weekday()],
    "HH": lambda moment, locale: f"{moment.hour:02d}",
    "mm": lambda moment, locale: f"{moment.minute:02d}",
}


def _formatted(value: date | datetime, pattern: str, locale: str) -> str:
    """`value` written by a CLDR `pattern` in `locale` (one of BABEL_LOCALES), as babel.dates would write it."""
    return "".join(_FIELDS[text](value, locale) if kind == "field" else text for kind, text in _pattern_parts(pattern))


def _date_text(day: date, pattern: Mapping[str, str], language: str) -> str:
    code = normalize_language(language)
    return _formatted(day, pattern[code], BABEL_LOCALES[code])


def format_local_date(d: date, language: str, *, with_weekday: bool = False) -> str:
    """'26 March 2026', '26 марта 2026 г.', '2026 жылғы 26 наурыз' (a weekday first when asked)."""
    return _date_text(d, WEEKDAY_DATE_PATTERNS if with_weekday else DATE_PATTERNS, language)


def format_weekday(d: date, language: str) -> str:
    """The weekday's name: 'Saturday', 'суббота', 'сенбі'."""
    code = normalize_language(language)
    return _formatted(d, "EEEE", BABEL_LOCALES[code])


def _with_astana_time(day_text: str, time_text: str, language: str) -> str:
    return f"{day_text}, {time_text} ({ASTANA_TIME[normalize_language(language)]})"


def format_local_datetime(dt_utc: datetime, language: str, *, with_weekday: bool = True) -> str:
    """'Friday 20 March 2026, 15:00 (Astana time)' for a moment, shown on the Asia/Almaty clock."""
    local = to_local(dt_utc)
    code = normalize_language(language)
    time_text = _formatted(local, "HH:mm", BABEL_LOCALES[code])
    return _with_astana_time(format_local_date(local.date(), code, with_weekday=with_weekday), time_text, code)


def format_end_of_day(d: date, language: str, *, with_weekday: bool = True) -> str:
    """'Thursday 26 March 2026, 24:00 (Astana time)': the end of a local day, as the Civil Code counts it."""
    return _with_astana_time(format_local_date(d, language, with_weekday=with_weekday), END_OF_DAY, language)


def join_list(items: Sequence[str], language: str) -> str:
    """'a', 'a and b', 'a, b and c' in the language."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {AND[normalize_language(language)]} {items[-1]}"
