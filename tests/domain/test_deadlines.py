"""The deadline engine on real 2026–2027 dates: both policies, every edge of the Civil Code's counting."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from objections.domain.calendar import LOCAL_TZ, Override, WorkingCalendar
from objections.domain.deadlines import (
    TERM_DAYS,
    Deadline,
    NaiveDatetimeError,
    Policy,
    Step,
    StepCode,
    compute,
    end_of_day_at,
    format_deadline,
)
from objections.domain.timefmt import (
    format_local_date,
    format_local_datetime,
    join_list,
    local_date,
    to_local,
)

CALENDAR = WorkingCalendar()
SATURDAY_WORKING = WorkingCalendar([Override(date(2026, 3, 14), True, "Working Saturday")])
FRIDAY_OFF = WorkingCalendar([Override(date(2026, 4, 10), False, "Day off moved by decree")])


def at(moment: str) -> datetime:
    """An aware datetime from ISO 8601 with its offset ('Z' or '+05:00')."""
    return datetime.fromisoformat(moment)


CALENDAR_DAYS_CASES = [
    # Before Nauryz: the third day (Mon 23 March) is Nauryz, 24 and 25 March are days off moved off the weekend.
    ("2026-03-20T15:00+05:00", CALENDAR, date(2026, 3, 26)),
    # Both sides of local midnight: 18:59 UTC is still Wednesday 18 March in Astana, 19:00 UTC is Thursday.
    ("2026-03-18T18:59Z", CALENDAR, date(2026, 3, 26)),
    ("2026-03-18T19:00Z", CALENDAR, date(2026, 3, 26)),
    ("2026-04-13T18:59Z", CALENDAR, date(2026, 4, 16)),
    ("2026-04-13T19:00Z", CALENDAR, date(2026, 4, 17)),
    # Received on a holiday: the day of receipt does not count, whatever it is.
    ("2026-03-09T11:00+05:00", CALENDAR, date(2026, 3, 12)),
    # Received on Defender of the Fatherland Day: third day Sunday 10 May, Monday 11 May is Victory Day moved.
    ("2026-05-07T09:00+05:00", CALENDAR, date(2026, 5, 12)),
    # Received on a weekend.
    ("2026-03-14T10:00+05:00", CALENDAR, date(2026, 3, 17)),
    ("2026-03-15T10:00+05:00", CALENDAR, date(2026, 3, 18)),
    # A holiday inside the term does not lengthen it: Capital Day (Mon 6 July), Independence Day (Wed 16 Dec),
    # Orthodox Christmas (Wed 7 January).
    ("2026-07-04T10:00+05:00", CALENDAR, date(2026, 7, 7)),
    ("2026-12-14T10:00+05:00", CALENDAR, date(2026, 12, 17)),
    ("2026-01-05T10:00+05:00", CALENDAR, date(2026, 1, 8)),
    # Year end: 1–2 January holidays, 4 January 2027 the New Year day off moved off Saturday.
    ("2026-12-28T10:00+05:00", CALENDAR, date(2026, 12, 31)),
    ("2026-12-29T10:00+05:00", CALENDAR, date(2027, 1, 5)),
    ("2026-12-30T10:00+05:00", CALENDAR, date(2027, 1, 5)),
    ("2026-12-31T10:00+05:00", CALENDAR, date(2027, 1, 5)),
    ("2026-12-31T19:30Z", CALENDAR, date(2027, 1, 5)),  # already 1 January 2027 in Astana
    ("2025-12-31T12:00Z", CALENDAR, date(2026, 1, 5)),
    # A last day on a chain of days off: Nauryz 2027 (21–24 March) and May 2027 (7, 8, 9, 10 May).
    ("2027-03-18T10:00+05:00", CALENDAR, date(2027, 3, 25)),
    ("2027-03-19T10:00+05:00", CALENDAR, date(2027, 3, 25)),
    ("2027-05-04T10:00+05:00", CALENDAR, date(2027, 5, 11)),
    # An ordinary week: Wednesday's third day is Saturday, so Monday.
    ("2026-03-11T10:00+05:00", CALENDAR, date(2026, 3, 16)),
    # An override making Saturday 14 March 2026 a working day keeps the third day.
    ("2026-03-11T10:00+05:00", SATURDAY_WORKING, date(2026, 3, 14)),
    # An override making Friday 10 April 2026 a day off moves the last day over the weekend.
    ("2026-04-07T10:00+05:00", CALENDAR, date(2026, 4, 10)),
    ("2026-04-07T10:00+05:00", FRIDAY_OFF, date(2026, 4, 13)),
]


@pytest.mark.parametrize(("received", "calendar", "last_day"), CALENDAR_DAYS_CASES)
def test_calendar_days_policy(received: str, calendar: WorkingCalendar, last_day: date) -> None:
    deadline = compute(at(received), calendar)
    assert deadline.policy is Policy.CALENDAR_DAYS
    assert deadline.last_day == last_day
    assert deadline.deadline_at == datetime(last_day.year, last_day.month, last_day.day, 19, tzinfo=UTC)


WORKING_DAYS_CASES = [
    # 21–25 March off: 26, 27 and 30 March are counted.
    ("2026-03-20T15:00+05:00", CALENDAR, date(2026, 3, 30)),
    ("2026-03-18T18:59Z", CALENDAR, date(2026, 3, 26)),  # 19, 20, 26 March
    ("2026-03-18T19:00Z", CALENDAR, date(2026, 3, 27)),  # 20, 26, 27 March
    ("2026-04-13T10:00+05:00", CALENDAR, date(2026, 4, 16)),
    ("2026-12-11T10:00+05:00", CALENDAR, date(2026, 12, 17)),  # 14, 15, 17 December
    ("2026-12-31T10:00+05:00", CALENDAR, date(2027, 1, 8)),  # 5, 6, 8 January 2027
    ("2026-03-14T10:00+05:00", CALENDAR, date(2026, 3, 18)),  # received on a Saturday: 16, 17, 18 March
    ("2026-03-12T10:00+05:00", CALENDAR, date(2026, 3, 17)),  # 13, 16, 17 March
    ("2026-03-12T10:00+05:00", SATURDAY_WORKING, date(2026, 3, 16)),  # 13, 14, 16 March
    ("2026-04-08T10:00+05:00", FRIDAY_OFF, date(2026, 4, 14)),  # 9, 13, 14 April
]


@pytest.mark.parametrize(("received", "calendar", "last_day"), WORKING_DAYS_CASES)
def test_working_days_policy(received: str, calendar: WorkingCalendar, last_day: date) -> None:
    deadline = compute(at(received), calendar, Policy.WORKING_DAYS)
    assert deadline.policy is Policy.WORKING_DAYS
    assert deadline.last_day == last_day
    assert deadline.deadline_at == end_of_day_at(last_day)


def test_the_worked_example_before_nauryz() -> None:
    deadline = compute(at("2026-03-20T10:00Z"), CALENDAR)
    assert deadline == Deadline(
        received_at=at("2026-03-20T10:00Z"),
        received_on=date(2026, 3, 20),
        last_day=date(2026, 3, 26),
        deadline_at=at("2026-03-26T19:00Z"),
        policy=Policy.CALENDAR_DAYS,
        steps=deadline.steps,
    )
    assert deadline.explanation("en") == [
        "Received Friday 20 March 2026, 15:00 (Astana time).",
        "Counting starts the next day, 21 March 2026.",
        "The third day, 23 March 2026, is a day off (Nowruz Holiday).",
        "24 March 2026 and 25 March 2026 are days off too.",
        "The deadline is Thursday 26 March 2026, 24:00 (Astana time).",
    ]
    assert deadline.explanation("ru") == [
        "Получено: пятница, 20 марта 2026 г., 15:00 (время Астаны).",
        "Срок исчисляется со следующего дня: 21 марта 2026 г.",
        "Третий день — 23 марта 2026 г. — выходной (Наурыз мейрамы).",
        "24 марта 2026 г. и 25 марта 2026 г. — тоже выходные.",
        "Срок рассмотрения истекает: четверг, 26 марта 2026 г., 24:00 (время Астаны).",
    ]
    assert deadline.explanation("kk") == [
        "Қабылданды: 2026 жылғы 20 наурыз, жұма, 15:00 (Астана уақыты).",
        "Мерзім келесі күннен басталады: 2026 жылғы 21 наурыз.",
        "Үшінші күн — 2026 жылғы 23 наурыз — демалыс күні (Наурыз мейрамы).",
        "Сондай-ақ 2026 жылғы 24 наурыз және 2026 жылғы 25 наурыз — демалыс күндері.",
        "Қарау мерзімі аяқталады: 2026 жылғы 26 наурыз, бейсенбі, 24:00 (Астана уақыты).",
    ]


def test_steps_are_machine_readable() -> None:
    deadline = compute(at("2026-03-20T10:00Z"), CALENDAR)
    assert [step.code for step in deadline.steps] == [
        StepCode.RECEIVED,
        StepCode.COUNTING_STARTS,
        StepCode.THIRD_DAY_OFF,
        StepCode.FURTHER_DAYS_OFF,
        StepCode.DEADLINE,
    ]
    third = deadline.steps[2].values
    assert third["day"] == date(2026, 3, 23)
    assert third["kind"] == "holiday"
    assert third["reason_ru"] == "Наурыз мейрамы"
    assert deadline.steps[3].as_dict() == {
        "code": "further_days_off",
        "params": {"days": ["2026-03-24", "2026-03-25"]},
    }
    assert deadline.as_dict()["last_day"] == "2026-03-26"
    assert deadline.as_dict()["deadline_at"] == "2026-03-26T19:00:00+00:00"
    assert deadline.as_dict()["policy"] == "calendar_days"
    assert deadline.as_dict()["steps"] == [step.as_dict() for step in deadline.steps]
    assert deadline.steps[0].as_dict() == {"code": "received", "params": {"at": "2026-03-20T10:00:00+00:00"}}
    assert hash(deadline) == hash(compute(at("2026-03-20T15:00+05:00"), CALENDAR))


def test_step_as_dict_keeps_plain_text() -> None:
    assert Step.of("third_day_off", kind="weekend").as_dict() == {
        "code": "third_day_off",
        "params": {"kind": "weekend"},
    }


@pytest.mark.parametrize(
    ("received", "policy", "codes", "phrase"),
    [
        # Friday: Saturday and Sunday inside the term, Monday the third day.
        (
            "2026-04-10T10:00+05:00",
            Policy.CALENDAR_DAYS,
            [StepCode.DAYS_OFF_WITHIN_TERM, StepCode.THIRD_DAY_WORKING],
            "Days off within the term do not lengthen it: 11 April 2026 and 12 April 2026.",
        ),
        # Monday to Thursday: nothing to say but the third day.
        (
            "2026-04-13T10:00+05:00",
            Policy.CALENDAR_DAYS,
            [StepCode.THIRD_DAY_WORKING],
            "The third day, 16 April 2026, is a working day: the last day of the term.",
        ),
        # Thursday: the third day is Sunday, the next working day Monday.
        (
            "2026-04-09T10:00+05:00",
            Policy.CALENDAR_DAYS,
            [StepCode.THIRD_DAY_OFF],
            "The third day, 12 April 2026, is a day off (Sunday).",
        ),
        # Wednesday: the third day is Saturday, Sunday follows.
        (
            "2026-04-08T10:00+05:00",
            Policy.CALENDAR_DAYS,
            [StepCode.THIRD_DAY_OFF, StepCode.FURTHER_DAYS_OFF],
            "12 April 2026 is a day off too.",
        ),
        (
            "2026-04-10T10:00+05:00",
            Policy.WORKING_DAYS,
            [StepCode.DAYS_OFF_SKIPPED, StepCode.WORKING_DAYS_COUNTED],
            "Three working days are counted: 13 April 2026, 14 April 2026 and 15 April 2026.",
        ),
        (
            "2026-04-13T10:00+05:00",
            Policy.WORKING_DAYS,
            [StepCode.WORKING_DAYS_COUNTED],
            "Three working days are counted: 14 April 2026, 15 April 2026 and 16 April 2026.",
        ),
    ],
)
def test_explanation_steps_by_case(received: str, policy: Policy, codes: list[StepCode], phrase: str) -> None:
    deadline = compute(at(received), CALENDAR, policy)
    assert [step.code for step in deadline.steps][2:-1] == codes
    assert phrase in deadline.explanation("en")


def test_an_override_reason_explains_the_day_off() -> None:
    deadline = compute(at("2026-04-07T10:00+05:00"), FRIDAY_OFF)
    assert "The third day, 10 April 2026, is a day off (Day off moved by decree)." in deadline.explanation("en")
    assert "Третий день — 10 апреля 2026 г. — выходной (Day off moved by decree)." in deadline.explanation("ru")


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
@pytest.mark.parametrize("policy", list(Policy))
@pytest.mark.parametrize(
    "received", ["2026-03-20T10:00Z", "2026-12-31T10:00Z", "2026-04-10T10:00Z", "2026-04-08T10:00Z"]
)
def test_explanations_name_the_deadline_in_every_language(received: str, policy: Policy, language: str) -> None:
    deadline = compute(at(received), CALENDAR, policy)
    lines = deadline.explanation(language)
    assert lines and all(line.strip() for line in lines)
    assert format_local_date(deadline.last_day, language, with_weekday=True) in lines[-1]
    assert "24:00" in lines[-1]
    assert {"kk": "Астана уақыты", "ru": "время Астаны", "en": "Astana time"}[language] in lines[-1]
    assert not any(line.endswith("..") for line in lines)


def test_an_unknown_language_reads_as_english() -> None:
    deadline = compute(at("2026-03-20T10:00Z"), CALENDAR)
    assert deadline.explanation("de") == deadline.explanation("en")


def test_a_naive_received_at_is_refused() -> None:
    with pytest.raises(NaiveDatetimeError, match="received_at 2026-03-20T15:00:00 has no time zone"):
        compute(datetime(2026, 3, 20, 15), CALENDAR)


def test_naive_datetime_error_is_a_value_error() -> None:
    assert issubclass(NaiveDatetimeError, ValueError)


def test_an_unknown_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown deadline policy 'hours'"):
        compute(at("2026-03-20T10:00Z"), CALENDAR, "hours")


def test_a_policy_may_be_given_as_its_string() -> None:
    assert compute(at("2026-03-20T10:00Z"), CALENDAR, "working_days").policy is Policy.WORKING_DAYS


def test_received_at_is_kept_in_utc_whatever_its_offset() -> None:
    deadline = compute(datetime(2026, 3, 20, 21, 30, tzinfo=timezone(timedelta(hours=6))), CALENDAR)
    assert deadline.received_at == datetime(2026, 3, 20, 15, 30, tzinfo=UTC)
    assert deadline.received_at.tzinfo is UTC
    assert deadline.received_on == date(2026, 3, 20)


def test_the_term_is_three_days() -> None:
    assert TERM_DAYS == 3


def test_end_of_day_is_local_midnight() -> None:
    assert end_of_day_at(date(2026, 3, 26)) == datetime(2026, 3, 27, 0, tzinfo=LOCAL_TZ)
    assert end_of_day_at(date(2026, 3, 26)) == at("2026-03-26T19:00Z")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Thursday 26 March 2026, 24:00 (Astana time)"),
        ("ru", "четверг, 26 марта 2026 г., 24:00 (время Астаны)"),
        ("kk", "2026 жылғы 26 наурыз, бейсенбі, 24:00 (Астана уақыты)"),
    ],
)
def test_format_deadline(language: str, expected: str) -> None:
    assert format_deadline(date(2026, 3, 26), language) == expected
    assert format_deadline(compute(at("2026-03-20T10:00Z"), CALENDAR), language) == expected


@pytest.mark.parametrize(
    ("language", "with_weekday", "expected"),
    [
        ("en", True, "Wednesday 18 March 2026, 23:59 (Astana time)"),
        ("en", False, "18 March 2026, 23:59 (Astana time)"),
        ("ru", True, "среда, 18 марта 2026 г., 23:59 (время Астаны)"),
        ("kk", True, "2026 жылғы 18 наурыз, сәрсенбі, 23:59 (Астана уақыты)"),
    ],
)
def test_format_local_datetime(language: str, with_weekday: bool, expected: str) -> None:
    assert format_local_datetime(at("2026-03-18T18:59Z"), language, with_weekday=with_weekday) == expected


def test_time_helpers_refuse_naive_datetimes() -> None:
    with pytest.raises(NaiveDatetimeError):
        to_local(datetime(2026, 3, 18, 18, 59))
    with pytest.raises(NaiveDatetimeError):
        format_local_datetime(datetime(2026, 3, 18, 18, 59), "en")


def test_local_date_is_the_astana_day() -> None:
    assert local_date(at("2026-03-18T18:59Z")) == date(2026, 3, 18)
    assert local_date(at("2026-03-18T19:00Z")) == date(2026, 3, 19)
    assert to_local(at("2026-03-18T19:00Z")).utcoffset() == timedelta(hours=5)


@pytest.mark.parametrize(
    ("items", "language", "expected"),
    [([], "en", ""), (["a"], "en", "a"), (["a", "b"], "ru", "a и b"), (["a", "b", "c"], "kk", "a, b және c")],
)
def test_join_list(items: list[str], language: str, expected: str) -> None:
    assert join_list(items, language) == expected
