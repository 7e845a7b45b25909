"""Who may reach what: access rules by role (ASVS 4.1, 8.4.1: one authorisation layer for every route)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OPERATOR = "operator"
    ORG_ADMIN = "org_admin"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Access(StrEnum):
    PUBLIC = "public"  # anyone, no account (citizen pages, the public API)
    SUBJECT = "subject"  # anyone holding the objection's access code or signed link
    STAFF = "staff"  # any signed-in staff member (their own account page)
    ORGANISATION = "organisation"  # operators and organisation admins, own organisation only
    ORGANISATION_ADMIN = "organisation_admin"  # organisation admins, own organisation only
    OVERSIGHT = "oversight"  # supervisors and administrators: all organisations, read-only, masked
    ADMINISTRATION = "administration"  # administrators


ALLOWED: dict[Access, frozenset[Role]] = {
    Access.PUBLIC: frozenset(Role),
    Access.SUBJECT: frozenset(Role),
    Access.STAFF: frozenset(Role),
    Access.ORGANISATION: frozenset({Role.OPERATOR, Role.ORG_ADMIN}),
    Access.ORGANISATION_ADMIN: frozenset({Role.ORG_ADMIN}),
    Access.OVERSIGHT: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    Access.ADMINISTRATION: frozenset({Role.ADMIN}),
}

NEEDS_SIGN_IN = frozenset(
    {Access.STAFF, Access.ORGANISATION, Access.ORGANISATION_ADMIN, Access.OVERSIGHT, Access.ADMINISTRATION}
)


def may(role: str | None, access: Access) -> bool:
    """True when a user of `role` (None: not signed in) may use a route with this access rule."""
    if access not in NEEDS_SIGN_IN:
        return True
    if role is None:
        return False
    try:
        return Role(role) in ALLOWED[access]
    except ValueError:
        return False


def may_see_organisation(*, role: str, user_organization_id: int | None, organization_id: int) -> bool:
    """Tenant isolation: organisation staff see only their own organisation; oversight sees all."""
    if role in (Role.SUPERVISOR, Role.ADMIN):
        return True
    return user_organization_id is not None and user_organization_id == organization_id
