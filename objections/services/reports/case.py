"""One objection as a supervisor sees it: facts, deadline and timeline, with the subject masked and no free text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.domain.errors import NotFound
from objections.domain.standing import StandingInfo, hours_late
from objections.models import Objection, ObjectionEvent
from objections.services.presenters import DeadlineView, deadline_view, standing_of
from objections.services.reports.masking import initials, masked_iin


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    at: datetime
    actor_kind: str


@dataclass(frozen=True)
class MaskedCase:
    reference: str
    organization: str
    organization_slug: str
    notice: str | None
    risk_class: str | None
    channel: str
    status: str
    subject: str
    iin: str
    received_at: datetime
    deadline: DeadlineView
    standing: StandingInfo
    answered_at: datetime | None
    hours_late: float | None
    outcome: str | None
    ground: str | None
    appealed_at: datetime | None
    withdrawn_at: datetime | None
    closed_at: datetime | None
    assignee: str | None
    timeline: list[TimelineEntry]


def masked_case(session: Session, reference: str, *, language: str, now: datetime) -> MaskedCase:
    """The case read-only; NotFound for an unknown reference."""
    objection = session.scalar(select(Objection).where(Objection.reference == reference.strip().upper()))
    if objection is None:
        raise NotFound("no such objection")
    events = session.execute(
        select(ObjectionEvent.kind, ObjectionEvent.at, ObjectionEvent.actor_kind)
        .where(ObjectionEvent.objection_id == objection.id, ObjectionEvent.kind != "viewed")
        .order_by(ObjectionEvent.seq)
    )
    withdrawn = objection.status == "withdrawn"
    notice = objection.notice
    assignee = objection.assignee
    return MaskedCase(
        reference=objection.reference,
        organization=objection.organization.name(language),
        organization_slug=objection.organization.slug,
        notice=notice.text("title", language) if notice else None,
        risk_class=notice.risk_class if notice else None,
        channel=objection.channel,
        status=objection.status,
        subject=initials(objection.full_name),
        iin=masked_iin(objection.iin),
        received_at=objection.received_at,
        deadline=deadline_view(session, objection, language),
        standing=standing_of(objection, now),
        answered_at=objection.answered_at,
        hours_late=None
        if withdrawn
        else hours_late(deadline_at=objection.deadline_at, answered_at=objection.answered_at, now=now),
        outcome=objection.outcome,
        ground=objection.ground,
        appealed_at=objection.appealed_at,
        withdrawn_at=objection.withdrawn_at,
        closed_at=objection.closed_at,
        assignee=(assignee.full_name or assignee.email) if assignee else None,
        timeline=[TimelineEntry(kind=k, at=at, actor_kind=actor) for k, at, actor in events],
    )
