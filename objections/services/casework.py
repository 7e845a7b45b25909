"""Operators' work around a case: internal notes, colleagues, forwarding, paper and phone intake, answer templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.domain.errors import NotFound, ValidationFailed
from objections.domain.outcomes import Outcome
from objections.models import (
    AnswerTemplate,
    Clarification,
    IdempotencyRecord,
    InternalNote,
    Objection,
    Organization,
    ProcessingNotice,
    User,
)
from objections.services import idempotency, intake, review
from objections.services.audit import record_audit
from objections.services.events import append_event

NOTE_MAX = 5000
TEXT_MAX = 5000
TITLE_MAX = 200
PAPER_CHANNELS = ("paper", "phone")
STAFF_ROLES = ("operator", "org_admin")


def add_note(session: Session, objection: Objection, *, actor: User, body: str, now: datetime) -> InternalNote:
    """A note between staff of the organisation; the subject never sees it (its event is not public)."""
    text = body.strip()
    if not text:
        raise ValidationFailed({"body": ["required"]})
    if len(text) > NOTE_MAX:
        raise ValidationFailed({"body": ["too_long"]})
    note = InternalNote(objection_id=objection.id, author_id=actor.id, body=text, created_at=now)
    session.add(note)
    session.flush()
    append_event(session, objection, "note_added", now=now, actor=actor, payload={"note_id": note.id})
    return note


def notes_of(session: Session, objection: Objection) -> list[InternalNote]:
    return list(
        session.scalars(select(InternalNote).where(InternalNote.objection_id == objection.id).order_by(InternalNote.id))
    )


def clarifications_of(session: Session, objection: Objection) -> list[Clarification]:
    return list(
        session.scalars(
            select(Clarification).where(Clarification.objection_id == objection.id).order_by(Clarification.id)
        )
    )


def colleagues(session: Session, organization_id: int) -> list[User]:
    """Active operators and organisation admins of the organisation, for assignment."""
    return list(
        session.scalars(
            select(User)
            .where(User.organization_id == organization_id, User.role.in_(STAFF_ROLES), User.active)
            .order_by(User.full_name, User.email)
        )
    )


def find_colleague(session: Session, organization_id: int, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.organization_id != organization_id or user.role not in STAFF_ROLES or not user.active:
        raise NotFound("no such colleague")
    return user


def forward_targets(session: Session, organization_id: int) -> list[Organization]:
    """The other active organisations a misdirected objection may go to."""
    return list(
        session.scalars(
            select(Organization)
            .where(Organization.active, Organization.id != organization_id)
            .order_by(Organization.name_en)
        )
    )


def forward_objection(
    session: Session,
    objection: Objection,
    *,
    actor: User,
    to_organization: str,
    reasoning: str,
    language: str | None,
    expected_version: int | None,
    now: datetime,
) -> Objection:
    """ "Not ours": decide `forwarded`, which opens the other organisation's own objection (received now), and
    answer the subject with the forwarding explained. Returns the new objection."""
    review.decide_and_notify(
        session,
        objection,
        review.DecisionInput(
            outcome=Outcome.FORWARDED, reasoning=reasoning, forward_to=to_organization, language=language
        ),
        actor=actor,
        expected_version=expected_version,
        now=now,
    )
    forwarded = session.get(Objection, objection.forwarded_to_id)
    assert forwarded is not None  # decide() links it for every forwarded outcome
    return forwarded


def register_paper_objection(
    session: Session,
    data: intake.ObjectionInput,
    *,
    actor: User,
    channel: str,
    received_at: datetime | None,
    key: str,
    now: datetime,
    policy: str,
) -> intake.Filed:
    """An objection received on paper or by phone, filed for the actor's organisation with the moment stamped on
    it (never in the future, at most 30 days back; intake enforces both and the "received" event records it).
    The same `key` submitted twice files once and returns the first filing."""
    if channel not in PAPER_CHANNELS:
        raise ValidationFailed({"channel": ["unknown"]})
    if received_at is None:
        raise ValidationFailed({"received_at": ["required"]})
    if actor.organization is None:
        raise NotFound("no organisation")
    data.organization = actor.organization.slug
    stored_key = idempotency.scoped_key("paper", f"{actor.id}:{key}")
    replay = idempotency.find_replay(session, stored_key, data)
    if replay is not None:
        return intake.Filed(objection=replay.objection, access_code=replay.access_code)
    filed = intake.file_objection(
        session, data, channel=channel, now=now, policy=policy, actor=actor, received_at=received_at
    )
    idempotency.remember_filing(session, stored_key, filed, now=now)
    record_audit(
        session,
        "paper_objection_registered",
        now=now,
        actor=actor,
        payload={
            "reference": filed.objection.reference,
            "channel": channel,
            "stamped_received_at": received_at.isoformat(),
        },
    )
    return filed


def paper_receipt(session: Session, *, actor: User, key: str) -> intake.Filed:
    """The filing the actor made under `key`, to show its reference and access code after the redirect."""
    record = session.get(IdempotencyRecord, idempotency.scoped_key("paper", f"{actor.id}:{key}"))
    objection = session.get(Objection, record.objection_id) if record else None
    if record is None or objection is None or objection.organization_id != actor.organization_id:
        raise NotFound("no such filing")
    return intake.Filed(objection=objection, access_code=record.access_code)


def published_notices(session: Session, organization_id: int) -> list[ProcessingNotice]:
    return list(
        session.scalars(
            select(ProcessingNotice)
            .where(
                ProcessingNotice.organization_id == organization_id,
                ProcessingNotice.is_current,
                ProcessingNotice.published,
            )
            .order_by(ProcessingNotice.slug)
        )
    )


@dataclass
class TemplateInput:
    title: str
    outcome: str
    language: str
    reasoning: str
    actions_taken: str = ""
    notice_slug: str | None = None


def _template_problems(session: Session, organization_id: int, data: TemplateInput) -> None:
    errors: dict[str, list[str]] = {}
    for name, value, limit in (
        ("title", data.title, TITLE_MAX),
        ("reasoning", data.reasoning, TEXT_MAX),
        ("actions_taken", data.actions_taken, TEXT_MAX),
    ):
        if name != "actions_taken" and not value.strip():
            errors[name] = ["required"]
        elif len(value.strip()) > limit:
            errors[name] = ["too_long"]
    if data.outcome not in {o.value for o in Outcome}:
        errors["outcome"] = ["unknown"]
    if data.language not in intake.LANGUAGES:
        errors["language"] = ["unknown"]
    if data.notice_slug and data.notice_slug not in {n.slug for n in published_notices(session, organization_id)}:
        errors["notice_slug"] = ["unknown"]
    if errors:
        raise ValidationFailed(errors)


def _fill_template(template: AnswerTemplate, data: TemplateInput) -> None:
    template.title = data.title.strip()
    template.outcome = data.outcome
    template.language = data.language
    template.reasoning = data.reasoning.strip()
    template.actions_taken = data.actions_taken.strip()
    template.notice_slug = data.notice_slug or None


def templates_of(session: Session, organization_id: int) -> list[AnswerTemplate]:
    return list(
        session.scalars(
            select(AnswerTemplate)
            .where(AnswerTemplate.organization_id == organization_id)
            .order_by(AnswerTemplate.notice_slug, AnswerTemplate.outcome, AnswerTemplate.language, AnswerTemplate.id)
        )
    )


def templates_for_case(session: Session, objection: Objection) -> list[AnswerTemplate]:
    """The organisation's templates for the objection's notice and the general ones, its language first."""
    slug = objection.notice.slug if objection.notice else None
    found = [t for t in templates_of(session, objection.organization_id) if t.notice_slug in (None, slug)]
    return sorted(found, key=lambda t: (t.language != objection.language, t.notice_slug is None, t.title))


def template_for(session: Session, template_id: int, *, organization_id: int | None) -> AnswerTemplate:
    template = session.get(AnswerTemplate, template_id)
    if template is None or template.organization_id != organization_id:
        raise NotFound("no such template")
    return template


def create_template(session: Session, *, actor: User, data: TemplateInput, now: datetime) -> AnswerTemplate:
    if actor.organization_id is None:
        raise NotFound("no organisation")
    _template_problems(session, actor.organization_id, data)
    template = AnswerTemplate(organization_id=actor.organization_id, created_at=now)
    _fill_template(template, data)
    session.add(template)
    session.flush()
    record_audit(session, "answer_template_created", now=now, actor=actor, payload={"template_id": template.id})
    return template


def update_template(
    session: Session, template_id: int, *, actor: User, data: TemplateInput, now: datetime
) -> AnswerTemplate:
    template = template_for(session, template_id, organization_id=actor.organization_id)
    _template_problems(session, template.organization_id, data)
    _fill_template(template, data)
    session.flush()
    record_audit(session, "answer_template_updated", now=now, actor=actor, payload={"template_id": template.id})
    return template


def delete_template(session: Session, template_id: int, *, actor: User, now: datetime) -> None:
    template = template_for(session, template_id, organization_id=actor.organization_id)
    session.delete(template)
    session.flush()
    record_audit(session, "answer_template_deleted", now=now, actor=actor, payload={"template_id": template_id})
