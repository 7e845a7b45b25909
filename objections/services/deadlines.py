"""The working calendar from the database and deadlines computed on it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, scoped_session

from objections.domain import deadlines
from objections.domain.calendar import Override, WorkingCalendar
from objections.models import CalendarOverride

_CACHE_KEY = "working_calendar"


def load_calendar(session: Session) -> WorkingCalendar:
    """The calendar with the overrides, read once per transaction (a filing needs it several times)."""
    if isinstance(session, scoped_session):
        session = session()
    transaction = session.get_transaction()
    cached = session.info.get(_CACHE_KEY)
    if transaction is not None and cached is not None and cached[0] is transaction:
        return cached[1]
    overrides = session.scalars(select(CalendarOverride)).all()
    calendar = WorkingCalendar(Override(o.day, o.is_working_day, o.reason) for o in overrides)
    session.info[_CACHE_KEY] = (session.get_transaction(), calendar)
    return calendar


def forget_calendar(session: Session) -> None:
    """Drop the cached calendar after an override changed in this transaction."""
    if isinstance(session, scoped_session):
        session = session()
    session.info.pop(_CACHE_KEY, None)


def compute_deadline(session: Session, received_at: datetime, policy: str) -> deadlines.Deadline:
    return deadlines.compute(received_at, load_calendar(session), deadlines.Policy(policy))
