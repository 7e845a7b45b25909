"""Password hashing (argon2id, m=19 MiB, t=2, p=1) and the password rules."""

from __future__ import annotations

import re
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
MIN_LENGTH = 12
MAX_LENGTH = 128
# Common passwords of 12 or more characters, refused at once; zxcvbn judges the rest (password_problem).
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


# zxcvbn's estimate of the guesses an attacker needs; below 10^10 (its score 4 starts there) a password is easy to
# guess for someone holding a copy of the hashes.
MIN_GUESSES_LOG10 = 10.0


def password_problem(password: str, user_inputs: Sequence[str] = ()) -> str | None:
    """Why a password cannot be used ('too_short', 'too_long', 'common', 'guessable'), or None. 'guessable' is
    zxcvbn's judgement: common passwords, words, names, dates, keyboard patterns and repeats, and the person's own
    e-mail or name (`user_inputs`), in any combination, all count against it."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    if password.lower() in COMMON_PASSWORDS:
        return "common"
    from zxcvbn import zxcvbn  # loads its dictionaries on first use: only processes that set passwords need them

    inputs = [part for value in user_inputs for part in _parts(value)]
    if zxcvbn(password[:72], user_inputs=inputs)["guesses_log10"] < MIN_GUESSES_LOG10:  # it reads 72 at most
        return "guessable"
    return None


def _parts(value: str) -> list[str]:
    """A name or an e-mail address and its words, as zxcvbn's dictionary of the person's own data."""
    value = value.lower()
    words = re.split(r"[^\w]+", value)
    return [value, value.split("@")[0], *(word for word in words if len(word) >= 3)]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
