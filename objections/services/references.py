"""Readable, unique references (OB-2026-000123) from a per-year counter incremented atomically."""

from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from objections.models import ReferenceCounter

_COUNTERS = ReferenceCounter.__table__
# One Core statement, built once: no ORM bookkeeping (the counter is never loaded as an object) and no rebuilding.
_BUMP = (
    update(_COUNTERS)
    .where(_COUNTERS.c.year == bindparam("counter_year"))
    .values(last_value=_COUNTERS.c.last_value + 1)
    .returning(_COUNTERS.c.last_value)
)


def next_reference(session: Session, year: int) -> str:
    """Issue the next reference of `year`; one UPDATE ... RETURNING, never "count + 1"."""
    value = session.execute(_BUMP, {"counter_year": year}).scalar_one_or_none()
    if value is None:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(dialect.insert(ReferenceCounter).values(year=year, last_value=0).on_conflict_do_nothing())
        value = session.execute(_BUMP, {"counter_year": year}).scalar_one()
    return f"OB-{year}-{value:06d}"
