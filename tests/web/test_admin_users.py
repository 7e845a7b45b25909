"""Administrators manage staff: invite with a one-time password, deactivate (ending sessions), reset TOTP."""

import re

from sqlalchemy import select

from objections.models import AuditEvent, Notification, User
from tests.auth_helpers import login_as
from tests.builders import make_organization, make_user


def test_an_admin_invites_an_operator_who_then_enrols_a_second_factor(app, session) -> None:
    organization = make_organization(session, slug="bank")
    admin = make_user(session, role="admin")
    session.commit()
    client = app.test_client()
    login_as(client, admin)
    page = client.post(
        "/admin/users",
        data={
            "email": "new@bank.kz",
            "role": "operator",
            "organization": "bank",
            "language": "ru",
            "full_name": "New Operator",
        },
    )
    assert page.status_code == 200
    password = re.search(r'<code class="token">([^<]+)</code>', page.data.decode()).group(1)
    user = session.scalars(select(User).where(User.email == "new@bank.kz")).one()
    assert user.organization_id == organization.id and not user.totp_confirmed
    newcomer = app.test_client()
    newcomer.post("/login", data={"email": "new@bank.kz", "password": password})
    enrolment = newcomer.get("/login/code")
    assert b"<svg" in enrolment.data  # the QR code to enrol
    assert "user_created" in set(session.scalars(select(AuditEvent.kind)))
    listing = client.get("/admin/users").get_data(as_text=True)
    row = listing[listing.index("new@bank.kz") :].split("</tr>")[0]
    assert "second factor not set up" in row and "one-time password not yet replaced" in row
    own_row = listing[listing.index(f"<td>{admin.email}</td>") :].split("</tr>")[0]
    assert "Your account" in own_row and "Deactivate" not in own_row


def test_an_operator_without_an_organisation_is_refused(app, session) -> None:
    admin = make_user(session, role="admin")
    session.commit()
    client = app.test_client()
    login_as(client, admin)
    page = client.post(
        "/admin/users", data={"email": "x@bank.kz", "role": "operator", "organization": "", "language": "en"}
    )
    assert page.status_code == 422
    assert session.scalar(select(User).where(User.email == "x@bank.kz")) is None


def test_deactivation_ends_the_users_sessions_at_once(app, session) -> None:
    organization = make_organization(session)
    operator = make_user(session, organization=organization)
    admin = make_user(session, role="admin")
    session.commit()
    victim = app.test_client()
    login_as(victim, operator)
    assert victim.get("/cases/").status_code == 200
    client = app.test_client()
    login_as(client, admin)
    question = client.post(f"/admin/users/{operator.id}/deactivate")
    assert question.status_code == 200  # nothing done yet: the page asks first
    page = question.get_data(as_text=True)
    assert f"Deactivate {operator.email}?" in page and "They are signed out everywhere at once" in page
    # the organisation's only member: deactivating would leave its objections with nobody to answer them
    assert f"They are the last person who can answer the objections of {organization.name_en}" in page
    assert 'name="confirmed" value="yes"' in page and 'href="/admin/users"' in page
    assert victim.get("/cases/").status_code == 200
    confirmed = client.post(f"/admin/users/{operator.id}/deactivate", data={"confirmed": "yes"})
    assert confirmed.status_code == 302
    assert victim.get("/cases/").status_code == 302
    assert client.post(f"/admin/users/{admin.id}/deactivate").status_code == 302
    session.refresh(admin)
    assert admin.active


def test_resetting_the_second_factor_notifies_the_owner(app, session) -> None:
    operator = make_user(session, organization=make_organization(session))
    admin = make_user(session, role="admin")
    session.commit()
    old_secret = operator.totp_secret
    client = app.test_client()
    login_as(client, admin)
    asked = client.post(f"/admin/users/{operator.id}/reset_second_factor").get_data(as_text=True)
    assert f"Reset the second factor of {operator.email}?" in asked
    session.refresh(operator)
    assert operator.totp_secret == old_secret
    client.post(f"/admin/users/{operator.id}/reset_second_factor", data={"confirmed": "yes"})
    session.refresh(operator)
    assert operator.totp_secret != old_secret and not operator.totp_confirmed
    mail = session.scalars(select(Notification).where(Notification.recipient == operator.email)).one()
    assert old_secret not in mail.body_text and operator.totp_secret not in mail.body_text


def test_an_admin_makes_a_one_time_password_for_a_forgotten_one_but_not_for_themselves(app, session) -> None:
    operator = make_user(session, organization=make_organization(session))
    admin = make_user(session, role="admin")
    session.commit()
    client = app.test_client()
    login_as(client, admin)
    page = client.post(f"/admin/users/{operator.id}/new_password", data={"confirmed": "yes"})
    password = re.search(r'<code class="token">([^<]+)</code>', page.get_data(as_text=True)).group(1)
    assert f"A new one-time password for {operator.email}" in page.get_data(as_text=True)
    session.refresh(operator)
    assert operator.password_change_required and "one-time password not yet replaced" in page.get_data(as_text=True)
    newcomer = app.test_client()
    login_as(newcomer, operator, password=password)
    own = client.post(f"/admin/users/{admin.id}/new_password", data={"confirmed": "yes"})
    assert own.status_code == 302
    assert "Change your own password on your account page." in client.get("/admin/users").get_data(as_text=True)


def test_an_account_number_too_large_for_the_database_is_simply_not_found(app, session) -> None:
    admin = make_user(session, role="admin")
    session.commit()
    client = app.test_client()
    login_as(client, admin)
    assert client.post(f"/admin/users/{10**30}/deactivate", data={"confirmed": "yes"}).status_code == 404
