"""The public register: active organisations with the current version of each published notice."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.models import Organization, ProcessingNotice


def published_register(session: Session) -> list[tuple[Organization, list[ProcessingNotice]]]:
    """Every active organisation by slug, each with its published current notices by slug."""
    organizations = list(session.scalars(select(Organization).where(Organization.active).order_by(Organization.slug)))
    notices = session.scalars(
        select(ProcessingNotice)
        .where(ProcessingNotice.is_current, ProcessingNotice.published)
        .order_by(ProcessingNotice.slug)
    )
    by_organization: dict[int, list[ProcessingNotice]] = {}
    for notice in notices:
        by_organization.setdefault(notice.organization_id, []).append(notice)
    return [(organization, by_organization.get(organization.id, [])) for organization in organizations]
