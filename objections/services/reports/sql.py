"""SQL pieces of the reports: date arithmetic for SQLite and PostgreSQL, and the breach rule as a condition."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, and_, literal, or_, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

from objections.models import Objection
from objections.models.base import UTCDateTime
from objections.models.objection import OPEN_STATUSES


class seconds_between(FunctionElement[float]):
    """Seconds from the second moment to the first (negative when the first is earlier)."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between)
def _seconds_between_standard(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


class whole_days(FunctionElement[int]):
    """Whole days (truncated) from the second moment to the first; the first is never earlier."""

    type = Integer()
    inherit_cache = True
    name = "whole_days"


@compiles(whole_days)
def _whole_days_standard(element: whole_days, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400) AS INTEGER)"


@compiles(whole_days, "sqlite")
def _whole_days_sqlite(element: whole_days, compiler: SQLCompiler, **kw: Any) -> str:
    # CAST truncates toward zero, which is the floor here: the first moment is never the earlier one.
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


SQLITE_MMAP_BYTES = 1 << 30


def tune_connection(session: Session) -> None:
    """On SQLite, read the file through a memory map on this connection (it stays with the pooled connection).

    A period's objections lie on many pages and each organisation's index range visits them in turn; without the
    map every page is another read() once the small default page cache is full."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}"))


def moment(value: datetime) -> ColumnElement[datetime]:
    """A bound moment stored the way the columns store it."""
    return literal(value, UTCDateTime())


# The breach rule of domain/standing.py (`is_breach`) put as SQL conditions so that counts stay in the database:
# answered at or after the deadline, or still unanswered (and not withdrawn) at or after it. A withdrawn objection
# is no breach. tests/services/test_reports.py checks these against `is_breach` row by row.
def answered_on_time() -> ColumnElement[bool]:
    return Objection.answered_at < Objection.deadline_at


def answered_late() -> ColumnElement[bool]:
    return Objection.answered_at >= Objection.deadline_at


def overdue_at(now: datetime) -> ColumnElement[bool]:
    return and_(
        Objection.answered_at.is_(None),
        Objection.status.in_(OPEN_STATUSES),
        Objection.deadline_at <= moment(now),
    )


def breach_at(now: datetime) -> ColumnElement[bool]:
    return or_(answered_late(), overdue_at(now))
