"""Calendar overrides: add, remove, list (audited; open deadlines recomputed)."""

from __future__ import annotations

import re
import sys
from datetime import date
from typing import NoReturn

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from objections.clock import utcnow
from objections.domain.deadlines import format_deadline
from objections.domain.errors import NotFound, ValidationFailed
from objections.extensions import db
from objections.services import calendar_overrides
from objections.services.calendar_overrides import RecomputeResult

calendar_cli = AppGroup("calendar", help="Working-calendar overrides.")

USAGE_ERROR = 2
REFUSED = 1
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MESSAGES = {
    ("day", "duplicate"): "{day} already has an override; remove it first to change it",
    ("reason", "required"): "a reason is required (--reason TEXT)",
    ("reason", "too_long"): f"the reason is too long ({calendar_overrides.REASON_MAX_LENGTH} characters at most)",
}


def _stop(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _parse_day(value: str) -> date:
    try:
        if ISO_DAY.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    _stop(f"the day must be a date as YYYY-MM-DD, e.g. 2026-03-27 (got {value!r})", USAGE_ERROR)


def _refused(exc: ValidationFailed, day: date) -> NoReturn:
    words = [
        MESSAGES.get((field, code), f"{field}: {code}").format(day=day.isoformat())
        for field, codes in exc.errors.items()
        for code in codes
    ]
    _stop("; ".join(words), REFUSED)


def _kind(is_working_day: bool) -> str:
    return "working day" if is_working_day else "day off"


def _report(verb: str, result: RecomputeResult) -> None:
    click.echo(f"{verb} {result.day.isoformat()} ({_kind(result.is_working_day)}): {result.reason}")
    click.echo(f"Open objections examined: {result.examined}; deadlines changed: {len(result.changes)}.")
    for change in result.changes:
        old, new = format_deadline(change.old_last_day, "en"), format_deadline(change.new_last_day, "en")
        click.echo(f"  {change.reference}: {old} -> {new}")


@calendar_cli.command("add", help="Declare DAY (YYYY-MM-DD) a day off or a working day; open deadlines follow.")
@click.argument("day")
@click.option("--day-off", is_flag=True, help="DAY is not a working day.")
@click.option("--working-day", is_flag=True, help="DAY is a working day (e.g. a Saturday worked for a transfer).")
@click.option("--reason", default="", help="Why, e.g. the government decree that moved the day off (required).")
def calendar_add(day: str, day_off: bool, working_day: bool, reason: str) -> None:
    parsed = _parse_day(day)
    if day_off == working_day:
        _stop("give exactly one of --day-off or --working-day", USAGE_ERROR)
    try:
        result = calendar_overrides.add_override(
            db.session, day=parsed, is_working_day=working_day, reason=reason, actor=None, now=utcnow()
        )
    except ValidationFailed as exc:
        db.session.rollback()
        _refused(exc, parsed)
    db.session.commit()
    _report("Added", result)


@calendar_cli.command("remove", help="Remove the override of DAY (YYYY-MM-DD); open deadlines follow.")
@click.argument("day")
def calendar_remove(day: str) -> None:
    parsed = _parse_day(day)
    try:
        result = calendar_overrides.remove_override(db.session, day=parsed, actor=None, now=utcnow())
    except NotFound:
        db.session.rollback()
        _stop(f"no override for {parsed.isoformat()}", REFUSED)
    db.session.commit()
    _report("Removed", result)


@calendar_cli.command("list", help="The overrides (date, kind, reason), and whether next year still needs review.")
@click.option("--year", type=click.IntRange(1, 9998), default=None, help="Only the overrides of this year.")
def calendar_list(year: int | None) -> None:
    overrides = calendar_overrides.list_overrides(db.session, year=year)
    if not overrides:
        click.echo(f"No calendar overrides for {year}." if year else "No calendar overrides.")
    for override in overrides:
        click.echo(f"{override.day.isoformat()}  {_kind(override.is_working_day):<11}  {override.reason}")
    with force_locale("en"):
        warning = calendar_overrides.next_year_review_warning(db.session, now=utcnow())
    if warning:
        click.echo(f"warning: {warning}")
