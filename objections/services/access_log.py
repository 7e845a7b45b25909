"""Who opened a case: each staff reading of an objection is a "viewed" entry on that objection's own hash chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from objections.domain.errors import NotFound
from objections.models import Objection, ObjectionEvent, User
from objections.services.events import append_event

VIEWED = "viewed"
# Reloading the page, or opening it again soon after, is the same reading: it is logged once.
SAME_READING = timedelta(minutes=10)
ATTEMPTS = 3


@dataclass(frozen=True)
class Reading:
    at: datetime
    who: str
    role: str
    via: str


def record_view(session: Session, objection: Objection, *, actor: User, via: str, now: datetime) -> None:
    """Log that `actor` read the case through `via` (web, supervisor, api). The entry names the person and the
    case, never its content. Two readers at the same moment may claim the same place in the chain: the loser
    tries again at the next place."""
    last = session.scalar(
        select(ObjectionEvent.at)
        .where(
            ObjectionEvent.objection_id == objection.id,
            ObjectionEvent.kind == VIEWED,
            ObjectionEvent.actor_id == actor.id,
        )
        .order_by(ObjectionEvent.seq.desc())
        .limit(1)
    )
    if last is not None and now - last < SAME_READING:
        return
    for attempt in range(ATTEMPTS):
        try:
            with session.begin_nested():
                append_event(
                    session,
                    objection,
                    VIEWED,
                    now=now,
                    actor=actor,
                    actor_kind="api" if via == "api" else "staff",
                    payload={"via": via, "role": actor.role, "organization_id": actor.organization_id},
                )
            return
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise


def by_reference(session: Session, reference: str) -> Objection:
    objection = session.scalar(select(Objection).where(Objection.reference == reference))
    if objection is None:
        raise NotFound("no such objection")
    return objection


def readings(session: Session, objection: Objection) -> list[Reading]:
    """Every logged reading of the case, newest first."""
    rows = session.execute(
        select(ObjectionEvent.at, ObjectionEvent.payload, User.full_name, User.email, User.role)
        .join(User, User.id == ObjectionEvent.actor_id, isouter=True)
        .where(ObjectionEvent.objection_id == objection.id, ObjectionEvent.kind == VIEWED)
        .order_by(ObjectionEvent.seq.desc())
    )
    return [
        Reading(at=at, who=name or email or "—", role=role or "", via=(payload or {}).get("via", ""))
        for at, payload, name, email, role in rows
    ]
