"""Figures at this moment, whatever the period: open objections by standing, and each organisation's worst."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from objections.domain.standing import DUE_SOON, Standing, hours_late, standing_at
from objections.models import Objection
from objections.models.objection import OPEN_STATUSES
from objections.services.reports.filters import ReportFilter


@dataclass(frozen=True)
class OpenNow:
    """Objections open at this moment, in scope, whatever the period."""

    open: int = 0
    due_today: int = 0
    due_within_24h: int = 0
    overdue: int = 0


def open_now(session: Session, filters: ReportFilter, now: datetime) -> OpenNow:
    """Open objections by standing, from the engine's rule applied to each distinct deadline."""
    rows = session.execute(
        select(Objection.deadline_at, func.count())
        .where(*filters.scope(), Objection.status.in_(OPEN_STATUSES))
        .group_by(Objection.deadline_at)
    )
    total = due_today = due_soon = overdue = 0
    for deadline_at, count in rows:
        # received_at matters only for an organisation's internal target, which these figures do not count.
        info = standing_at(now=now, received_at=deadline_at, deadline_at=deadline_at, answered_at=None)
        total += count
        if info.standing == Standing.OVERDUE:
            overdue += count
            continue
        if info.standing == Standing.DUE_TODAY:
            due_today += count
        if info.time_left is not None and info.time_left <= DUE_SOON:
            due_soon += count
    return OpenNow(open=total, due_today=due_today, due_within_24h=due_soon, overdue=overdue)


def worst_overdue(session: Session, filters: ReportFilter, now: datetime) -> dict[int, float]:
    """Per organisation, the hours the longest-overdue open objection is late by now.

    The earliest open deadline per organisation comes from the (organization_id, status, deadline_at) index alone;
    the engine says whether it has passed and by how much (an open objection is unanswered by the lifecycle)."""
    rows = session.execute(
        select(Objection.organization_id, func.min(Objection.deadline_at))
        .where(*filters.scope(), Objection.status.in_(OPEN_STATUSES))
        .group_by(Objection.organization_id)
    )
    late = {
        organization_id: hours_late(deadline_at=deadline_at, answered_at=None, now=now)
        for organization_id, deadline_at in rows
    }
    return {organization_id: hours for organization_id, hours in late.items() if hours is not None}
