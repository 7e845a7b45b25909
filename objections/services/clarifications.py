"""Clarification requests: the operator asks, the subject replies on the tracking page; the clock never stops."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.domain import lifecycle
from objections.domain.deadlines import format_deadline
from objections.domain.errors import IllegalTransition, ValidationFailed
from objections.models import Clarification, Objection, User
from objections.services import notify
from objections.services.events import append_event

QUESTION_MAX = 2000
REPLY_MAX = 5000
# A question makes sense only before the decision; Art. 19-1(3) gives no pause, so the deadline is untouched.
ASKABLE = frozenset({lifecycle.Status.RECEIVED, lifecycle.Status.IN_REVIEW})


def _text_problem(value: str, limit: int) -> str | None:
    if not value.strip():
        return "required"
    return "too_long" if len(value.strip()) > limit else None


def request_clarification(
    session: Session, objection: Objection, *, actor: User, question: str, now: datetime
) -> Clarification:
    """Ask the subject a question: a timeline event and, when there is an address, an e-mail in their language."""
    if objection.status not in ASKABLE:
        raise IllegalTransition(objection.status, "clarify")
    if problem := _text_problem(question, QUESTION_MAX):
        raise ValidationFailed({"question": [problem]})
    clarification = Clarification(
        objection_id=objection.id, question=question.strip(), asked_by_id=actor.id, asked_at=now
    )
    session.add(clarification)
    session.flush()
    append_event(
        session,
        objection,
        "clarification_requested",
        now=now,
        actor=actor,
        payload={"clarification_id": clarification.id, "emailed": bool(objection.email)},
    )
    if objection.email:
        language = objection.language
        notify.queue_rendered(
            session,
            template="clarification_request",
            kind="clarification",
            key=f"clarification:{objection.reference}:{clarification.id}",
            recipient=objection.email,
            language=language,
            now=now,
            objection=objection,
            question=clarification.question,
            link=notify.absolute_url(f"/track/link/{notify.tracking_token(objection.reference)}"),
            deadline_text=format_deadline(objection.last_day, language),
            subject=lambda: gettext("A question about your objection %(reference)s", reference=objection.reference),
        )
    return clarification


def reply_to_clarification(
    session: Session, objection: Objection, *, clarification_id: int, reply: str, now: datetime
) -> Clarification:
    """The subject's one reply to a question of this objection; the organisation is told it arrived."""
    clarification = session.scalar(
        select(Clarification).where(Clarification.id == clarification_id, Clarification.objection_id == objection.id)
    )
    if clarification is None:
        raise ValidationFailed({"clarification_id": ["unknown"]})
    if clarification.reply is not None:
        raise ValidationFailed({"reply": ["already_replied"]})
    if objection.status in lifecycle.TERMINAL:
        raise ValidationFailed({"reply": ["case_closed"]})
    if problem := _text_problem(reply, REPLY_MAX):
        raise ValidationFailed({"reply": [problem]})
    clarification.reply = reply.strip()
    clarification.replied_at = now
    append_event(
        session,
        objection,
        "clarification_replied",
        now=now,
        actor_kind="subject",
        payload={"clarification_id": clarification.id},
    )
    link = notify.absolute_url(f"/cases/{objection.reference}")
    for address, language, user in notify.organisation_recipients(session, objection):
        notify.queue_rendered(
            session,
            template="clarification_reply",
            kind="clarification_reply",
            key=f"clarification-reply:{objection.reference}:{clarification.id}:{address}",
            recipient=address,
            language=language,
            now=now,
            objection=objection,
            user=user,
            link=link,
            deadline_text=format_deadline(objection.last_day, language),
            subject=lambda: gettext("Reply to your question on objection %(reference)s", reference=objection.reference),
        )
    return clarification
