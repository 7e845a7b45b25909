"""Operators' use cases on an objection: assign, decide (forwarding and duplicates too), notify, record an offline
notification, flag an undelivered answer, close; and the subject's: withdraw, appeal. Each changes status only
through the lifecycle table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from objections.domain import lifecycle
from objections.domain.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from objections.domain.outcomes import Outcome, decision_problems
from objections.models import Notification, Objection, Organization, User
from objections.services import answers, intake, notify
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


@dataclass(frozen=True)
class _Checked:
    duplicate: Objection | None
    forward_to: Organization | None
    language: str


def _check_decision(session: Session, objection: Objection, data: DecisionInput) -> _Checked:
    """Every rule a decision must meet before anything changes; ValidationFailed names each problem."""
    problems = decision_problems(
        outcome=data.outcome,
        ground=data.ground,
        reasoning=data.reasoning or "",
        actions_taken=data.actions_taken or "",
        duplicate_of=data.duplicate_of,
        forward_to=data.forward_to,
    )
    if data.language and data.language not in intake.LANGUAGES:
        problems["language"] = ["unknown"]
    duplicate = forward_to = None
    if "duplicate_of" not in problems and data.outcome == Outcome.DUPLICATE:
        duplicate = session.scalar(
            select(Objection).where(
                Objection.reference == (data.duplicate_of or "").strip().upper(),
                Objection.organization_id == objection.organization_id,
                Objection.id != objection.id,
            )
        )
        if duplicate is None:
            problems["duplicate_of"] = ["unknown"]
    if "forward_to" not in problems and data.outcome == Outcome.FORWARDED:
        forward_to = session.scalar(
            select(Organization).where(Organization.slug == (data.forward_to or "").strip(), Organization.active)
        )
        if forward_to is None:
            problems["forward_to"] = ["unknown"]
        elif forward_to.id == objection.organization_id:
            problems["forward_to"] = ["same_organisation"]
    if problems:
        raise ValidationFailed(problems)
    return _Checked(duplicate=duplicate, forward_to=forward_to, language=data.language or objection.language)


def can_decide(objection: Objection) -> bool:
    """Received (taken by the decider first) or in review."""
    return objection.status == lifecycle.Status.RECEIVED or lifecycle.can(objection.status, lifecycle.Action.DECIDE)


def _require_decidable(objection: Objection) -> None:
    if objection.status != lifecycle.Status.RECEIVED:
        lifecycle.next_status(objection.status, lifecycle.Action.DECIDE)


def decide(session: Session, objection: Objection, data: DecisionInput, *, actor: User, now: datetime) -> None:
    """Record the decision; an unassigned case is taken by the actor first. A forwarded objection opens as a new
    objection at the other organisation, received now; a duplicate names the earlier objection."""
    _require_decidable(objection)
    checked = _check_decision(session, objection, data)
    if objection.status == lifecycle.Status.RECEIVED:
        assign(session, objection, actor=actor, assignee=None, now=now)
    _move(objection, lifecycle.Action.DECIDE)
    objection.outcome = data.outcome
    objection.ground = data.ground or None
    objection.reasoning = data.reasoning.strip()
    objection.actions_taken = (data.actions_taken or "").strip()
    objection.answer_language = checked.language
    objection.duplicate_of_id = checked.duplicate.id if checked.duplicate else None
    objection.decided_at = now
    payload = {"outcome": data.outcome, "ground": data.ground}
    if checked.duplicate is not None:
        payload["duplicate_of"] = checked.duplicate.reference
    append_event(session, objection, "decided", now=now, actor=actor, payload=payload)
    if checked.forward_to is not None:
        _open_forwarded_objection(session, objection, checked.forward_to, actor=actor, now=now)


def _open_forwarded_objection(
    session: Session, objection: Objection, organization: Organization, *, actor: User, now: datetime
) -> Objection:
    """The other organisation's own objection: same subject and grounds, its own reference, received_at = now."""
    data = intake.ObjectionInput(
        organization=organization.slug,
        full_name=objection.full_name,
        iin=objection.iin,
        language=objection.language,
        grounds=objection.grounds,
        remedies=list(objection.remedies),
        consent=True,
        email=objection.email,
        phone=objection.phone,
        decision_reference=objection.decision_reference,
        decision_date=objection.decision_on,
    )
    filed = intake.file_objection(
        session,
        data,
        channel=objection.channel,
        now=now,
        policy=objection.deadline_policy,
        actor=actor,
        forwarded_from=objection,
    )
    forwarded = filed.objection
    objection.forwarded_to_id = forwarded.id
    append_event(
        session,
        objection,
        "forwarded_out",
        now=now,
        actor=actor,
        payload={"to_reference": forwarded.reference, "to_organization": organization.slug},
    )
    append_event(
        session,
        forwarded,
        "forwarded_in",
        now=now,
        actor=actor,
        payload={"from_reference": objection.reference, "from_organization": objection.organization.slug},
    )
    return forwarded


def preview_answer(session: Session, objection: Objection, data: DecisionInput) -> answers.RenderedAnswer:
    """Exactly what the subject will receive for this decision, rendered without recording anything."""
    _require_decidable(objection)
    checked = _check_decision(session, objection, data)
    content = answers.draft_content(
        objection,
        language=checked.language,
        outcome=data.outcome,
        ground=data.ground,
        reasoning=data.reasoning,
        actions_taken=data.actions_taken or "",
        duplicate_of=checked.duplicate,
        forward_to=checked.forward_to,
    )
    return answers.render_answer(content, checked.language)


def decide_and_notify(
    session: Session,
    objection: Objection,
    data: DecisionInput,
    *,
    actor: User,
    expected_version: int | None,
    now: datetime,
) -> bool:
    """Record the decision and, when the subject gave an e-mail address, publish the answer and queue its e-mail:
    one transaction for the caller to commit. True when the subject is notified (by e-mail) now.
    Conflict when the case changed since the operator loaded it (`expected_version`) or while this ran."""
    _require_decidable(objection)
    if expected_version is not None and expected_version != objection.row_version:
        raise Conflict("the case changed since it was loaded")
    try:
        decide(session, objection, data, actor=actor, now=now)
        if not objection.email:
            return False
        answer_by_email(session, objection, actor=actor, now=now)
    except StaleDataError as exc:
        raise Conflict("the case changed while the decision was recorded") from exc
    return True


def answer_by_email(session: Session, objection: Objection, *, actor: User | None, now: datetime) -> None:
    """Publish the answer on the tracking page and queue its e-mail: the subject is notified (Art. 19-1(3))."""
    if not objection.email:
        raise ValidationFailed({"email": ["no_email_record_offline"]})
    _move(objection, lifecycle.Action.NOTIFY)
    objection.answered_at = now
    language = objection.answer_language or objection.language
    rendered = answers.render_answer(answers.content_of(session, objection, language), language)
    notify.queue_message(
        session,
        key=f"answer:{objection.reference}",
        recipient=objection.email,
        kind="answer",
        language=language,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        now=now,
        objection=objection,
    )
    append_event(session, objection, "answered", now=now, actor=actor, payload={"channel": "email"})


def _offline_problems(objection: Objection, *, channel: str, notified_at: datetime, by: str, now: datetime) -> None:
    errors: dict[str, list[str]] = {}
    if channel not in OFFLINE_CHANNELS:
        errors["channel"] = ["unknown"]
    if notified_at > now:
        errors["at"] = ["in_future"]
    elif objection.decided_at and notified_at < objection.decided_at:
        errors["at"] = ["before_decision"]
    if not by.strip():
        errors["by"] = ["required"]
    elif len(by.strip()) > 200:
        errors["by"] = ["too_long"]
    if errors:
        raise ValidationFailed(errors)


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
    lifecycle.next_status(objection.status, lifecycle.Action.NOTIFY)
    _offline_problems(objection, channel=channel, notified_at=notified_at, by=by, now=now)
    _move(objection, lifecycle.Action.NOTIFY)
    objection.answered_at = notified_at
    objection.notified_channel = channel
    objection.notified_by = by.strip()
    append_event(
        session,
        objection,
        "notified_offline",
        now=now,
        actor=actor,
        payload={"channel": channel, "at": notified_at.isoformat()},
    )


def flag_undelivered_answer(session: Session, notification: Notification, *, now: datetime) -> Objection | None:
    """An answer e-mail that could not be delivered flags its objection for the operator to notify the subject
    by other means; `answered_at` stays (DESIGN.md). None for any other message."""
    if notification.kind != "answer" or notification.objection_id is None:
        return None
    objection = session.get(Objection, notification.objection_id)
    if objection is None or objection.answer_undelivered_at is not None:
        return objection
    objection.answer_undelivered_at = now
    append_event(session, objection, "answer_undelivered", now=now, payload={"notification_id": notification.id})
    return objection


def record_notification_after_failed_email(
    session: Session,
    objection: Objection,
    *,
    actor: User,
    channel: str,
    notified_at: datetime,
    by: str,
    now: datetime,
) -> None:
    """The answer e-mail failed and the subject was then told by post, phone or in person; clears the flag."""
    if objection.answer_undelivered_at is None:
        raise IllegalTransition(objection.status, "notify")
    _offline_problems(objection, channel=channel, notified_at=notified_at, by=by, now=now)
    objection.answer_undelivered_at = None
    objection.notified_channel = channel
    objection.notified_by = by.strip()
    append_event(
        session,
        objection,
        "notified_offline",
        now=now,
        actor=actor,
        payload={"channel": channel, "at": notified_at.isoformat(), "after_failed_email": True},
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
    """Close answered objections `after_days` after the answer; one whose answer e-mail failed stays open until the
    subject is told by other means."""
    due = session.scalars(
        select(Objection).where(
            Objection.status == "answered",
            Objection.answered_at <= now - timedelta(days=after_days),
            Objection.answer_undelivered_at.is_(None),
        )
    ).all()
    for objection in due:
        close_answered(session, objection, now=now)
    return len(due)
