"""Calendar overrides: validation, audit, and the recomputation of the open deadlines they move."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.domain.errors import NotFound, ValidationFailed
from objections.domain.timefmt import local_date
from objections.models import AuditEvent, CalendarOverride, Objection, ObjectionEvent
from objections.services import calendar_overrides, intake
from objections.services.calendar_overrides import add_override, remove_override
from tests.builders import make_objection, make_organization, make_user, objection_input

MONDAY_11_00 = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)  # Monday 16 March 2026, 11:00 in Astana
THURSDAY = date(2026, 3, 19)  # the third day after Monday: a working day, so the last day of the term
END_OF_THURSDAY = datetime(2026, 3, 19, 19, 0, tzinfo=UTC)  # Thursday 19 March 2026, 24:00 in Astana
END_OF_FRIDAY = datetime(2026, 3, 20, 19, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 17, 4, 0, tzinfo=UTC)


def deadline_events(session: Session, objection: Objection) -> list[ObjectionEvent]:
    return list(
        session.scalars(
            select(ObjectionEvent)
            .where(ObjectionEvent.objection_id == objection.id, ObjectionEvent.kind == "deadline_changed")
            .order_by(ObjectionEvent.seq)
        )
    )


def audit_rows(session: Session, kind: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id)))


def test_a_working_day_made_a_day_off_moves_the_deadline_of_an_open_objection_and_records_one_event(
    session: Session,
) -> None:
    objection = make_objection(session, received_at=MONDAY_11_00)
    assert objection.deadline_at == END_OF_THURSDAY

    result = add_override(
        session, day=THURSDAY, is_working_day=False, reason="Decree No. 7: day off", actor=None, now=LATER
    )

    assert objection.deadline_at == END_OF_FRIDAY
    assert objection.last_day == date(2026, 3, 20)
    [event] = deadline_events(session, objection)
    assert event.payload == {
        "old_deadline_at": END_OF_THURSDAY.isoformat(),
        "new_deadline_at": END_OF_FRIDAY.isoformat(),
        "old_last_day": "2026-03-19",
        "new_last_day": "2026-03-20",
        "reason": "calendar_override_added",
        "day": "2026-03-19",
    }
    assert event.is_public and event.at == LATER
    [change] = result.changes
    assert (change.reference, change.old_deadline_at, change.new_deadline_at) == (
        objection.reference,
        END_OF_THURSDAY,
        END_OF_FRIDAY,
    )


def test_the_event_of_a_changed_deadline_carries_no_personal_data(session: Session) -> None:
    objection = make_objection(session, received_at=MONDAY_11_00)
    add_override(session, day=THURSDAY, is_working_day=False, reason="Decree No. 7", actor=None, now=LATER)

    [event] = deadline_events(session, objection)
    text = str(event.payload)
    for personal in (objection.full_name, objection.iin, objection.email):
        assert personal not in text


def test_objections_in_review_and_decided_but_unanswered_are_still_open_and_move(session: Session) -> None:
    in_review = make_objection(session, received_at=MONDAY_11_00, status="in_review")
    decided = make_objection(session, received_at=MONDAY_11_00, status="decided")

    result = add_override(session, day=THURSDAY, is_working_day=False, reason="Decree", actor=None, now=LATER)

    assert in_review.deadline_at == END_OF_FRIDAY
    assert decided.deadline_at == END_OF_FRIDAY
    assert {change.objection_id for change in result.changes} == {in_review.id, decided.id}


def test_answered_closed_withdrawn_and_unaffected_objections_keep_their_deadlines(session: Session) -> None:
    answered = make_objection(session, received_at=MONDAY_11_00, status="answered")
    closed = make_objection(session, received_at=MONDAY_11_00, status="closed")
    withdrawn = make_objection(session, received_at=MONDAY_11_00, status="withdrawn")
    earlier = make_objection(session, received_at=datetime(2026, 3, 10, 6, 0, tzinfo=UTC))  # last day 13 March
    # Received on the day itself (local date 19 March): its term starts the day after.
    same_day = make_objection(session, received_at=datetime(2026, 3, 18, 19, 0, tzinfo=UTC))
    untouched = [answered, closed, withdrawn, earlier, same_day]
    before = {objection.id: (objection.deadline_at, objection.last_day) for objection in untouched}
    affected = make_objection(session, received_at=MONDAY_11_00)

    result = add_override(session, day=THURSDAY, is_working_day=False, reason="Decree", actor=None, now=LATER)

    assert [change.objection_id for change in result.changes] == [affected.id]
    for objection in untouched:
        session.refresh(objection)
        assert (objection.deadline_at, objection.last_day) == before[objection.id]
        assert deadline_events(session, objection) == []


def test_only_objections_whose_term_reaches_the_day_are_examined(session: Session) -> None:
    make_objection(session, received_at=datetime(2026, 3, 10, 6, 0, tzinfo=UTC))  # its term ends before
    make_objection(session, received_at=datetime(2026, 3, 19, 6, 0, tzinfo=UTC))  # received on the day
    make_objection(session, received_at=datetime(2026, 3, 25, 6, 0, tzinfo=UTC))  # received after it
    make_objection(session, received_at=MONDAY_11_00)
    make_objection(session, received_at=datetime(2026, 3, 17, 6, 0, tzinfo=UTC))  # day inside, last day 20 March

    result = add_override(session, day=THURSDAY, is_working_day=False, reason="Decree", actor=None, now=LATER)

    assert result.examined == 2
    assert len(result.changes) == 1


def test_removing_the_override_moves_the_deadline_back(session: Session) -> None:
    objection = make_objection(session, received_at=MONDAY_11_00)
    add_override(session, day=THURSDAY, is_working_day=False, reason="Decree", actor=None, now=LATER)

    result = remove_override(session, day=THURSDAY, actor=None, now=LATER + timedelta(hours=1))

    assert objection.deadline_at == END_OF_THURSDAY
    assert objection.last_day == THURSDAY
    assert (result.day, result.is_working_day, result.reason) == (THURSDAY, False, "Decree")
    added, removed = deadline_events(session, objection)
    assert added.payload["reason"] == "calendar_override_added"
    assert removed.payload["reason"] == "calendar_override_removed"
    assert removed.payload["old_deadline_at"] == END_OF_FRIDAY.isoformat()
    assert removed.payload["new_deadline_at"] == END_OF_THURSDAY.isoformat()
    assert session.scalars(select(CalendarOverride)).all() == []


def test_a_saturday_made_a_working_day_shortens_a_deadline_that_it_ends(session: Session) -> None:
    # Received Wednesday 1 April 2026: the third day, Saturday 4 April, is a day off, so the term runs to Monday.
    objection = make_objection(session, received_at=datetime(2026, 4, 1, 6, 0, tzinfo=UTC))
    assert objection.last_day == date(2026, 4, 6)

    result = add_override(
        session, day=date(2026, 4, 4), is_working_day=True, reason="Worked for a transfer", actor=None, now=LATER
    )

    assert objection.last_day == date(2026, 4, 4)
    assert objection.deadline_at == datetime(2026, 4, 4, 19, 0, tzinfo=UTC)
    assert [change.new_last_day for change in result.changes] == [date(2026, 4, 4)]
    [event] = deadline_events(session, objection)
    assert event.payload["old_last_day"] == "2026-04-06"
    assert event.payload["new_last_day"] == "2026-04-04"


def test_each_objection_is_recomputed_under_its_own_policy(session: Session) -> None:
    organization = make_organization(session)
    by_working_days = intake.file_objection(
        session, objection_input(organization), channel="web", now=MONDAY_11_00, policy="working_days"
    ).objection
    by_calendar_days = make_objection(session, organization=organization, received_at=MONDAY_11_00)
    assert by_working_days.last_day == by_calendar_days.last_day == THURSDAY

    # Tuesday is inside the term: it counts under working days only.
    add_override(session, day=date(2026, 3, 17), is_working_day=False, reason="Decree", actor=None, now=LATER)

    assert by_working_days.last_day == date(2026, 3, 20)
    assert by_calendar_days.last_day == THURSDAY
    assert deadline_events(session, by_calendar_days) == []


def test_adding_and_removing_are_audited_with_the_actor_and_the_day(session: Session) -> None:
    admin = make_user(session, role="admin")
    objection = make_objection(session, received_at=MONDAY_11_00)

    add_override(session, day=THURSDAY, is_working_day=False, reason="Decree No. 7", actor=admin, now=LATER)
    remove_override(session, day=THURSDAY, actor=admin, now=LATER + timedelta(hours=1))

    [added] = audit_rows(session, "calendar_override_added")
    [removed] = audit_rows(session, "calendar_override_removed")
    assert added.actor_id == removed.actor_id == admin.id
    assert added.payload == {
        "day": "2026-03-19",
        "is_working_day": False,
        "reason": "Decree No. 7",
        "examined": 1,
        "deadlines_changed": [objection.reference],
    }
    assert removed.payload["day"] == "2026-03-19"
    assert removed.payload["deadlines_changed"] == [objection.reference]
    assert removed.prev_hash == added.hash
    stored = session.scalar(select(CalendarOverride).where(CalendarOverride.day == THURSDAY))
    assert stored is None


def test_the_override_records_who_added_it_and_when(session: Session) -> None:
    admin = make_user(session, role="admin")
    add_override(session, day=THURSDAY, is_working_day=False, reason="  Decree  ", actor=admin, now=LATER)

    [override] = calendar_overrides.list_overrides(session)
    assert (override.day, override.is_working_day, override.reason) == (THURSDAY, False, "Decree")
    assert override.created_by_id == admin.id
    assert override.created_at == LATER


def test_a_second_override_for_the_same_day_is_refused(session: Session) -> None:
    add_override(session, day=THURSDAY, is_working_day=False, reason="Decree", actor=None, now=LATER)

    with pytest.raises(ValidationFailed) as refused:
        add_override(session, day=THURSDAY, is_working_day=True, reason="Changed mind", actor=None, now=LATER)

    assert refused.value.errors == {"day": ["duplicate"]}
    assert len(audit_rows(session, "calendar_override_added")) == 1


@pytest.mark.parametrize(("reason", "code"), [("", "required"), ("   ", "required"), ("x" * 301, "too_long")])
def test_an_override_needs_a_reason_of_sensible_length(session: Session, reason: str, code: str) -> None:
    objection = make_objection(session, received_at=MONDAY_11_00)

    with pytest.raises(ValidationFailed) as refused:
        add_override(session, day=THURSDAY, is_working_day=False, reason=reason, actor=None, now=LATER)

    assert refused.value.errors == {"reason": [code]}
    assert calendar_overrides.list_overrides(session) == []
    assert objection.deadline_at == END_OF_THURSDAY


def test_removing_a_day_without_an_override_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        remove_override(session, day=THURSDAY, actor=None, now=LATER)

    assert audit_rows(session, "calendar_override_removed") == []


def test_overrides_are_listed_by_day_and_filtered_by_year(session: Session) -> None:
    for day in (date(2027, 1, 4), date(2026, 12, 31), date(2026, 3, 19)):
        add_override(session, day=day, is_working_day=False, reason=f"Decree {day}", actor=None, now=LATER)

    assert [o.day for o in calendar_overrides.list_overrides(session)] == [
        date(2026, 3, 19),
        date(2026, 12, 31),
        date(2027, 1, 4),
    ]
    assert [o.day for o in calendar_overrides.list_overrides(session, year=2026)] == [
        date(2026, 3, 19),
        date(2026, 12, 31),
    ]
    assert calendar_overrides.list_overrides(session, year=2025) == []


@pytest.mark.parametrize(
    ("now", "warns"),
    [
        (datetime(2026, 10, 31, 18, 59, tzinfo=UTC), False),  # 23:59 on 31 October in Astana
        (datetime(2026, 10, 31, 19, 0, tzinfo=UTC), True),  # 00:00 on 1 November in Astana
        (datetime(2026, 12, 31, 12, 0, tzinfo=UTC), True),
        (datetime(2027, 1, 1, 12, 0, tzinfo=UTC), False),
    ],
)
def test_from_november_next_years_transfers_are_due_for_review(session: Session, now: datetime, warns: bool) -> None:
    with force_locale("en"):
        warning = calendar_overrides.next_year_review_warning(session, now=now)

    assert (warning is not None) is warns
    if warns:
        assert str(local_date(now).year + 1) in warning


def test_the_review_warning_ends_once_next_year_has_an_override(session: Session) -> None:
    november = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    add_override(session, day=date(2026, 12, 31), is_working_day=False, reason="This year", actor=None, now=november)
    with force_locale("en"):
        assert calendar_overrides.next_year_review_warning(session, now=november) is not None

    add_override(session, day=date(2027, 1, 2), is_working_day=True, reason="Transfer", actor=None, now=november)

    with force_locale("en"):
        assert calendar_overrides.next_year_review_warning(session, now=november) is None


def test_an_add_that_loses_a_race_for_the_same_day_is_refused_and_keeps_the_first(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    objection = make_objection(session, received_at=MONDAY_11_00)
    add_override(session, day=THURSDAY, is_working_day=False, reason="First", actor=None, now=LATER)
    # The second add read the table before the first one was written: only the unique day stops it.
    monkeypatch.setattr(calendar_overrides, "_find", lambda _session, _day: None)

    with pytest.raises(ValidationFailed) as refused:
        add_override(session, day=THURSDAY, is_working_day=True, reason="Second", actor=None, now=LATER)

    assert refused.value.errors == {"day": ["duplicate"]}
    assert [(o.reason, o.is_working_day) for o in calendar_overrides.list_overrides(session)] == [("First", False)]
    assert objection.last_day == date(2026, 3, 20)
    assert len(deadline_events(session, objection)) == 1
