"""The working calendar from the database and deadlines computed on it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.domain import deadlines
from objections.domain.calendar import Override, WorkingCalendar
from objections.models import CalendarOverride


def load_calendar(session: Session) -> WorkingCalendar:
    overrides = session.scalars(select(CalendarOverride)).all()
    return WorkingCalendar(Override(o.day, o.is_working_day, o.reason) for o in overrides)


def compute_deadline(session: Session, received_at: datetime, policy: str) -> deadlines.Deadline:
    return deadlines.compute(received_at, load_calendar(session), deadlines.Policy(policy))
