"""Organisation admins act only on their own organisation's operators and organisation admins."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from objections.domain.errors import NotFound, ValidationFailed
from objections.models import AuditEvent
from objections.services import team
from tests.builders import make_organization, make_user


@pytest.fixture
def people(session):  # type: ignore[no-untyped-def]
    home = make_organization(session, slug="home")
    other = make_organization(session, slug="other")
    return {
        "admin": make_user(session, role="org_admin", organization=home),
        "colleague": make_user(session, organization=home),
        "stranger": make_user(session, organization=other),
        "supervisor": make_user(session, role="supervisor"),
        "administrator": make_user(session, role="admin"),
        "home": home,
    }


def test_the_team_lists_only_the_own_organisations_staff(session, people) -> None:
    members = team.list_team(session, actor=people["admin"])
    assert {m.email for m in members} == {people["admin"].email, people["colleague"].email}


def test_an_invited_member_always_joins_the_inviters_organisation(session, people, now) -> None:
    user, password = team.invite_member(
        session, actor=people["admin"], email="new@home.kz", role="org_admin", full_name=" New ", language="ru", now=now
    )
    assert user.organization_id == people["home"].id and user.role == "org_admin" and len(password) >= 12
    assert user.full_name == "New" and not user.totp_confirmed


@pytest.mark.parametrize("role", ["supervisor", "admin", "root"])
def test_an_organisation_admin_cannot_invite_oversight_roles(session, people, now, role) -> None:
    with pytest.raises(ValidationFailed) as caught:
        team.invite_member(
            session, actor=people["admin"], email="x@home.kz", role=role, full_name="", language="en", now=now
        )
    assert caught.value.errors == {"role": ["unknown"]}


def test_an_unknown_language_is_refused(session, people, now) -> None:
    with pytest.raises(ValidationFailed) as caught:
        team.invite_member(
            session, actor=people["admin"], email="x@home.kz", role="operator", full_name="", language="de", now=now
        )
    assert caught.value.errors == {"language": ["unknown"]}


def test_an_overlong_name_is_refused(session, people, now) -> None:
    with pytest.raises(ValidationFailed) as caught:
        team.invite_member(
            session,
            actor=people["admin"],
            email="x@home.kz",
            role="operator",
            full_name="n" * 201,
            language="en",
            now=now,
        )
    assert caught.value.errors == {"full_name": ["too_long"]}


@pytest.mark.parametrize("target", ["stranger", "supervisor", "administrator"])
def test_nobody_outside_the_own_organisations_staff_can_be_touched(session, people, now, target) -> None:
    user = people[target]
    with pytest.raises(NotFound):
        team.set_member_active(session, actor=people["admin"], user_id=user.id, active=False, now=now)
    with pytest.raises(NotFound):
        team.reset_member_second_factor(session, actor=people["admin"], user_id=user.id, now=now)
    assert user.active


def test_an_unknown_user_is_not_found(session, people, now) -> None:
    with pytest.raises(NotFound):
        team.set_member_active(session, actor=people["admin"], user_id=9999, active=False, now=now)


def test_a_plain_operator_manages_no_team(session, people, now) -> None:
    with pytest.raises(NotFound):
        team.list_team(session, actor=people["colleague"])


def test_deactivating_a_colleague_ends_their_sessions_and_is_audited(session, people, now) -> None:
    colleague = people["colleague"]
    version = colleague.session_version
    team.set_member_active(session, actor=people["admin"], user_id=colleague.id, active=False, now=now)
    assert not colleague.active and colleague.session_version > version
    kinds = set(session.scalars(select(AuditEvent.kind)))
    assert {"user_deactivated", "sessions_ended"} <= kinds


def test_an_organisation_admin_cannot_deactivate_themselves(session, people, now) -> None:
    with pytest.raises(ValidationFailed):
        team.set_member_active(session, actor=people["admin"], user_id=people["admin"].id, active=False, now=now)


def test_resetting_a_colleagues_second_factor_makes_them_enrol_again(session, people, now) -> None:
    colleague = people["colleague"]
    colleague.totp_confirmed = True
    old = colleague.totp_secret
    team.reset_member_second_factor(session, actor=people["admin"], user_id=colleague.id, now=now)
    assert colleague.totp_secret != old and not colleague.totp_confirmed
