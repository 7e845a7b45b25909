"""Rules for an organisation's register entry: its slug, its BIN and its stricter internal target."""

from __future__ import annotations

import re

from objections.domain.iin import is_valid_bin

SLUG_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
# The statutory term never ends sooner than 72 hours after receipt (Art. 19-1(3): three days, counted from the next
# day), so a stricter internal target is at most 71 hours.
MIN_INTERNAL_TARGET_HOURS = 1
MAX_INTERNAL_TARGET_HOURS = 71


def activation_problem(answering_staff: int) -> str | None:
    """Why an organisation cannot take objections yet, as a code: every objection must be considered within three
    days (Art. 19-1(3)), so the register and the form offer only organisations with someone to answer."""
    return None if answering_staff > 0 else "no_staff"


def slug_problem(value: str) -> str | None:
    """Why the value cannot be an organisation's slug (lowercase Latin letters, digits, inner hyphens), as a code."""
    if not value:
        return "required"
    return None if SLUG_PATTERN.fullmatch(value) else "slug_format"


def bin_problem(value: str) -> str | None:
    """Why the value is not a BIN (12 digits with the IIN's mod-11 check digit), as a code: 'bin_digits',
    'bin_length', 'bin_checksum'; None when valid."""
    if not value:
        return "required"
    if not value.isascii() or not value.isdigit():
        return "bin_digits"
    if len(value) != 12:
        return "bin_length"
    return None if is_valid_bin(value) else "bin_checksum"


def read_internal_target(text: str) -> tuple[int | None, str | None]:
    """The internal target in whole hours from what was typed (empty: none), and the problem code if any."""
    text = text.strip()
    if not text:
        return None, None
    if not text.isascii() or not text.isdigit():
        return None, "target_hours_range"
    hours = int(text)
    if not MIN_INTERNAL_TARGET_HOURS <= hours <= MAX_INTERNAL_TARGET_HOURS:
        return None, "target_hours_range"
    return hours, None
