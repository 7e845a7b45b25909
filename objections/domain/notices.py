"""What makes an automated-processing notice complete (Art. 19-1(2)), and when an edit must become a new version."""

from __future__ import annotations

import re
from collections.abc import Mapping

LANGUAGES = ("kk", "ru", "en")
RISK_CLASSES = ("low", "medium", "high")
AUTONOMY_CLASSES = ("assistive", "semi_autonomous")
LEGAL_BASES = ("consent", "law")
# The explanation's parts, each written in every language; the legal basis's reference is needed for a law only.
TEXT_FIELDS = (
    "title",
    "decided_automatically",
    "procedure",
    "data_used",
    "consequences",
    "legal_basis_reference",
    "how_to_object",
    "how_to_protect",
)
TITLE_MAX = 200
TEXT_MAX = 5000
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def in_language(values: Mapping[str, str] | None, language: str) -> str:
    """A part of a notice in `language`; while that translation is missing, the English text, else any."""
    values = values or {}
    return values.get(language) or values.get("en") or next((text for text in values.values() if text), "")


def check_slug(slug: str) -> list[str]:
    """Error codes for a notice's address part: lowercase letters, digits and inner hyphens, at most 64."""
    if not slug:
        return ["required"]
    if len(slug) > 64:
        return ["too_long"]
    return [] if SLUG.match(slug) else ["slug_format"]


def check_notice(
    texts: Mapping[str, Mapping[str, str]],
    *,
    legal_basis: str,
    risk_class: str,
    autonomy_class: str,
    complete: bool = True,
) -> dict[str, list[str]]:
    """Error codes by field name (`<field>_<language>` for texts): every part within its length and, when the
    notice is to be `complete` (published: Art. 19-1(2) explains the processing to everyone, in the state language
    and Russian alike), written in kk, ru and en. A draft needs only its title in one language."""
    errors: dict[str, list[str]] = {}
    if legal_basis not in LEGAL_BASES:
        errors["legal_basis"] = ["unknown"]
    if risk_class not in RISK_CLASSES:
        errors["risk_class"] = ["unknown"]
    if autonomy_class not in AUTONOMY_CLASSES:
        errors["autonomy_class"] = ["unknown"]
    for field in TEXT_FIELDS:
        limit = TITLE_MAX if field == "title" else TEXT_MAX
        optional = not complete or (field == "legal_basis_reference" and legal_basis != "law")
        for language in LANGUAGES:
            value = (texts.get(field) or {}).get(language, "")
            name = f"{field}_{language}"
            if not value.strip():
                if not optional:
                    errors[name] = ["required"]
            elif len(value) > limit:
                errors[name] = ["too_long"]
            elif CONTROL.search(value):
                errors[name] = ["control_characters"]
    if not complete and not any((texts.get("title") or {}).get(language, "").strip() for language in LANGUAGES):
        errors["title_kk"] = ["title_in_one_language"]
    return errors


def missing_parts(texts: Mapping[str, Mapping[str, str]], *, legal_basis: str) -> dict[str, list[str]]:
    """The parts not yet written, by language: what a draft still lacks before it can be published."""
    return {
        language: [
            field
            for field in TEXT_FIELDS
            if not (texts.get(field) or {}).get(language, "").strip()
            and not (field == "legal_basis_reference" and legal_basis != "law")
        ]
        for language in LANGUAGES
    }


def edit_makes_new_version(*, published: bool, ever_published: bool, objections: int) -> bool:
    """A version that citizens could read, or that an objection was filed against, is never changed: an edit adds
    the next version. Only a draft nobody has seen is edited in place."""
    return published or ever_published or objections > 0
