"""`flask calendar add|remove|list`: overrides from the command line, end to end on the configured database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import time_machine
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from objections.models import AuditEvent, CalendarOverride, Objection, ObjectionEvent
from tests.builders import make_objection

MONDAY_11_00 = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)  # Monday 16 March 2026, 11:00 in Astana
TUESDAY = datetime(2026, 3, 17, 4, 0, tzinfo=UTC)


@pytest.fixture
def in_march() -> Iterator[None]:
    with time_machine.travel(TUESDAY, tick=False):
        yield


def stored(session: Session, objection: Objection) -> Objection:
    """The objection as committed, read back from the database."""
    session.commit()
    session.expire_all()
    return objection


def one_error_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


@pytest.mark.usefixtures("in_march")
def test_adding_a_day_off_moves_open_deadlines_and_reports_them(runner: FlaskCliRunner, session: Session) -> None:
    objection = make_objection(session, received_at=MONDAY_11_00)
    session.commit()

    result = runner.invoke(args=["calendar", "add", "2026-03-19", "--day-off", "--reason", "Decree No. 7"])

    assert result.exit_code == 0, result.output
    assert "Added 2026-03-19 (day off): Decree No. 7" in result.output
    assert "Open objections examined: 1; deadlines changed: 1." in result.output
    old, new = "Thursday 19 March 2026, 24:00 (Astana time)", "Friday 20 March 2026, 24:00 (Astana time)"
    assert f"  {objection.reference}: {old} -> {new}" in result.output
    saved = stored(session, objection)
    assert saved.last_day == date(2026, 3, 20)
    assert saved.deadline_at == datetime(2026, 3, 20, 19, 0, tzinfo=UTC)
    kinds = session.scalars(select(ObjectionEvent.kind).where(ObjectionEvent.objection_id == objection.id)).all()
    assert kinds.count("deadline_changed") == 1
    assert session.scalar(select(AuditEvent.kind).order_by(AuditEvent.id.desc())) == "calendar_override_added"


@pytest.mark.usefixtures("in_march")
def test_a_working_saturday_is_added_and_listed(runner: FlaskCliRunner, session: Session) -> None:
    objection = make_objection(session, received_at=datetime(2026, 4, 1, 6, 0, tzinfo=UTC))  # last day Monday 6 April
    session.commit()

    added = runner.invoke(args=["calendar", "add", "2026-04-04", "--working-day", "--reason", "Transfer"])
    listed = runner.invoke(args=["calendar", "list"])

    assert added.exit_code == 0, added.output
    assert "Added 2026-04-04 (working day): Transfer" in added.output
    assert stored(session, objection).last_day == date(2026, 4, 4)
    assert listed.exit_code == 0
    assert "2026-04-04  working day  Transfer" in listed.output


@pytest.mark.usefixtures("in_march")
def test_removing_an_override_moves_the_deadline_back(runner: FlaskCliRunner, session: Session) -> None:
    objection = make_objection(session, received_at=MONDAY_11_00)
    session.commit()
    runner.invoke(args=["calendar", "add", "2026-03-19", "--day-off", "--reason", "Decree No. 7"])

    result = runner.invoke(args=["calendar", "remove", "2026-03-19"])

    assert result.exit_code == 0, result.output
    assert "Removed 2026-03-19 (day off): Decree No. 7" in result.output
    assert "deadlines changed: 1." in result.output
    assert stored(session, objection).last_day == date(2026, 3, 19)
    assert session.scalar(select(func.count()).select_from(CalendarOverride)) == 0
    assert session.scalar(select(AuditEvent.kind).order_by(AuditEvent.id.desc())) == "calendar_override_removed"


@pytest.mark.usefixtures("in_march")
def test_the_list_shows_date_kind_and_reason_and_filters_by_year(runner: FlaskCliRunner) -> None:
    runner.invoke(args=["calendar", "add", "2027-01-04", "--day-off", "--reason", "Transfer from 2 January"])
    runner.invoke(args=["calendar", "add", "2026-03-27", "--day-off", "--reason", "Decree No. 7"])

    everything = runner.invoke(args=["calendar", "list"])
    this_year = runner.invoke(args=["calendar", "list", "--year", "2026"])
    empty_year = runner.invoke(args=["calendar", "list", "--year", "2030"])

    assert everything.exit_code == 0
    assert everything.output.splitlines() == [
        "2026-03-27  day off      Decree No. 7",
        "2027-01-04  day off      Transfer from 2 January",
    ]
    assert this_year.output.splitlines() == ["2026-03-27  day off      Decree No. 7"]
    assert empty_year.output.splitlines() == ["No calendar overrides for 2030."]


def test_from_november_the_list_warns_until_next_year_has_an_override(runner: FlaskCliRunner) -> None:
    with time_machine.travel(datetime(2026, 11, 2, 6, 0, tzinfo=UTC), tick=False):
        before = runner.invoke(args=["calendar", "list"])
        runner.invoke(args=["calendar", "add", "2027-01-04", "--day-off", "--reason", "Transfer from 2 January"])
        after = runner.invoke(args=["calendar", "list"])

    assert before.exit_code == 0
    assert before.output.splitlines()[0] == "No calendar overrides."
    assert before.output.splitlines()[1].startswith("warning: No calendar override for 2027 yet")
    assert "warning" not in after.output


@pytest.mark.usefixtures("in_march")
def test_the_list_does_not_warn_before_november(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["calendar", "list"])

    assert result.output.splitlines() == ["No calendar overrides."]


@pytest.mark.usefixtures("in_march")
def test_a_second_override_for_a_day_is_refused_with_one_line(runner: FlaskCliRunner) -> None:
    runner.invoke(args=["calendar", "add", "2026-03-19", "--day-off", "--reason", "Decree No. 7"])

    result = runner.invoke(args=["calendar", "add", "2026-03-19", "--working-day", "--reason", "Other"])

    assert result.exit_code == 1
    assert one_error_line(result.stderr) == ("error: 2026-03-19 already has an override; remove it first to change it")
    assert "2026-03-19  day off      Decree No. 7" in runner.invoke(args=["calendar", "list"]).output


@pytest.mark.usefixtures("in_march")
@pytest.mark.parametrize("reason_args", [[], ["--reason", "  "]])
def test_an_override_without_a_reason_is_refused(
    runner: FlaskCliRunner, session: Session, reason_args: list[str]
) -> None:
    result = runner.invoke(args=["calendar", "add", "2026-03-19", "--day-off", *reason_args])

    assert result.exit_code == 1
    assert one_error_line(result.stderr) == "error: a reason is required (--reason TEXT)"
    assert session.scalar(select(func.count()).select_from(CalendarOverride)) == 0


@pytest.mark.usefixtures("in_march")
def test_removing_a_day_without_an_override_is_refused(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["calendar", "remove", "2026-03-19"])

    assert result.exit_code == 1
    assert one_error_line(result.stderr) == "error: no override for 2026-03-19"


@pytest.mark.usefixtures("in_march")
@pytest.mark.parametrize(
    "args",
    [
        ["add", "2026-02-30", "--day-off", "--reason", "Decree"],
        ["add", "19.03.2026", "--day-off", "--reason", "Decree"],
        ["add", "2026-W12-4", "--day-off", "--reason", "Decree"],
        ["remove", "tomorrow"],
    ],
)
def test_a_malformed_day_is_a_usage_error_of_one_line(runner: FlaskCliRunner, args: list[str]) -> None:
    result = runner.invoke(args=["calendar", *args])

    assert result.exit_code == 2
    assert one_error_line(result.stderr).startswith("error: the day must be a date as YYYY-MM-DD")


@pytest.mark.usefixtures("in_march")
@pytest.mark.parametrize("flags", [[], ["--day-off", "--working-day"]])
def test_exactly_one_kind_of_day_is_required(runner: FlaskCliRunner, session: Session, flags: list[str]) -> None:
    result = runner.invoke(args=["calendar", "add", "2026-03-19", *flags, "--reason", "Decree"])

    assert result.exit_code == 2
    assert one_error_line(result.stderr) == "error: give exactly one of --day-off or --working-day"
    assert session.scalar(select(func.count()).select_from(CalendarOverride)) == 0


def test_a_malformed_year_is_refused_without_a_traceback(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["calendar", "list", "--year", "twenty"])

    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "Invalid value for '--year'" in result.stderr
