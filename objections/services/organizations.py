"""Administrators keep the register of organisations: create, edit, deactivate and reactivate, each audited."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from objections.domain.errors import NotFound, ValidationFailed
from objections.domain.organisations import activation_problem, bin_problem, read_internal_target, slug_problem
from objections.models import Objection, Organization, ProcessingNotice, User
from objections.models.objection import OPEN_STATUSES
from objections.services.audit import record_audit
from objections.services.users import ORGANISATION_ROLES

NAME_MAX = 300
EMAIL_MAX = 254
NAME_FIELDS = ("name_kk", "name_ru", "name_en")
EDITABLE_FIELDS = (*NAME_FIELDS, "contact_email", "internal_target_hours")


@dataclass(frozen=True)
class OrganizationDetails:
    """What an administrator may change after creation, as typed."""

    name_kk: str
    name_ru: str
    name_en: str
    contact_email: str
    internal_target_hours: str = ""


@dataclass(frozen=True)
class OrganizationRow:
    """One line of the administrators' list: the organisation and counts, never objection content."""

    organization: Organization
    notices: int
    open_objections: int
    staff: int


def _clean_details(details: OrganizationDetails, errors: dict[str, list[str]]) -> dict[str, object]:
    values: dict[str, object] = {}
    for name in NAME_FIELDS:
        text = getattr(details, name).strip()
        if not text:
            errors[name] = ["required"]
        elif len(text) > NAME_MAX:
            errors[name] = ["too_long"]
        elif any(unicodedata.category(ch) == "Cc" for ch in text):
            errors[name] = ["control_characters"]
        values[name] = text
    email = details.contact_email.strip()
    if not email:
        errors["contact_email"] = ["required"]
    elif len(email) > EMAIL_MAX:
        errors["contact_email"] = ["too_long"]
    else:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["contact_email"] = ["invalid_email"]
    values["contact_email"] = email
    hours, problem = read_internal_target(details.internal_target_hours)
    if problem:
        errors["internal_target_hours"] = [problem]
    values["internal_target_hours"] = hours
    return values


def list_organizations(session: Session) -> list[OrganizationRow]:
    """Every organisation, active or not, by slug, with its current notices, open objections and staff counted."""
    notices = dict(
        session.execute(
            select(ProcessingNotice.organization_id, func.count())
            .where(ProcessingNotice.is_current)
            .group_by(ProcessingNotice.organization_id)
        ).all()
    )
    open_objections = dict(
        session.execute(
            select(Objection.organization_id, func.count())
            .where(Objection.status.in_(OPEN_STATUSES))
            .group_by(Objection.organization_id)
        ).all()
    )
    staff = dict(
        session.execute(
            select(User.organization_id, func.count())
            .where(User.role.in_(ORGANISATION_ROLES), User.active)
            .group_by(User.organization_id)
        ).all()
    )
    return [
        OrganizationRow(
            organization=organization,
            notices=notices.get(organization.id, 0),
            open_objections=open_objections.get(organization.id, 0),
            staff=staff.get(organization.id, 0),
        )
        for organization in session.scalars(select(Organization).order_by(Organization.slug))
    ]


def get_organization(session: Session, organization_id: int) -> Organization:
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound("no such organisation")
    return organization


def create_organization(
    session: Session, *, actor: User, slug: str, bin: str, details: OrganizationDetails, now: datetime
) -> Organization:
    """A new organisation, inactive until its staff are invited and an administrator activates it (objections
    reach only organisations with someone to answer them); its slug and BIN are fixed from then on (the API and
    the register name it so)."""
    errors: dict[str, list[str]] = {}
    slug, bin = slug.strip(), bin.strip()
    if problem := slug_problem(slug):
        errors["slug"] = [problem]
    elif session.scalar(select(Organization.id).where(Organization.slug == slug)):
        errors["slug"] = ["taken"]
    if problem := bin_problem(bin):
        errors["bin"] = [problem]
    elif session.scalar(select(Organization.id).where(Organization.bin == bin)):
        errors["bin"] = ["taken"]
    values = _clean_details(details, errors)
    if errors:
        raise ValidationFailed(errors)
    organization = Organization(slug=slug, bin=bin, active=False, created_at=now, **values)
    session.add(organization)
    session.flush()
    record_audit(
        session,
        "organization_created",
        actor=actor,
        now=now,
        payload={"organization_id": organization.id, "slug": slug},
    )
    return organization


def update_organization(
    session: Session, *, actor: User, organization_id: int, details: OrganizationDetails, now: datetime
) -> Organization:
    """Change the names, the contact address or the internal target; the audit row names the fields changed."""
    organization = get_organization(session, organization_id)
    errors: dict[str, list[str]] = {}
    values = _clean_details(details, errors)
    if errors:
        raise ValidationFailed(errors)
    changed = [name for name in EDITABLE_FIELDS if getattr(organization, name) != values[name]]
    for name in changed:
        setattr(organization, name, values[name])
    if changed:
        record_audit(
            session,
            "organization_updated",
            actor=actor,
            now=now,
            payload={"organization_id": organization.id, "fields": changed},
        )
    session.flush()
    return organization


def answering_staff(session: Session, organization_id: int) -> int:
    """Active operators and organisation admins of the organisation: who can answer its objections."""
    return (
        session.scalar(
            select(func.count()).where(
                User.organization_id == organization_id, User.active, User.role.in_(ORGANISATION_ROLES)
            )
        )
        or 0
    )


def set_organization_active(
    session: Session, *, actor: User, organization_id: int, active: bool, now: datetime
) -> Organization:
    """An inactive organisation leaves the public register, the objection form and the forwarding choices; its
    staff keep their access to the objections it already has."""
    organization = get_organization(session, organization_id)
    if (
        active
        and not organization.active
        and (problem := activation_problem(answering_staff(session, organization.id)))
    ):
        raise ValidationFailed({"active": [problem]})
    if organization.active != active:
        organization.active = active
        record_audit(
            session,
            "organization_activated" if active else "organization_deactivated",
            actor=actor,
            now=now,
            payload={"organization_id": organization.id},
        )
    session.flush()
    return organization
