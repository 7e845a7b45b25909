"""Staff accounts: creation, API tokens and second-factor secrets."""

from __future__ import annotations

from datetime import datetime

import pyotp
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from objections import crypto
from objections.domain.errors import NotFound, ValidationFailed
from objections.models import ApiToken, Organization, User
from objections.models.user import ROLES
from objections.services.passwords import hash_password, password_problem

ORGANISATION_ROLES = ("operator", "org_admin")


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    organization_slug: str | None = None,
    full_name: str = "",
    language: str = "kk",
    totp_secret: str | None = None,
    check_password: bool = True,
) -> User:
    errors: dict[str, list[str]] = {}
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors["email"] = ["invalid_email"]
    if role not in ROLES:
        errors["role"] = ["unknown"]
    full_name = full_name.strip()
    if len(full_name) > 200:  # the column's length
        errors["full_name"] = ["too_long"]
    elif any(ord(ch) < 32 or ord(ch) == 127 for ch in full_name):
        errors["full_name"] = ["control_characters"]
    organization = None
    if role in ORGANISATION_ROLES:
        organization = session.scalar(select(Organization).where(Organization.slug == (organization_slug or "")))
        if organization is None:
            errors["organization"] = ["required" if not organization_slug else "unknown"]
    elif organization_slug:
        errors["organization"] = ["only_for_organisation_staff"]
    if check_password and (problem := password_problem(password, (email, full_name))):
        errors["password"] = [problem]
    if not errors and session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = ["taken"]
    if errors:
        raise ValidationFailed(errors)
    user = User(
        email=email,
        full_name=full_name,
        password_hash=hash_password(password),
        role=role,
        organization=organization,
        language=language,
        totp_secret=totp_secret or pyotp.random_base32(),
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"no user {email}")
    return user


def issue_api_token(session: Session, user: User, *, name: str, now: datetime) -> str:
    """A new bearer token; only its HMAC is stored, so it is shown once."""
    token = crypto.new_token()
    session.add(ApiToken(user_id=user.id, token_hash=crypto.keyring().hash_secret(token), name=name, created_at=now))
    session.flush()
    return token


def current_totp(user: User, now: datetime) -> str:
    if not user.totp_secret:
        raise NotFound("this user has no second factor yet")
    return pyotp.TOTP(user.totp_secret).at(now)
