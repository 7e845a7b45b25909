"""Operators' use cases on an objection: assign, decide, notify, record an offline notification, close;
and the subject's: withdraw, appeal. Each changes status only through the lifecycle table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.domain import lifecycle
from objections.domain.errors import NotFound, ValidationFailed
from objections.domain.outcomes import Outcome, decision_problems
from objections.models import Objection, User
from objections.services import notify
from objections.services.events import append_event

OFFLINE_CHANNELS = ("post", "phone", "in_person")


def _move(objection: Objection, action: lifecycle.Action) -> None:
    objection.status = lifecycle.next_status(objection.status, action).value


def assign(session: Session, objection: Objection, *, actor: User, assignee: User | None, now: datetime) -> None:
    """Give the case to `assignee` (a colleague of the same organisation) or to the actor."""
    target = assignee or actor
    if target.organization_id != objection.organization_id or not target.active:
        raise NotFound("no such colleague")
    _move(objection, lifecycle.Action.ASSIGN)
    objection.assignee = target
    append_event(session, objection, "assigned", now=now, actor=actor, payload={"assignee_id": target.id})


@dataclass
class DecisionInput:
    outcome: str
    reasoning: str
    actions_taken: str = ""
    ground: str | None = None
    language: str | None = None
    duplicate_of: str | None = None
    forward_to: str | None = None


def decide(session: Session, objection: Objection, data: DecisionInput, *, actor: User, now: datetime) -> None:
    """Record the decision; an unassigned case is taken by the actor first."""
    problems = decision_problems(
        outcome=data.outcome,
        ground=data.ground,
        reasoning=data.reasoning or "",
        actions_taken=data.actions_taken or "",
        duplicate_of=data.duplicate_of,
        forward_to=data.forward_to,
    )
    if data.language and data.language not in ("kk", "ru", "en"):
        problems["language"] = ["unknown"]
    duplicate = None
    if not problems and data.outcome == Outcome.DUPLICATE:
        duplicate = session.scalar(
            select(Objection).where(
                Objection.reference == (data.duplicate_of or "").strip().upper(),
                Objection.organization_id == objection.organization_id,
                Objection.id != objection.id,
            )
        )
        if duplicate is None:
            problems["duplicate_of"] = ["unknown"]
    if problems:
        raise ValidationFailed(problems)
    if objection.status == lifecycle.Status.RECEIVED:
        assign(session, objection, actor=actor, assignee=None, now=now)
    _move(objection, lifecycle.Action.DECIDE)
    objection.outcome = data.outcome
    objection.ground = data.ground or None
    objection.reasoning = data.reasoning.strip()
    objection.actions_taken = (data.actions_taken or "").strip()
    objection.answer_language = data.language or objection.language
    objection.duplicate_of_id = duplicate.id if duplicate else None
    objection.decided_at = now
    append_event(
        session, objection, "decided", now=now, actor=actor, payload={"outcome": data.outcome, "ground": data.ground}
    )


def answer_by_email(session: Session, objection: Objection, *, actor: User | None, now: datetime) -> None:
    """Publish the answer on the tracking page and queue its e-mail: the subject is notified (Art. 19-1(3))."""
    if not objection.email:
        raise ValidationFailed({"email": ["no_email_record_offline"]})
    _move(objection, lifecycle.Action.NOTIFY)
    objection.answered_at = now
    language = objection.answer_language or objection.language
    link = notify.absolute_url(f"/track/link/{notify.tracking_token(objection.reference)}")
    text, html = notify._render(
        "answer", language, objection=objection, link=link, appeal_routes=notify.appeal_routes(language)
    )
    with force_locale(language):
        subject = gettext("Answer to your objection %(reference)s", reference=objection.reference)
    notify.queue_message(
        session,
        key=f"answer:{objection.reference}",
        recipient=objection.email,
        kind="answer",
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        now=now,
        objection=objection,
    )
    append_event(session, objection, "answered", now=now, actor=actor, payload={"channel": "email"})


def record_offline_notification(
    session: Session,
    objection: Objection,
    *,
    actor: User,
    channel: str,
    notified_at: datetime,
    by: str,
    now: datetime,
) -> None:
    """For paper and phone objections: the subject was told by post, phone or in person at `notified_at`."""
    errors: dict[str, list[str]] = {}
    if channel not in OFFLINE_CHANNELS:
        errors["channel"] = ["unknown"]
    if notified_at > now:
        errors["at"] = ["in_future"]
    elif objection.decided_at and notified_at < objection.decided_at:
        errors["at"] = ["before_decision"]
    if not by.strip():
        errors["by"] = ["required"]
    if errors:
        raise ValidationFailed(errors)
    _move(objection, lifecycle.Action.NOTIFY)
    objection.answered_at = notified_at
    objection.notified_channel = channel
    objection.notified_by = by.strip()[:200]
    append_event(
        session,
        objection,
        "notified_offline",
        now=now,
        actor=actor,
        payload={"channel": channel, "at": notified_at.isoformat()},
    )


def close_answered(session: Session, objection: Objection, *, now: datetime) -> None:
    _move(objection, lifecycle.Action.CLOSE)
    objection.closed_at = now
    append_event(session, objection, "closed", now=now)


def withdraw(session: Session, objection: Objection, *, now: datetime) -> None:
    """The subject withdraws before a decision; this closes the objection."""
    _move(objection, lifecycle.Action.WITHDRAW)
    objection.withdrawn_at = now
    objection.closed_at = now
    append_event(session, objection, "withdrawn", now=now, actor_kind="subject")


def appeal(session: Session, objection: Objection, *, now: datetime) -> None:
    """Disagreement after an answer, or a complaint of inaction once the deadline passed unanswered."""
    answered = objection.answered_at is not None
    if not answered and now < objection.deadline_at:
        raise ValidationFailed({"appeal": ["too_early"]})
    if objection.status == lifecycle.Status.WITHDRAWN:
        raise ValidationFailed({"appeal": ["withdrawn"]})
    objection.appealed_at = objection.appealed_at or now
    append_event(
        session,
        objection,
        "appealed",
        now=now,
        actor_kind="subject",
        payload={"kind": "disagreement" if answered else "inaction"},
    )


def close_due(session: Session, *, now: datetime, after_days: int) -> int:
    """Close answered objections `after_days` after the answer."""
    due = session.scalars(
        select(Objection).where(
            Objection.status == "answered", Objection.answered_at <= now - timedelta(days=after_days)
        )
    ).all()
    for objection in due:
        close_answered(session, objection, now=now)
    return len(due)
