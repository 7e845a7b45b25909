"""What makes a notice complete, and when an edit must keep the old version."""

from __future__ import annotations

import pytest

from objections.domain.notices import (
    LANGUAGES,
    TEXT_FIELDS,
    check_notice,
    check_slug,
    edit_makes_new_version,
    in_language,
    missing_parts,
)


def complete(**changes: dict[str, str]) -> dict[str, dict[str, str]]:
    texts = {part: {language: f"{part} in {language}" for language in LANGUAGES} for part in TEXT_FIELDS}
    texts.update(changes)
    return texts


def check(texts, legal_basis="consent", risk_class="high", autonomy_class="assistive"):
    return check_notice(texts, legal_basis=legal_basis, risk_class=risk_class, autonomy_class=autonomy_class)


def test_a_notice_written_in_all_three_languages_is_complete() -> None:
    assert check(complete()) == {}


def test_every_part_is_needed_in_every_language_and_each_gap_is_named() -> None:
    errors = check(complete(title={"kk": "Скоринг", "ru": " ", "en": "Scoring"}, data_used={"kk": "x", "ru": "y"}))
    assert errors == {"title_ru": ["required"], "data_used_en": ["required"]}


def test_a_draft_may_lack_translations_but_needs_a_title_in_one_language_and_valid_text() -> None:
    draft = {"title": {"en": "Scoring"}, "procedure": {"ru": "x" * 5001}}
    errors = check_notice(draft, legal_basis="consent", risk_class="high", autonomy_class="assistive", complete=False)
    assert errors == {"procedure_ru": ["too_long"]}  # gaps are allowed, a text too long is not
    untitled = check_notice({}, legal_basis="consent", risk_class="high", autonomy_class="assistive", complete=False)
    assert untitled == {"title_kk": ["title_in_one_language"]}
    assert check(draft)["title_kk"] == ["required"]  # to be published, it must be complete


def test_the_parts_still_to_write_are_listed_by_language() -> None:
    texts = complete(title={"kk": "", "ru": "Скоринг", "en": "Scoring"}, data_used={"kk": "x", "ru": "y", "en": " "})
    texts["legal_basis_reference"] = {}
    assert missing_parts(texts, legal_basis="consent") == {"kk": ["title"], "ru": [], "en": ["data_used"]}
    assert missing_parts(texts, legal_basis="law")["ru"] == ["legal_basis_reference"]


def test_a_missing_translation_reads_in_english_else_in_any_language_written() -> None:
    assert in_language({"kk": "Скоринг", "en": "Scoring"}, "ru") == "Scoring"
    assert in_language({"kk": "Скоринг", "ru": ""}, "ru") == "Скоринг"
    assert in_language(None, "kk") == ""


def test_the_legal_reference_may_be_left_out_for_consent_but_not_for_a_law() -> None:
    texts = complete(legal_basis_reference={"kk": "", "ru": "", "en": ""})
    assert check(texts, legal_basis="consent") == {}
    assert check(texts, legal_basis="law") == {f"legal_basis_reference_{lang}": ["required"] for lang in LANGUAGES}


def test_lengths_control_characters_and_unknown_classes_are_refused() -> None:
    texts = complete(title={"kk": "т" * 201, "ru": "ok", "en": "bad\x07bell"})
    errors = check(texts, legal_basis="contract", risk_class="extreme", autonomy_class="full")
    assert errors == {
        "legal_basis": ["unknown"],
        "risk_class": ["unknown"],
        "autonomy_class": ["unknown"],
        "title_kk": ["too_long"],
        "title_en": ["control_characters"],
    }


@pytest.mark.parametrize(
    ("slug", "codes"),
    [
        ("loan-scoring", []),
        ("a", []),
        ("", ["required"]),
        ("Loan", ["slug_format"]),
        ("-x", ["slug_format"]),
        ("x-", ["slug_format"]),
        ("скоринг", ["slug_format"]),
        ("a" * 65, ["too_long"]),
    ],
)
def test_a_slug_is_lowercase_latin_digits_and_inner_hyphens(slug: str, codes: list[str]) -> None:
    assert check_slug(slug) == codes


def test_only_a_draft_nobody_saw_or_objected_to_is_edited_in_place() -> None:
    assert edit_makes_new_version(published=False, ever_published=False, objections=0) is False
    assert edit_makes_new_version(published=True, ever_published=True, objections=0) is True
    assert edit_makes_new_version(published=False, ever_published=True, objections=0) is True
    assert edit_makes_new_version(published=False, ever_published=False, objections=1) is True
