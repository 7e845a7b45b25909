"""The public register: organisations with their published, current automated-processing notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from objections.models import AuditEvent, Organization, ProcessingNotice


@dataclass(frozen=True)
class RegisterEntry:
    organization: Organization
    notices: list[ProcessingNotice]


def active_organizations(session: Session, language: str) -> list[Organization]:
    """Every active organisation, sorted by its name in `language`."""
    organizations = session.scalars(select(Organization).where(Organization.active)).all()
    return sorted(organizations, key=lambda o: o.name(language).casefold())


def published_notices(session: Session, language: str) -> list[ProcessingNotice]:
    """The current published version of every notice of an active organisation, sorted by title in `language`."""
    notices = session.scalars(
        select(ProcessingNotice)
        .join(Organization, ProcessingNotice.organization_id == Organization.id)
        .where(ProcessingNotice.is_current, ProcessingNotice.published, Organization.active)
        .options(selectinload(ProcessingNotice.organization))
    ).all()
    return sorted(notices, key=lambda n: n.text("title", language).casefold())


def list_register(session: Session, *, language: str, query: str = "") -> list[RegisterEntry]:
    """Organisations and their notices; a query keeps organisations whose name, or notices whose title, in
    `language` contains it (an organisation that matches keeps all its notices)."""
    needle = " ".join(query.split()).casefold()
    by_organization: dict[int, list[ProcessingNotice]] = {}
    for notice in published_notices(session, language):
        by_organization.setdefault(notice.organization_id, []).append(notice)
    entries = []
    for organization in active_organizations(session, language):
        notices = by_organization.get(organization.id, [])
        if needle and needle not in organization.name(language).casefold():
            notices = [n for n in notices if needle in n.text("title", language).casefold()]
            if not notices:
                continue
        entries.append(RegisterEntry(organization=organization, notices=notices))
    return entries


def _current_version(
    session: Session, organization_slug: str, notice_slug: str, *, published: bool
) -> ProcessingNotice | None:
    """The current version of one notice of an active organisation, if it is (or is not) published."""
    return session.scalar(
        select(ProcessingNotice)
        .join(Organization, ProcessingNotice.organization_id == Organization.id)
        .where(
            Organization.slug == organization_slug,
            Organization.active,
            ProcessingNotice.slug == notice_slug,
            ProcessingNotice.is_current,
            ProcessingNotice.published.is_(published),
        )
    )


def find_notice(session: Session, organization_slug: str, notice_slug: str) -> ProcessingNotice | None:
    """The current published version of one notice of an active organisation, or None."""
    return _current_version(session, organization_slug, notice_slug, published=True)


@dataclass(frozen=True)
class Withdrawal:
    """A notice its organisation took out of the register: what its old link says instead."""

    organization: Organization
    title: dict[str, str]
    withdrawn_at: datetime


def find_withdrawal(session: Session, organization_slug: str, notice_slug: str) -> Withdrawal | None:
    """When the notice's current version is not published and a version of it was withdrawn from the register
    (not a draft that never was public): the organisation, the notice's title and the moment of withdrawal."""
    current = _current_version(session, organization_slug, notice_slug, published=False)
    if current is None:
        return None
    versions = {
        version.id: version
        for version in session.scalars(
            select(ProcessingNotice).where(
                ProcessingNotice.organization_id == current.organization_id, ProcessingNotice.slug == notice_slug
            )
        )
    }
    withdrawals = session.execute(
        select(AuditEvent.at, AuditEvent.payload)
        .where(AuditEvent.kind == "notice_unpublished")
        .order_by(AuditEvent.id.desc())
    )
    for at, payload in withdrawals:
        withdrawn = versions.get((payload or {}).get("notice_id"))
        if withdrawn is not None:
            # The title citizens read: a draft edited since the withdrawal has never been public.
            return Withdrawal(organization=current.organization, title=withdrawn.title, withdrawn_at=at)
    return None
