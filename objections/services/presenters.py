"""Views of an objection's deadline and standing for pages, mails and the API, from the one engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from objections.domain import deadlines
from objections.domain.standing import StandingInfo, standing_at
from objections.models import Objection
from objections.services.deadlines import load_calendar


@dataclass(frozen=True)
class DeadlineView:
    deadline_at: datetime
    deadline_text: str
    explanation: list[str]


def deadline_view(session: Session, objection: Objection, language: str) -> DeadlineView:
    """The stored deadline with the engine's explanation in `language`."""
    computed = deadlines.compute(
        objection.received_at, load_calendar(session), deadlines.Policy(objection.deadline_policy)
    )
    return DeadlineView(
        deadline_at=objection.deadline_at,
        deadline_text=deadlines.format_deadline(objection.last_day, language),
        explanation=computed.explanation(language),
    )


def standing_of(objection: Objection, now: datetime) -> StandingInfo:
    return standing_at(
        now=now,
        received_at=objection.received_at,
        deadline_at=objection.deadline_at,
        answered_at=objection.answered_at,
        internal_target_hours=objection.organization.internal_target_hours,
    )
