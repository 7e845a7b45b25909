"""The deadline engine: the end of Art. 19-1's three-day term on the working calendar, with its explanation."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import cast

from objections.domain.calendar import LOCAL_TZ, WorkingCalendar, normalize_language
from objections.domain.timefmt import (
    NaiveDatetimeError,
    format_end_of_day,
    format_local_date,
    format_local_datetime,
    format_weekday,
    join_list,
    local_date,
    require_aware,
)

__all__ = [
    "LOCAL_TZ",
    "TERM_DAYS",
    "Deadline",
    "NaiveDatetimeError",
    "Policy",
    "Step",
    "StepCode",
    "compute",
    "end_of_day_at",
    "format_deadline",
]

TERM_DAYS = 3
"""Art. 19-1(3) Personal Data Law: "within three days from the day it was received" (үш күн ішінде)."""


class Policy(StrEnum):
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"


class StepCode(StrEnum):
    RECEIVED = "received"
    COUNTING_STARTS = "counting_starts"
    DAYS_OFF_WITHIN_TERM = "days_off_within_term"
    THIRD_DAY_WORKING = "third_day_working"
    THIRD_DAY_OFF = "third_day_off"
    FURTHER_DAYS_OFF = "further_days_off"
    DAYS_OFF_SKIPPED = "days_off_skipped"
    WORKING_DAYS_COUNTED = "working_days_counted"
    DEADLINE = "deadline"


ParamValue = date | datetime | str | tuple[date, ...]


@dataclass(frozen=True)
class Step:
    """One machine-readable step of an explanation: a code and its parameters (kept as pairs to stay hashable)."""

    code: str
    params: tuple[tuple[str, ParamValue], ...] = ()

    @classmethod
    def of(cls, code: str, **params: ParamValue) -> "Step":
        return cls(code=code, params=tuple(params.items()))

    @property
    def values(self) -> dict[str, ParamValue]:
        return dict(self.params)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: dates and moments as ISO 8601 strings."""
        return {"code": str(self.code), "params": {key: _jsonable(value) for key, value in self.params}}


def _jsonable(value: ParamValue) -> object:
    if isinstance(value, tuple):
        return [day.isoformat() for day in value]
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_MESSAGES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "en": {
            "received": "Received {at}.",
            "counting_starts": "Counting starts the next day, {day}.",
            "days_off_within_term": "Days off within the term do not lengthen it: {days}.",
            "third_day_working": "The third day, {day}, is a working day: the last day of the term.",
            "third_day_off": "The third day, {day}, is a day off ({reason}).",
            "further_days_off.one": "{days} is a day off too.",
            "further_days_off.many": "{days} are days off too.",
            "days_off_skipped": "Days off are not counted: {days}.",
            "working_days_counted": "Three working days are counted: {days}.",
            "deadline": "The deadline is {deadline}.",
        },
        "ru": {
            "received": "Получено: {at}.",
            "counting_starts": "Срок исчисляется со следующего дня: {day}.",
            "days_off_within_term": "Выходные дни внутри срока его не продлевают: {days}.",
            "third_day_working": "Третий день — {day} — рабочий: это последний день срока.",
            "third_day_off": "Третий день — {day} — выходной ({reason}).",
            "further_days_off.one": "{days} — тоже выходной.",
            "further_days_off.many": "{days} — тоже выходные.",
            "days_off_skipped": "Выходные дни не считаются: {days}.",
            "working_days_counted": "Считаются три рабочих дня: {days}.",
            "deadline": "Срок рассмотрения истекает: {deadline}.",
        },
        "kk": {
            "received": "Қабылданды: {at}.",
            "counting_starts": "Мерзім келесі күннен басталады: {day}.",
            "days_off_within_term": "Мерзім ішіндегі демалыс күндері оны ұзартпайды: {days}.",
            "third_day_working": "Үшінші күн — {day} — жұмыс күні: бұл мерзімнің соңғы күні.",
            "third_day_off": "Үшінші күн — {day} — демалыс күні ({reason}).",
            "further_days_off.one": "Сондай-ақ {days} — демалыс күні.",
            "further_days_off.many": "Сондай-ақ {days} — демалыс күндері.",
            "days_off_skipped": "Демалыс күндері есептелмейді: {days}.",
            "working_days_counted": "Үш жұмыс күні есептеледі: {days}.",
            "deadline": "Қарау мерзімі аяқталады: {deadline}.",
        },
    }
)


@dataclass(frozen=True)
class Deadline:
    received_at: datetime
    received_on: date
    last_day: date
    deadline_at: datetime
    policy: Policy
    steps: tuple[Step, ...]

    def explanation(self, language: str) -> list[str]:
        """The steps as sentences a person can follow, in kk, ru or en (other languages read as English)."""
        return [_render(step, normalize_language(language)) for step in self.steps]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: ISO 8601 moments and dates, the policy, and the machine-readable steps."""
        return {
            "received_at": self.received_at.isoformat(),
            "received_on": self.received_on.isoformat(),
            "last_day": self.last_day.isoformat(),
            "deadline_at": self.deadline_at.isoformat(),
            "policy": str(self.policy),
            "steps": [step.as_dict() for step in self.steps],
        }


def _render(step: Step, language: str) -> str:
    values = step.values
    code = StepCode(step.code)
    key = code.value
    fields: dict[str, str] = {}
    if code is StepCode.RECEIVED:
        fields["at"] = format_local_datetime(cast(datetime, values["at"]), language)
    elif code is StepCode.DEADLINE:
        fields["deadline"] = format_end_of_day(cast(date, values["last_day"]), language)
    elif "days" in values:
        days = cast(tuple[date, ...], values["days"])
        fields["days"] = join_list([format_local_date(day, language) for day in days], language)
        if code is StepCode.FURTHER_DAYS_OFF:
            key += ".one" if len(days) == 1 else ".many"
    else:
        day = cast(date, values["day"])
        fields["day"] = format_local_date(day, language)
        if code is StepCode.THIRD_DAY_OFF:
            # A weekend has no name of its own: the weekday says why.
            reason = values.get(f"reason_{language}")
            fields["reason"] = str(reason) if reason else format_weekday(day, language)
    text = _MESSAGES[language][key].format(**fields)
    # A date ending in an abbreviation ("2026 г.") already closes the sentence.
    return text.removesuffix(".") if text.endswith("..") else text


def end_of_day_at(day: date) -> datetime:
    """24:00 Asia/Almaty of the day, as a UTC instant (Civil Code General Part Art. 175: the term ends at 24:00)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LOCAL_TZ).astimezone(UTC)


def _day_off_params(calendar: WorkingCalendar, day: date) -> dict[str, ParamValue]:
    params: dict[str, ParamValue] = {"day": day, "kind": str(calendar.kind_of(day))}
    for language in ("kk", "ru", "en"):
        reason = calendar.describe(day, language).reason
        if reason:
            params[f"reason_{language}"] = reason
    return params


def _parse_policy(policy: Policy | str) -> Policy:
    try:
        return Policy(policy)
    except ValueError:
        allowed = ", ".join(member.value for member in Policy)
        raise ValueError(f"unknown deadline policy {policy!r}; expected one of: {allowed}") from None


def compute(received_at: datetime, calendar: WorkingCalendar, policy: Policy | str = Policy.CALENDAR_DAYS) -> Deadline:
    """The deadline of an objection received at a moment (Art. 19-1(3) PD Law; Civil Code Arts. 173, 175, 176)."""
    require_aware(received_at, "received_at")
    chosen = _parse_policy(policy)
    received_utc = received_at.astimezone(UTC)
    received_on = local_date(received_utc)
    first_day = received_on + timedelta(days=1)
    steps = [Step.of(StepCode.RECEIVED, at=received_utc), Step.of(StepCode.COUNTING_STARTS, day=first_day)]
    if chosen is Policy.CALENDAR_DAYS:
        last_day = _calendar_days_term(received_on, calendar, steps)
    else:
        last_day = _working_days_term(received_on, calendar, steps)
    deadline_at = end_of_day_at(last_day)
    steps.append(Step.of(StepCode.DEADLINE, last_day=last_day, at=deadline_at))
    return Deadline(
        received_at=received_utc,
        received_on=received_on,
        last_day=last_day,
        deadline_at=deadline_at,
        policy=chosen,
        steps=tuple(steps),
    )


def _calendar_days_term(received_on: date, calendar: WorkingCalendar, steps: list[Step]) -> date:
    """Civil Code Arts. 173, 176: the third day after receipt, or the next working day when it is a day off."""
    third_day = received_on + timedelta(days=TERM_DAYS)
    if calendar.is_working_day(third_day):
        inside = tuple(
            received_on + timedelta(days=offset)
            for offset in range(1, TERM_DAYS)
            if not calendar.is_working_day(received_on + timedelta(days=offset))
        )
        if inside:
            steps.append(Step.of(StepCode.DAYS_OFF_WITHIN_TERM, days=inside))
        steps.append(Step.of(StepCode.THIRD_DAY_WORKING, day=third_day))
        return third_day
    last_day = calendar.first_working_day_on_or_after(third_day)
    steps.append(Step.of(StepCode.THIRD_DAY_OFF, **_day_off_params(calendar, third_day)))
    further = tuple(third_day + timedelta(days=offset) for offset in range(1, (last_day - third_day).days))
    if further:
        steps.append(Step.of(StepCode.FURTHER_DAYS_OFF, days=further))
    return last_day


def _working_days_term(received_on: date, calendar: WorkingCalendar, steps: list[Step]) -> date:
    """The `working_days` policy: the third working day after the day of receipt."""
    counted: list[date] = []
    day = received_on
    while len(counted) < TERM_DAYS:
        day = calendar.next_working_day(day)
        counted.append(day)
    skipped = tuple(
        received_on + timedelta(days=offset)
        for offset in range(1, (counted[-1] - received_on).days)
        if received_on + timedelta(days=offset) not in counted
    )
    if skipped:
        steps.append(Step.of(StepCode.DAYS_OFF_SKIPPED, days=skipped))
    steps.append(Step.of(StepCode.WORKING_DAYS_COUNTED, days=tuple(counted)))
    return counted[-1]


def format_deadline(deadline: Deadline | date, language: str) -> str:
    """'Thursday 26 March 2026, 24:00 (Astana time)' in kk, ru or en."""
    last_day = deadline.last_day if isinstance(deadline, Deadline) else deadline
    return format_end_of_day(last_day, language)
