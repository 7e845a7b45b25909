"""Builders for tests: organisations, notices, staff and objections in any state, with named presets."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from sqlalchemy.orm import Session

from objections.models import Objection, Organization, ProcessingNotice, User
from objections.services import intake, review
from objections.services.users import create_user

_sequence = count(1)
VALID_IINS = ("900101300017", "851231401238", "880315300511")
PASSWORD = "correct-horse-battery"


def _texts(word: str) -> dict[str, str]:
    return {"kk": f"{word} (kk)", "ru": f"{word} (ru)", "en": word}


def make_organization(
    session: Session, *, slug: str | None = None, internal_target_hours: int | None = None, **values: object
) -> Organization:
    n = next(_sequence)
    organization = Organization(
        slug=slug or f"org-{n}",
        bin=values.pop("bin", f"{n:012d}"),
        name_kk=f"Ұйым {n}",
        name_ru=f"Организация {n}",
        name_en=f"Organisation {n}",
        contact_email=f"contact{n}@org.example.kz",
        internal_target_hours=internal_target_hours,
        **values,
    )
    session.add(organization)
    session.flush()
    return organization


def make_notice(
    session: Session, organization: Organization, *, slug: str = "scoring", published: bool = True, **values: object
) -> ProcessingNotice:
    fields = {
        "title": _texts("Scoring"),
        "decided_automatically": _texts("Loan approval"),
        "procedure": _texts("A model computes a score"),
        "data_used": _texts("Credit history"),
        "consequences": _texts("A refusal"),
        "legal_basis": "consent",
        "legal_basis_reference": _texts("Consent"),
        "risk_class": "high",
        "autonomy_class": "semi_autonomous",
        "how_to_object": _texts("Object here"),
        "how_to_protect": _texts("Appeal to the authorized body"),
    }
    fields.update(values)
    notice = ProcessingNotice(organization_id=organization.id, slug=slug, published=published, **fields)
    session.add(notice)
    session.flush()
    return notice


def make_user(
    session: Session,
    *,
    role: str = "operator",
    organization: Organization | None = None,
    email: str | None = None,
    language: str = "en",
) -> User:
    n = next(_sequence)
    return create_user(
        session,
        email=email or f"{role}{n}@example.kz",
        password=PASSWORD,
        role=role,
        organization_slug=organization.slug if organization else None,
        language=language,
    )


def objection_input(organization: Organization, **values: object) -> intake.ObjectionInput:
    data = {
        "organization": organization.slug,
        "full_name": "Aigerim Test",
        "iin": VALID_IINS[0],
        "language": "en",
        "grounds": "The decision ignored my income.",
        "remedies": ["human_review"],
        "consent": True,
        "email": "subject@example.kz",
    }
    data.update(values)
    return intake.ObjectionInput(**data)  # type: ignore[arg-type]


def make_objection(
    session: Session,
    *,
    organization: Organization | None = None,
    received_at: datetime,
    status: str = "received",
    operator: User | None = None,
    answered_after: timedelta = timedelta(hours=20),
    channel: str = "web",
    **values: object,
) -> Objection:
    """An objection moved through the services to `status` (received, in_review, decided, answered, closed,
    withdrawn)."""
    organization = organization or make_organization(session)
    filed = intake.file_objection(
        session, objection_input(organization, **values), channel=channel, now=received_at, policy="calendar_days"
    )
    objection = filed.objection
    if status == "received":
        return objection
    if status == "withdrawn":
        review.withdraw(session, objection, now=received_at + timedelta(hours=1))
        return objection
    operator = operator or make_user(session, organization=organization)
    review.assign(session, objection, actor=operator, assignee=None, now=received_at + timedelta(minutes=30))
    if status == "in_review":
        return objection
    decided_at = received_at + answered_after
    review.decide(
        session,
        objection,
        review.DecisionInput(outcome="rejected", ground="consent_given", reasoning="Consent was given."),
        actor=operator,
        now=decided_at,
    )
    if status == "decided":
        return objection
    review.answer_by_email(session, objection, actor=operator, now=decided_at)
    if status == "answered":
        return objection
    review.close_answered(session, objection, now=decided_at + timedelta(days=30))
    return objection
