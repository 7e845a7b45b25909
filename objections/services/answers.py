"""The answer to a subject, rendered once for the e-mail, the operator's preview and the printed letter."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session

from objections.models import Objection, Organization
from objections.services import notify


@dataclass(frozen=True)
class AnswerContent:
    """What the answer says: the decision and the facts it names (references, not personal data)."""

    reference: str
    organization_name: str
    outcome: str
    ground: str | None
    reasoning: str
    actions_taken: str
    duplicate_of: str | None = None
    forwarded_to: str | None = None


@dataclass(frozen=True)
class RenderedAnswer:
    language: str
    subject: str
    text: str
    html: str


def content_of(session: Session, objection: Objection, language: str) -> AnswerContent:
    """The content of a recorded decision, with the linked objections' references and names in `language`."""
    duplicate = session.get(Objection, objection.duplicate_of_id) if objection.duplicate_of_id else None
    forwarded = session.get(Objection, objection.forwarded_to_id) if objection.forwarded_to_id else None
    return AnswerContent(
        reference=objection.reference,
        organization_name=objection.organization.name(language),
        outcome=objection.outcome or "",
        ground=objection.ground,
        reasoning=objection.reasoning or "",
        actions_taken=objection.actions_taken or "",
        duplicate_of=duplicate.reference if duplicate else None,
        forwarded_to=forwarded.organization.name(language) if forwarded else None,
    )


def draft_content(
    objection: Objection,
    *,
    language: str,
    outcome: str,
    ground: str | None,
    reasoning: str,
    actions_taken: str,
    duplicate_of: Objection | None,
    forward_to: Organization | None,
) -> AnswerContent:
    """The content of a decision not recorded yet, for the preview; it renders as the recorded one will."""
    return AnswerContent(
        reference=objection.reference,
        organization_name=objection.organization.name(language),
        outcome=outcome,
        ground=ground or None,
        reasoning=reasoning.strip(),
        actions_taken=actions_taken.strip(),
        duplicate_of=duplicate_of.reference if duplicate_of else None,
        forwarded_to=forward_to.name(language) if forward_to else None,
    )


def render_answer(content: AnswerContent, language: str) -> RenderedAnswer:
    """Subject line and bodies in `language`, with the appeal routes appended by the system, never by hand."""
    link = notify.absolute_url(f"/track/link/{notify.tracking_token(content.reference)}")
    text, html = notify._render(
        "answer", language, answer=content, link=link, appeal_routes=notify.appeal_routes(language)
    )
    with force_locale(language):
        subject = gettext("Answer to your objection %(reference)s", reference=content.reference)
    return RenderedAnswer(language=language, subject=subject, text=text, html=html)
