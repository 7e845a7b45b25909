"""What a supervisor may see of a data subject: initials and the last four digits of the IIN."""

from __future__ import annotations

import re

from objections.domain.iin import mask_iin

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def initials(full_name: str | None) -> str:
    """'Aigerim Test' -> 'A. T.'; the first letter of each word of the name, nothing more."""
    return " ".join(f"{word[0].upper()}." for word in _WORD.findall(full_name or ""))


def masked_iin(iin: str | None) -> str:
    return mask_iin(iin or "")
