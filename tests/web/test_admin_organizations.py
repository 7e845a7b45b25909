"""Administrators' organisations page: create, edit, deactivate and reactivate, with field errors and audit rows."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from objections.models import AuditEvent, Organization
from tests.auth_helpers import login_as
from tests.builders import make_notice, make_objection, make_organization, make_user

VALID = {
    "slug": "alatau-credit",
    "bin": "100040000009",
    "name_kk": "«Алатау Кредит» ЖШС",
    "name_ru": "ТОО «Алатау Кредит»",
    "name_en": "Alatau Credit LLP",
    "contact_email": "objections@alatau.example.kz",
    "internal_target_hours": "36",
}


@pytest.fixture
def admin_client(app, session):  # type: ignore[no-untyped-def]
    admin = make_user(session, role="admin")
    session.commit()
    client = app.test_client()
    login_as(client, admin)
    return client


def _kinds(session) -> list[str]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)))


def test_a_new_organisation_takes_objections_only_once_it_has_staff_and_is_activated(
    app, session, admin_client
) -> None:
    response = admin_client.post("/admin/organisations", data=VALID)
    created = session.scalar(select(Organization).where(Organization.slug == "alatau-credit"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/organisations/{created.id}")
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The organisation alatau-credit was created. It takes no objections yet" in page
    assert "Not active" in page and "It can be activated once it has at least one operator" in page
    assert 'href="/admin/users?organization=alatau-credit"' in page
    listing = admin_client.get("/admin/organisations").get_data(as_text=True)
    assert "alatau-credit" in listing and "100040000009" in listing and "objections@alatau.example.kz" in listing
    public = app.test_client()
    assert "Alatau Credit LLP" not in public.get("/notices?lang=en").get_data(as_text=True)
    assert 'value="alatau-credit"' not in public.get("/objections/new?lang=en").get_data(as_text=True)

    refused = admin_client.post(f"/admin/organisations/{created.id}/activate")  # a crafted press: nobody to answer
    assert refused.status_code == 303
    assert "Invite at least one operator" in admin_client.get(refused.headers["Location"]).get_data(as_text=True)
    session.refresh(created)
    assert not created.active

    invite_page = admin_client.get("/admin/users?organization=alatau-credit").get_data(as_text=True)
    assert '<option selected value="alatau-credit">' in invite_page
    make_user(session, organization=created)
    session.commit()
    assert admin_client.post(f"/admin/organisations/{created.id}/activate").status_code == 303
    assert "Alatau Credit LLP" in public.get("/notices?lang=en").get_data(as_text=True)
    assert 'value="alatau-credit"' in public.get("/objections/new?lang=en").get_data(as_text=True)
    assert _kinds(session)[-1] == "organization_activated" and "organization_created" in _kinds(session)


def test_bad_input_is_answered_with_an_error_per_field_and_nothing_is_stored(session, admin_client) -> None:
    data = {**VALID, "slug": "Alatau Credit", "bin": "100040000008", "name_ru": "", "contact_email": "nope"}
    data["internal_target_hours"] = "100"
    response = admin_client.post("/admin/organisations", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page
    for message in (
        "Use lowercase Latin letters, digits and hyphens, like dala-bank.",
        "This BIN is not valid: please check the digits.",
        "This field is required.",
        "Enter an e-mail address like name@example.kz.",
        "Enter a whole number of hours from 1 to 71, or leave it empty.",
    ):
        assert message in page
    assert 'value="Alatau Credit"' in page  # kept as typed
    assert session.scalar(select(Organization).where(Organization.bin == "100040000008")) is None


def test_a_slug_already_in_use_is_refused_with_a_message(session, admin_client) -> None:
    make_organization(session, slug="alatau-credit")
    session.commit()
    response = admin_client.post("/admin/organisations", data=VALID)
    assert response.status_code == 422
    assert "This is already in use." in response.get_data(as_text=True)


def test_an_admin_edits_names_address_and_target_of_an_organisation(session, admin_client) -> None:
    organization = make_organization(session, slug="bank", internal_target_hours=48)
    session.commit()
    form = admin_client.get(f"/admin/organisations/{organization.id}").get_data(as_text=True)
    assert 'value="48"' in form and f'value="{organization.name_en}"' in form
    data = {
        "name_kk": "Дала Банкі",
        "name_ru": "Дала Банк",
        "name_en": "Dala Bank",
        "contact_email": "desk@bank.example.kz",
        "internal_target_hours": "",
    }
    response = admin_client.post(f"/admin/organisations/{organization.id}", data=data)
    assert response.status_code == 303
    session.refresh(organization)
    assert (organization.name_en, organization.contact_email, organization.internal_target_hours) == (
        "Dala Bank",
        "desk@bank.example.kz",
        None,
    )
    row = session.scalars(select(AuditEvent).where(AuditEvent.kind == "organization_updated")).one()
    assert "desk@bank" not in str(row.payload)


def test_a_bad_edit_shows_the_error_beside_the_field(session, admin_client) -> None:
    organization = make_organization(session)
    session.commit()
    data = {"name_kk": "a", "name_ru": "b", "name_en": "c", "contact_email": "x@", "internal_target_hours": "1.5"}
    response = admin_client.post(f"/admin/organisations/{organization.id}", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="contact_email-error"' in page and 'id="internal_target_hours-error"' in page
    assert 'aria-invalid="true"' in page


def test_a_deactivated_organisation_leaves_the_register_but_its_staff_keep_their_cases(
    app, session, admin_client, now
) -> None:
    organization = make_organization(session, slug="closing")
    make_notice(session, organization)
    operator = make_user(session, organization=organization)
    case = make_objection(session, organization=organization, received_at=now, operator=operator)
    session.commit()
    asked = admin_client.post(f"/admin/organisations/{organization.id}/deactivate")
    assert asked.status_code == 200 and "Deactivate the organisation" in asked.get_data(as_text=True)
    assert "/notices/closing/" in app.test_client().get("/notices?lang=en").get_data(as_text=True)
    response = admin_client.post(f"/admin/organisations/{organization.id}/deactivate", data={"confirmed": "yes"})
    assert response.status_code == 303
    public = app.test_client()
    assert "/notices/closing/" not in public.get("/notices?lang=en").get_data(as_text=True)
    assert "closing" not in [o["slug"] for o in public.get("/api/v1/organizations").get_json()["items"]]
    assert 'value="closing"' not in public.get("/objections/new?lang=en").get_data(as_text=True)
    staff = app.test_client()
    login_as(staff, operator)
    assert staff.get(f"/cases/{case.reference}").status_code == 200
    admin_client.post(f"/admin/organisations/{organization.id}/activate")
    assert "/notices/closing/" in public.get("/notices?lang=en").get_data(as_text=True)
    kinds = [kind for kind in _kinds(session) if kind.startswith("organization_")]
    assert kinds == ["organization_deactivated", "organization_activated"]


def test_the_list_shows_counts_but_no_objection_content(session, admin_client, now) -> None:
    organization = make_organization(session, slug="busy")
    make_user(session, organization=organization)
    make_objection(session, organization=organization, received_at=now, grounds="My secret income story")
    session.commit()
    page = admin_client.get("/admin/organisations").get_data(as_text=True)
    row = re.search(r'<th scope="row">busy</th>(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row)[-3:] == ["0", "1", "1"]
    assert "My secret income story" not in page


def test_an_unknown_organisation_is_not_found(admin_client) -> None:
    assert admin_client.get("/admin/organisations/999").status_code == 404
    assert admin_client.post("/admin/organisations/999", data=VALID).status_code == 404
    assert admin_client.post("/admin/organisations/999/deactivate").status_code == 404
    assert admin_client.get("/admin/organisations/" + "9" * 30).status_code == 404


def test_the_admin_index_and_navigation_link_to_the_organisations(admin_client) -> None:
    page = admin_client.get("/admin/").get_data(as_text=True)
    assert page.count('href="/admin/organisations"') == 2
