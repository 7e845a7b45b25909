"""Per-user API bearer tokens: issue, list, revoke, and authenticate a request's token."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from objections import crypto
from objections.domain.errors import NotFound, ValidationFailed
from objections.models import ApiToken, User
from objections.services.audit import record_audit
from objections.services.users import issue_api_token

# last_used_at is a hint for people reviewing their tokens, not a log: one write an hour per token is plenty.
LAST_USED_RESOLUTION = timedelta(hours=1)
TOKEN_NAME_MAX = 100
# secrets.token_urlsafe(32) gives 43 characters; anything far longer is not one of ours.
TOKEN_MAX_LENGTH = 200


def issue_token(session: Session, *, user: User, name: str, now: datetime, actor: User | None = None) -> str:
    """A new token for `user`, returned once in clear; only its HMAC is kept. Audited."""
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": ["required"]})
    if len(name) > TOKEN_NAME_MAX:
        raise ValidationFailed({"name": ["too_long"]})
    if not user.active:
        raise ValidationFailed({"user": ["inactive"]})
    token = issue_api_token(session, user, name=name, now=now)
    record_audit(session, "api_token_issued", now=now, actor=actor or user, payload={"user_id": user.id, "name": name})
    return token


def list_tokens(session: Session, *, user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included so the history stays visible."""
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc()))
    )


def revoke_token(session: Session, *, actor: User, token_id: int, now: datetime) -> ApiToken:
    """Revoke one token: its owner or an administrator may; anyone else is told it does not exist. Audited."""
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and actor.role != "admin"):
        raise NotFound("no such token")
    if token.revoked_at is None:
        token.revoked_at = now
        record_audit(
            session, "api_token_revoked", now=now, actor=actor, payload={"token_id": token.id, "user_id": token.user_id}
        )
        session.flush()
    return token


def authenticate_token(session: Session, token: str, *, now: datetime) -> User | None:
    """The active user owning `token`, or None for an unknown, revoked or over-long token or an inactive user."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    digest = crypto.keyring().hash_secret(token)
    # The lookup is by HMAC, which an attacker cannot steer, so the index reveals nothing; the comparison
    # below keeps the final check constant-time all the same.
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if row.revoked_at is not None or not row.user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
        session.flush()
    return row.user
