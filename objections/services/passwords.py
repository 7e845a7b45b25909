"""Password hashing (argon2id, m=19 MiB, t=2, p=1) and the password rules."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
MIN_LENGTH = 12
MAX_LENGTH = 128
# A short list of the most common passwords of 12+ characters; the security issue extends it.
COMMON_PASSWORDS = frozenset(
    {
        "password1234",
        "123456789012",
        "qwertyuiop12",
        "qwerty123456",
        "1q2w3e4r5t6y",
        "passwordpassword",
        "iloveyou1234",
        "administrator",
        "000000000000",
        "111111111111",
        "123123123123",
        "abcdefghijkl",
    }
)


def password_problem(password: str) -> str | None:
    """Why a password cannot be used ('too_short', 'too_long', 'common'), or None."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    if password.lower() in COMMON_PASSWORDS:
        return "common"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
