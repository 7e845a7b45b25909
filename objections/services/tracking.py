"""Re-sending a subject's tracking link to the e-mail address on file, a bounded number of times a day."""

from __future__ import annotations

from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from objections.domain.timefmt import local_date
from objections.models import Clarification, Notification, Objection, Organization
from objections.services import notify

RESENDS_PER_DAY = 3


def _normalised_email(value: str) -> str | None:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.casefold()
    except EmailNotValidError:
        return None


def resend_tracking_link(
    session: Session, *, reference: str, email: str, now: datetime, per_day: int = RESENDS_PER_DAY
) -> bool:
    """Queue the tracking link to the objection's own e-mail when `email` matches it, at most `per_day` times a
    local day. The caller answers alike whatever this returns, so nobody learns whether a reference exists."""
    objection = objection_by_reference(session, reference)
    given = _normalised_email(email)
    if objection is None or not objection.email or given is None or given != objection.email.casefold():
        return False
    prefix = f"tracking-link:{objection.reference}:{local_date(now).isoformat()}:"
    sent_today = session.scalar(
        select(func.count()).select_from(Notification).where(Notification.idempotency_key.startswith(prefix))
    )
    if sent_today >= per_day:
        return False
    link = notify.absolute_url(f"/track/link/{notify.tracking_token(objection.reference)}")
    text, html = notify._render("tracking_link", objection.language, objection=objection, link=link)
    with force_locale(objection.language):
        subject = gettext("Your tracking link for objection %(reference)s", reference=objection.reference)
    return notify.queue_message(
        session,
        key=f"{prefix}{sent_today + 1}",
        recipient=objection.email,
        kind="tracking_link",
        language=objection.language,
        subject=subject,
        body_text=text,
        body_html=html,
        now=now,
        objection=objection,
    )


def objection_by_reference(session: Session, reference: str) -> Objection | None:
    """The objection for a subject who has already proved access (a right code earlier, or a signed link)."""
    return session.scalar(select(Objection).where(Objection.reference == reference.strip().upper()))


def clarifications_of(session: Session, objection: Objection) -> list[Clarification]:
    """The organisation's questions to the subject, oldest first."""
    return list(
        session.scalars(
            select(Clarification)
            .where(Clarification.objection_id == objection.id)
            .order_by(Clarification.asked_at, Clarification.id)
        )
    )


def forwarded_to(session: Session, objection: Objection) -> Organization | None:
    """The organisation an objection was forwarded to, named in the subject's answer."""
    if objection.forwarded_to_id is None:
        return None
    target = session.get(Objection, objection.forwarded_to_id)
    return target.organization if target is not None else None
