"""Readable, unique references (OB-2026-000123) from a per-year counter incremented atomically."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from objections.models import ReferenceCounter


def next_reference(session: Session, year: int) -> str:
    """Issue the next reference of `year`; one UPDATE ... RETURNING, never "count + 1"."""
    bump = (
        update(ReferenceCounter)
        .where(ReferenceCounter.year == year)
        .values(last_value=ReferenceCounter.last_value + 1)
        .returning(ReferenceCounter.last_value)
        .execution_options(synchronize_session=False)
    )
    value = session.execute(bump).scalar_one_or_none()
    if value is None:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(dialect.insert(ReferenceCounter).values(year=year, last_value=0).on_conflict_do_nothing())
        value = session.execute(bump).scalar_one()
    return f"OB-{year}-{value:06d}"
