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


def test_a_new_one_time_password_replaces_a_forgotten_one_and_must_be_changed(session, people, now) -> None:
    from datetime import timedelta

    from objections.models import Notification
    from objections.services import auth
    from objections.services.passwords import verify_password
    from tests.builders import PASSWORD

    colleague = people["colleague"]
    colleague.failed_logins, colleague.locked_until = 10, now + timedelta(minutes=15)  # locked out by failed tries
    version, secret = colleague.session_version, colleague.totp_secret
    member, password = team.issue_member_one_time_password(
        session, actor=people["admin"], user_id=colleague.id, now=now
    )
    assert member is colleague and len(password) >= 12
    assert verify_password(colleague.password_hash, password) and not verify_password(colleague.password_hash, PASSWORD)
    assert colleague.password_change_required and colleague.password_set_at == now
    assert colleague.session_version == version + 1 and colleague.totp_secret == secret  # sessions end, TOTP stays
    assert (colleague.failed_logins, colleague.locked_until) == (0, None)
    issued = session.scalars(select(AuditEvent).where(AuditEvent.kind == "one_time_password_issued")).one()
    assert (issued.actor_id, issued.payload) == (people["admin"].id, {"user_id": colleague.id})
    mail = session.scalars(select(Notification).where(Notification.recipient == colleague.email)).one()
    assert "new one-time password" in mail.body_text and password not in mail.body_text

    def sign_in(at):  # type: ignore[no-untyped-def]
        return auth.check_password(session, email=colleague.email, password=password, now=at, ip=None)

    assert sign_in(now + timedelta(days=6, hours=23)).user is colleague
    late = sign_in(now + timedelta(days=7, minutes=1))
    assert (late.user, late.expired) == (None, True)
    assert "login_refused_expired" in set(session.scalars(select(AuditEvent.kind)))


@pytest.mark.parametrize("target", ["stranger", "supervisor", "administrator", "admin"])
def test_a_one_time_password_is_made_only_for_another_member_of_the_own_team(session, people, now, target) -> None:
    with pytest.raises((NotFound, ValidationFailed)):
        team.issue_member_one_time_password(session, actor=people["admin"], user_id=people[target].id, now=now)


def test_an_organisation_admin_cannot_both_reset_a_colleagues_second_factor_and_give_a_new_password(
    session, people, now
) -> None:
    """Together they would hand the colleague's account to the admin: only an administrator may do both."""
    from objections.services import staff

    colleague = people["colleague"]
    colleague.last_login_at = now
    team.reset_member_second_factor(session, actor=people["admin"], user_id=colleague.id, now=now)
    with pytest.raises(ValidationFailed) as refused:
        team.issue_member_one_time_password(session, actor=people["admin"], user_id=colleague.id, now=now)
    assert refused.value.errors == {"password": ["second_factor_reset"]}
    _user, password = staff.issue_one_time_password(
        session, actor=people["administrator"], user_id=colleague.id, now=now
    )
    assert password
