"""How an objection reads to its organisation's operators in the API, its ETag, and the list's page cursor."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from flask import Response, jsonify

from objections.clock import utcnow
from objections.extensions import db
from objections.models import Objection
from objections.services import access_log, case_listing
from objections.services.presenters import standing_of
from objections.web.api.case_schemas import CaseDecision, CaseDetail, CaseEvent
from objections.web.api.errors import ApiError


def summary(objection: Objection, now: datetime) -> dict:
    """The fields of a list item, also the head of the full view."""
    standing = standing_of(objection, now)
    return {
        "reference": objection.reference,
        "status": objection.status,
        "channel": objection.channel,
        "notice": objection.notice.slug if objection.notice else None,
        "full_name": objection.full_name,
        "received_at": objection.received_at,
        "deadline_at": objection.deadline_at,
        "last_day": objection.last_day,
        "answered_at": objection.answered_at,
        "assignee": objection.assignee.email if objection.assignee else None,
        "standing": standing.standing,
        "breached": standing.is_breach,
    }


def decision_of(objection: Objection) -> CaseDecision | None:
    if objection.decided_at is None or not objection.outcome:
        return None
    duplicate = db.session.get(Objection, objection.duplicate_of_id) if objection.duplicate_of_id else None
    return CaseDecision(
        outcome=objection.outcome,
        ground=objection.ground,
        reasoning=objection.reasoning or "",
        actions_taken=objection.actions_taken or "",
        language=objection.answer_language or objection.language,
        decided_at=objection.decided_at,
        duplicate_of=duplicate.reference if duplicate else None,
    )


def etag(objection: Objection) -> str:
    """The objection's version: row_version changes with every update of the row."""
    return f"v{objection.row_version}"


def detail_response(objection: Objection) -> Response:
    """The objection as its organisation's operators read it, with its ETag."""
    detail = CaseDetail(
        **summary(objection, utcnow()),
        iin=objection.iin,
        email=objection.email,
        phone=objection.phone,
        language=objection.language,
        decision_reference=objection.decision_reference,
        decision_date=objection.decision_on,
        grounds=objection.grounds,
        remedies=objection.remedies,
        decision=decision_of(objection),
        notified_channel=objection.notified_channel,
        notified_by=objection.notified_by,
        answer_undelivered_at=objection.answer_undelivered_at,
        appealed_at=objection.appealed_at,
        withdrawn_at=objection.withdrawn_at,
        closed_at=objection.closed_at,
        events=[
            CaseEvent(
                seq=event.seq,
                kind=event.kind,
                at=event.at,
                actor_kind=event.actor_kind,
                actor=event.actor.email if event.actor else None,
                public=event.is_public,
                payload=event.payload or {},
            )
            for event in objection.events
            if event.kind != access_log.VIEWED  # readings are the access log, not the case's history
        ],
    )
    response = jsonify(detail.model_dump(mode="json"))
    response.set_etag(etag(objection))
    return response


def encode_cursor(position: case_listing.Position) -> str:
    raw = f"{position.deadline_at.isoformat()}|{position.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> case_listing.Position | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, ident = raw.partition("|")
        deadline_at = datetime.fromisoformat(moment)
        if deadline_at.tzinfo is None:
            raise ValueError("naive")
        return case_listing.Position(deadline_at=deadline_at.astimezone(UTC), id=int(ident))
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError):
        raise ApiError(400, "The cursor is not valid: follow the `next` link as given.") from None
