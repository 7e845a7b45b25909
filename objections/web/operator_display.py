"""How the operator pages show things: time left, masked IINs and the timeline in words and local time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from objections.domain.deadlines import format_deadline
from objections.domain.standing import StandingInfo
from objections.domain.timefmt import format_local_datetime
from objections.models import Objection, ObjectionEvent, User
from objections.services import access_log
from objections.services.presenters import standing_of
from objections.web import labels
from objections.web.operator_forms import NOTIFIED_BY

EVENT = {
    "received": _l("Received"),
    "assigned": _l("Assigned"),
    "note_added": _l("Internal note added"),
    "clarification_requested": _l("Clarification requested from the subject"),
    "clarification_replied": _l("The subject replied to the clarification request"),
    "decided": _l("Decided"),
    "answered": _l("Answer published and e-mailed"),
    "notified_offline": _l("Subject notified by other means"),
    "answer_undelivered": _l("Answer e-mail not delivered"),
    "answer_delivered": _l("Answer e-mail delivered after a retry"),
    "forwarded_out": _l("Forwarded to another organisation"),
    "forwarded_in": _l("Forwarded here by another organisation"),
    "withdrawn": _l("Withdrawn by the subject"),
    "appealed": _l("Appeal recorded"),
    "closed": _l("Closed"),
    "deadline_changed": _l("Deadline recomputed after a calendar change"),
    "attachment_added": _l("Attachment added"),
}
ACTOR = {"subject": _l("The subject"), "system": _l("The system"), "api": _l("API client")}


def time_left_text(info: StandingInfo) -> str:
    """'2 d 5 h left', '40 min left' or '1 d 3 h overdue'; empty once answered."""
    if info.time_left is None:
        return ""
    late = info.time_left <= timedelta(0)
    span = -info.time_left if late else info.time_left
    days, rest = divmod(int(span.total_seconds()) // 60, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        amount = gettext("%(days)d d %(hours)d h", days=days, hours=hours)
    elif hours:
        amount = gettext("%(hours)d h %(minutes)d min", hours=hours, minutes=minutes)
    else:
        amount = gettext("%(minutes)d min", minutes=minutes)
    return gettext("%(amount)s overdue", amount=amount) if late else gettext("%(amount)s left", amount=amount)


def mask_iin(iin: str) -> str:
    """Lists show the last four digits only; the case file shows the whole IIN."""
    return "•" * max(len(iin) - 4, 0) + iin[-4:]


@dataclass(frozen=True)
class QueueRow:
    objection: Objection
    standing: StandingInfo
    time_left: str
    iin: str
    received: str
    deadline: str


def queue_row(objection: Objection, now: datetime, language: str) -> QueueRow:
    standing = standing_of(objection, now)
    return QueueRow(
        objection=objection,
        standing=standing,
        time_left=time_left_text(standing),
        iin=mask_iin(objection.iin),
        received=format_local_datetime(objection.received_at, language, with_weekday=False),
        deadline=format_deadline(objection.last_day, language),
    )


@dataclass(frozen=True)
class TimelineEntry:
    when: str
    who: str
    what: str
    details: str
    is_public: bool


def _who(event: ObjectionEvent) -> str:
    if event.actor is not None:
        return event.actor.full_name or event.actor.email
    return str(ACTOR.get(event.actor_kind, event.actor_kind))


def _moment(value: object, language: str) -> str:
    try:
        return format_local_datetime(datetime.fromisoformat(str(value)), language, with_weekday=False)
    except (TypeError, ValueError):
        return str(value)


def _details(session: Session, event: ObjectionEvent, language: str) -> str:
    payload = event.payload or {}
    parts: list[str] = []
    if event.kind == "received":
        parts.append(labels.label(labels.CHANNEL, payload.get("channel")))
        if "stamped_received_at" in payload:
            parts.append(gettext("stamped %(at)s", at=_moment(payload["stamped_received_at"], language)))
        if "forwarded_from" in payload:
            parts.append(gettext("forwarded from %(reference)s", reference=payload["forwarded_from"]))
    elif event.kind == "assigned" and payload.get("assignee_id"):
        user = session.get(User, payload["assignee_id"])
        parts.append(gettext("to %(name)s", name=(user.full_name or user.email) if user else "?"))
    elif event.kind == "decided":
        parts.append(labels.label(labels.OUTCOME, payload.get("outcome")))
        if payload.get("ground"):
            parts.append(labels.label(labels.GROUND, payload["ground"]))
        if payload.get("duplicate_of"):
            parts.append(gettext("duplicate of %(reference)s", reference=payload["duplicate_of"]))
    elif event.kind == "notified_offline":
        parts.append(str(NOTIFIED_BY.get(payload.get("channel", ""), payload.get("channel", ""))))
        parts.append(_moment(payload.get("at"), language))
    elif event.kind == "forwarded_out":
        parts.append(gettext("registered there as %(reference)s", reference=payload.get("to_reference", "")))
    elif event.kind == "forwarded_in":
        parts.append(gettext("from %(reference)s", reference=payload.get("from_reference", "")))
    elif event.kind == "appealed":
        parts.append(
            gettext("disagreement with the answer")
            if payload.get("kind") == "disagreement"
            else gettext("complaint of inaction")
        )
    elif event.kind == "deadline_changed":
        for key in ("old_deadline_at", "new_deadline_at"):
            if key in payload:
                parts.append(_moment(payload[key], language))
    return "; ".join(part for part in parts if part)


def timeline(session: Session, objection: Objection, language: str) -> list[TimelineEntry]:
    """Every event, oldest first: who, what, when on the Astana clock, and whether the subject sees it."""
    return [
        TimelineEntry(
            when=format_local_datetime(event.at, language, with_weekday=False),
            who=_who(event),
            what=str(EVENT.get(event.kind, event.kind)),
            details=_details(session, event, language),
            is_public=event.is_public,
        )
        for event in objection.events
        if event.kind != access_log.VIEWED  # readings are the access log, shown apart
    ]
