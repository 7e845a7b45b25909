"""Checks of Kazakhstan's IIN and BIN: 12 digits with a mod-11 check digit."""

from __future__ import annotations

_FIRST_WEIGHTS = tuple(range(1, 12))
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def _check_digit(digits: str) -> int | None:
    values = [int(ch) for ch in digits[:11]]
    total = sum(v * w for v, w in zip(values, _FIRST_WEIGHTS, strict=True)) % 11
    if total == 10:
        total = sum(v * w for v, w in zip(values, _SECOND_WEIGHTS, strict=True)) % 11
    return None if total == 10 else total


def is_valid_iin(value: str) -> bool:
    """True for 12 ASCII digits whose last digit is the mod-11 check digit (the birth date is not checked:
    numbers issued since 2013 need not encode one)."""
    if not isinstance(value, str) or len(value) != 12 or not value.isascii() or not value.isdigit():
        return False
    expected = _check_digit(value)
    return expected is not None and expected == int(value[11])


def is_valid_bin(value: str) -> bool:
    """A BIN uses the same 12 digits and check digit as an IIN."""
    return is_valid_iin(value)


def iin_problem(value: str) -> str | None:
    """Why the value is not an IIN, as a message code: 'length', 'digits', 'checksum'; None when valid."""
    value = value.strip()
    if not value.isascii() or not value.isdigit():
        return "digits"
    if len(value) != 12:
        return "length"
    return None if is_valid_iin(value) else "checksum"


def mask_iin(value: str) -> str:
    """Eight stars and the last four digits: ********0017."""
    return "*" * 8 + value[-4:] if value else ""
