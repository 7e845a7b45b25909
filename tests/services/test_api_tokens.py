"""API tokens: issued once in clear, stored as an HMAC, revocable, and checked on every request."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from objections import crypto
from objections.domain.errors import NotFound, ValidationFailed
from objections.models import ApiToken, AuditEvent
from objections.services.api_tokens import authenticate_token, issue_token, list_tokens, revoke_token
from tests.builders import make_organization, make_user


def test_a_token_is_shown_once_and_only_its_hmac_is_kept(session: Session, now: datetime) -> None:
    user = make_user(session, organization=make_organization(session))

    token = issue_token(session, user=user, name="CRM integration", now=now)

    [row] = list_tokens(session, user=user)
    assert row.token_hash == crypto.keyring().hash_secret(token)
    assert token not in row.token_hash
    assert row.name == "CRM integration"
    audit = session.scalar(select(AuditEvent).where(AuditEvent.kind == "api_token_issued"))
    assert audit.payload == {"user_id": user.id, "name": "CRM integration"}


@pytest.mark.parametrize(("name", "code"), [("  ", "required"), ("x" * 101, "too_long")])
def test_a_token_needs_a_short_name(session: Session, now: datetime, name: str, code: str) -> None:
    user = make_user(session, organization=make_organization(session))
    with pytest.raises(ValidationFailed) as caught:
        issue_token(session, user=user, name=name, now=now)
    assert caught.value.errors == {"name": [code]}


def test_authentication_finds_the_tokens_user_and_notes_its_use_at_most_hourly(session: Session, now: datetime) -> None:
    user = make_user(session, organization=make_organization(session))
    token = issue_token(session, user=user, name="t", now=now)

    assert authenticate_token(session, token, now=now) == user
    assert authenticate_token(session, token, now=now + timedelta(minutes=59)) == user
    [row] = list_tokens(session, user=user)
    assert row.last_used_at == now
    authenticate_token(session, token, now=now + timedelta(hours=1))
    assert row.last_used_at == now + timedelta(hours=1)


def test_unknown_revoked_and_deactivated_tokens_authenticate_no_one(session: Session, now: datetime) -> None:
    user = make_user(session, organization=make_organization(session))
    revoked = issue_token(session, user=user, name="old", now=now)
    revoke_token(session, actor=user, token_id=list_tokens(session, user=user)[0].id, now=now)
    other = make_user(session, organization=make_organization(session))
    inactive = issue_token(session, user=other, name="t", now=now)
    other.active = False

    assert authenticate_token(session, "no-such-token", now=now) is None
    assert authenticate_token(session, "", now=now) is None
    assert authenticate_token(session, revoked, now=now) is None
    assert authenticate_token(session, inactive, now=now) is None


def test_only_the_owner_or_an_administrator_revokes_a_token(session: Session, now: datetime) -> None:
    organization = make_organization(session)
    owner, colleague = make_user(session, organization=organization), make_user(session, organization=organization)
    admin = make_user(session, role="admin")
    issue_token(session, user=owner, name="t", now=now)
    token_id = session.scalar(select(ApiToken.id))

    with pytest.raises(NotFound):
        revoke_token(session, actor=colleague, token_id=token_id, now=now)
    revoked = revoke_token(session, actor=admin, token_id=token_id, now=now)

    assert revoked.revoked_at == now
    assert revoke_token(session, actor=owner, token_id=token_id, now=now + timedelta(days=1)).revoked_at == now
    kinds = session.scalars(select(AuditEvent.kind).where(AuditEvent.kind == "api_token_revoked")).all()
    assert kinds == ["api_token_revoked"]


def test_the_cli_token_authenticates_through_the_same_service(runner, session: Session, now: datetime) -> None:  # type: ignore[no-untyped-def]
    user = make_user(session, organization=make_organization(session), email="cli@example.kz")
    session.commit()

    result = runner.invoke(args=["users", "token", "cli@example.kz"])

    assert result.exit_code == 0, result.output
    assert authenticate_token(session, result.output.strip().splitlines()[-1], now=now) == user
