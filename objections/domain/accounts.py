"""Rules for staff accounts' passwords that are not the password's strength (services/passwords.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

ONE_TIME_PASSWORD_VALIDITY = timedelta(days=7)
"""How long a one-time password an administrator was shown (an invitation, a forgotten password) lets its owner
in to choose their own (ASVS 2.3.1: initial secrets expire after a short period)."""


def one_time_password_expired(*, set_at: datetime | None, now: datetime) -> bool:
    """Whether a one-time password issued at `set_at` no longer signs anyone in; one without a date (issued
    before dates were kept) counts as expired."""
    return set_at is None or now - set_at > ONE_TIME_PASSWORD_VALIDITY


def hands_over_account(*, second_factor_set_up: bool, signed_in_before: bool) -> bool:
    """Whether a new one-time password would hand a colleague's account to whoever makes it: after the second
    factor was reset (so the next sign-in enrols a new one), a new password too would let the maker enrol their
    own and act in the owner's name. Only an administrator may do both; an invitee who never signed in is
    simply invited again."""
    return signed_in_before and not second_factor_set_up
