"""`flask deadline compute`: the engine from the command line, on the configured database's overrides."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from objections.services.calendar_overrides import add_override


def compute(runner: FlaskCliRunner, *args: str) -> dict:
    result = runner.invoke(args=["deadline", "compute", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_is_one_object_with_the_contracted_fields(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["deadline", "compute", "2026-03-20T15:00", "--json"])

    assert result.exit_code == 0
    assert len(result.stdout.strip().splitlines()) == 1
    data = json.loads(result.stdout)
    assert data["received_at"] == "2026-03-20T10:00:00+00:00"
    assert data["deadline_at"] == "2026-03-26T19:00:00+00:00"
    assert data["last_day"] == "2026-03-26"
    assert data["policy"] == "calendar_days"
    assert data["explanation"] == [
        "Received Friday 20 March 2026, 15:00 (Astana time).",
        "Counting starts the next day, 21 March 2026.",
        "The third day, 23 March 2026, is a day off (Nowruz Holiday).",
        "24 March 2026 and 25 March 2026 are days off too.",
        "The deadline is Thursday 26 March 2026, 24:00 (Astana time).",
    ]


def test_a_moment_without_offset_is_astana_time_and_one_with_offset_is_kept(runner: FlaskCliRunner) -> None:
    local = compute(runner, "2026-03-17T23:59")
    same_moment_in_utc = compute(runner, "2026-03-17T18:59:00+00:00")
    one_minute_later = compute(runner, "2026-03-17T19:00Z")  # 00:00 on 18 March in Astana

    assert local["received_at"] == same_moment_in_utc["received_at"] == "2026-03-17T18:59:00+00:00"
    assert local["last_day"] == same_moment_in_utc["last_day"] == "2026-03-20"
    assert one_minute_later["last_day"] == "2026-03-26"


def test_a_date_alone_means_the_start_of_that_day_in_astana(runner: FlaskCliRunner) -> None:
    data = compute(runner, "2026-03-20")

    assert data["received_at"] == "2026-03-19T19:00:00+00:00"
    assert data["explanation"][0] == "Received Friday 20 March 2026, 00:00 (Astana time)."


def test_the_working_days_policy_counts_three_working_days(runner: FlaskCliRunner) -> None:
    data = compute(runner, "2026-03-20T15:00", "--policy", "working_days")

    assert data["policy"] == "working_days"
    assert data["last_day"] == "2026-03-30"
    assert data["deadline_at"] == "2026-03-30T19:00:00+00:00"
    assert "Three working days are counted: 26 March 2026, 27 March 2026 and 30 March 2026." in data["explanation"]


def test_an_override_in_the_database_changes_the_computed_deadline(runner: FlaskCliRunner) -> None:
    assert compute(runner, "2026-03-20T15:00")["last_day"] == "2026-03-26"

    with time_machine.travel(datetime(2026, 3, 17, 4, 0, tzinfo=UTC), tick=False):
        added = runner.invoke(args=["calendar", "add", "2026-03-26", "--day-off", "--reason", "Decree No. 7"])
    data = compute(runner, "2026-03-20T15:00")

    assert added.exit_code == 0, added.output
    assert data["last_day"] == "2026-03-27"
    assert "24 March 2026, 25 March 2026 and 26 March 2026 are days off too." in data["explanation"]


def test_a_saturday_made_working_by_an_override_ends_the_term(session: Session, runner: FlaskCliRunner) -> None:
    add_override(
        session,
        day=date(2026, 4, 4),
        is_working_day=True,
        reason="Transfer",
        actor=None,
        now=datetime(2026, 3, 17, tzinfo=UTC),
    )
    session.commit()

    assert compute(runner, "2026-04-01T11:00")["last_day"] == "2026-04-04"


def test_the_text_run_prints_the_explanation_and_the_utc_deadline(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["deadline", "compute", "2026-03-20T15:00"])

    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Received Friday 20 March 2026, 15:00 (Astana time)."
    assert "The deadline is Thursday 26 March 2026, 24:00 (Astana time)." in lines
    assert lines[-1] == "deadline_at (UTC): 2026-03-26T19:00:00+00:00"


def test_the_explanation_can_be_given_in_russian(runner: FlaskCliRunner) -> None:
    data = compute(runner, "2026-03-20T15:00", "--language", "ru")

    assert data["explanation"][-1] == "Срок рассмотрения истекает: четверг, 26 марта 2026 г., 24:00 (время Астаны)."


@pytest.mark.parametrize("value", ["20-03-2026", "2026-03-20T25:00", "yesterday", "2026-02-30"])
def test_a_malformed_moment_is_a_clean_usage_error(runner: FlaskCliRunner, value: str) -> None:
    result = runner.invoke(args=["deadline", "compute", value, "--json"])

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for RECEIVED_AT: use ISO 8601" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01T00:00"])
def test_a_moment_at_the_end_of_the_calendar_is_refused_without_a_traceback(runner: FlaskCliRunner, value: str) -> None:
    result = runner.invoke(args=["deadline", "compute", value])

    assert result.exit_code == 2
    assert "Invalid value for RECEIVED_AT: the date is out of the supported range" in result.stderr
    assert "Traceback" not in result.output


def test_an_unknown_policy_is_refused(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["deadline", "compute", "2026-03-20", "--policy", "hours"])

    assert result.exit_code == 2
    assert "Invalid value for '--policy'" in result.stderr
