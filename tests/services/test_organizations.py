"""Administrators keep the register of organisations: rules on every field, counts without content, audit rows."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from objections.domain.errors import NotFound, ValidationFailed
from objections.models import AuditEvent
from objections.services import organizations
from objections.services.organizations import OrganizationDetails
from tests.builders import make_notice, make_objection, make_organization, make_user

DETAILS = OrganizationDetails(
    name_kk="«Алатау Кредит» ЖШС",
    name_ru="ТОО «Алатау Кредит»",
    name_en="Alatau Credit LLP",
    contact_email="Objections@Alatau.example.kz",
    internal_target_hours="36",
)


def _audit(session) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_creating_an_organisation_stores_it_inactive_and_audits_without_personal_data(session, now) -> None:
    admin = make_user(session, role="admin")
    organization = organizations.create_organization(
        session, actor=admin, slug=" alatau-credit ", bin="100040000009", details=DETAILS, now=now
    )
    assert (organization.slug, organization.bin, organization.active) == ("alatau-credit", "100040000009", False)
    assert organization.internal_target_hours == 36
    assert organization.contact_email == "Objections@alatau.example.kz"
    row = _audit(session)[-1]
    assert row.kind == "organization_created" and row.actor_id == admin.id
    assert row.payload == {"organization_id": organization.id, "slug": "alatau-credit"}


def test_every_bad_field_is_named_with_its_own_code(session, now) -> None:
    admin = make_user(session, role="admin")
    bad = OrganizationDetails(
        name_kk="", name_ru="x" * 301, name_en="Bad\x07Name", contact_email="not-an-address", internal_target_hours="72"
    )
    with pytest.raises(ValidationFailed) as caught:
        organizations.create_organization(session, actor=admin, slug="Bad Slug", bin="12345", details=bad, now=now)
    assert caught.value.errors == {
        "slug": ["slug_format"],
        "bin": ["bin_length"],
        "name_kk": ["required"],
        "name_ru": ["too_long"],
        "name_en": ["control_characters"],
        "contact_email": ["invalid_email"],
        "internal_target_hours": ["target_hours_range"],
    }


def test_a_missing_or_overlong_contact_address_is_refused(session, now) -> None:
    admin = make_user(session, role="admin")
    for address, code in (("", "required"), ("a" * 250 + "@b.kz", "too_long")):
        details = OrganizationDetails(name_kk="a", name_ru="b", name_en="c", contact_email=address)
        with pytest.raises(ValidationFailed) as caught:
            organizations.create_organization(
                session, actor=admin, slug="x", bin="100040000010", details=details, now=now
            )
        assert caught.value.errors == {"contact_email": [code]}


def test_a_slug_or_bin_already_registered_is_refused(session, now) -> None:
    admin = make_user(session, role="admin")
    make_organization(session, slug="taken-slug", bin="100040000022")
    with pytest.raises(ValidationFailed) as caught:
        organizations.create_organization(
            session, actor=admin, slug="taken-slug", bin="100040000022", details=DETAILS, now=now
        )
    assert caught.value.errors == {"slug": ["taken"], "bin": ["taken"]}


def test_editing_changes_only_the_details_and_the_audit_names_the_fields(session, now) -> None:
    admin = make_user(session, role="admin")
    organization = make_organization(session, slug="bank", internal_target_hours=48)
    details = OrganizationDetails(
        name_kk=organization.name_kk,
        name_ru=organization.name_ru,
        name_en="Steppe Bank JSC",
        contact_email="desk@bank.example.kz",
        internal_target_hours="",
    )
    organizations.update_organization(session, actor=admin, organization_id=organization.id, details=details, now=now)
    assert organization.name_en == "Steppe Bank JSC" and organization.internal_target_hours is None
    row = _audit(session)[-1]
    assert row.kind == "organization_updated"
    assert row.payload == {
        "organization_id": organization.id,
        "fields": ["name_en", "contact_email", "internal_target_hours"],
    }
    assert "desk@bank" not in json.dumps(row.payload) and "Steppe" not in json.dumps(row.payload)


def test_saving_unchanged_details_writes_no_audit_row(session, now) -> None:
    admin = make_user(session, role="admin")
    organization = make_organization(session)
    before = len(_audit(session))
    same = OrganizationDetails(
        name_kk=organization.name_kk,
        name_ru=organization.name_ru,
        name_en=organization.name_en,
        contact_email=organization.contact_email,
    )
    organizations.update_organization(session, actor=admin, organization_id=organization.id, details=same, now=now)
    assert len(_audit(session)) == before


def test_an_invalid_edit_changes_nothing(session, now) -> None:
    admin = make_user(session, role="admin")
    organization = make_organization(session)
    name = organization.name_en
    bad = OrganizationDetails(name_kk="a", name_ru="b", name_en="New", contact_email="nope")
    with pytest.raises(ValidationFailed):
        organizations.update_organization(session, actor=admin, organization_id=organization.id, details=bad, now=now)
    assert organization.name_en == name


def test_deactivating_and_reactivating_are_audited_once_each(session, now) -> None:
    admin = make_user(session, role="admin")
    organization = make_organization(session)
    make_user(session, organization=organization)
    organizations.set_organization_active(session, actor=admin, organization_id=organization.id, active=False, now=now)
    organizations.set_organization_active(session, actor=admin, organization_id=organization.id, active=False, now=now)
    assert not organization.active
    organizations.set_organization_active(session, actor=admin, organization_id=organization.id, active=True, now=now)
    kinds = [row.kind for row in _audit(session) if row.kind.startswith("organization_")]
    assert kinds == ["organization_deactivated", "organization_activated"]


def test_an_organisation_without_active_staff_cannot_be_activated(session, now) -> None:
    admin = make_user(session, role="admin")
    organization = make_organization(session, active=False)
    gone = make_user(session, organization=organization)
    gone.active = False
    with pytest.raises(ValidationFailed) as caught:
        organizations.set_organization_active(
            session, actor=admin, organization_id=organization.id, active=True, now=now
        )
    assert caught.value.errors == {"active": ["no_staff"]} and not organization.active
    make_user(session, role="org_admin", organization=organization)
    organizations.set_organization_active(session, actor=admin, organization_id=organization.id, active=True, now=now)
    assert organization.active


def test_an_unknown_organisation_is_not_found(session, now) -> None:
    admin = make_user(session, role="admin")
    with pytest.raises(NotFound):
        organizations.set_organization_active(session, actor=admin, organization_id=999, active=False, now=now)


def test_the_list_counts_current_notices_open_objections_and_active_staff(session, now) -> None:
    busy = make_organization(session, slug="busy")
    quiet = make_organization(session, slug="quiet", active=False)
    make_notice(session, busy, slug="one")
    make_notice(session, busy, slug="two", published=False)
    operator = make_user(session, organization=busy)
    make_objection(session, organization=busy, received_at=now, status="in_review", operator=operator)
    make_objection(session, organization=busy, received_at=now, status="received")
    make_objection(session, organization=busy, received_at=now, status="withdrawn", operator=operator)
    make_user(session, role="org_admin", organization=busy)
    make_user(session, organization=quiet).active = False
    make_user(session, role="supervisor")
    rows = {row.organization.slug: row for row in organizations.list_organizations(session)}
    assert (rows["busy"].notices, rows["busy"].open_objections, rows["busy"].staff) == (2, 2, 2)
    assert (rows["quiet"].notices, rows["quiet"].open_objections, rows["quiet"].staff) == (0, 0, 0)
    assert list(rows) == ["busy", "quiet"]
