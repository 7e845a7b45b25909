"""The register entry's rules: slug shape, BIN check digit, and the stricter internal target's range."""

import pytest

from objections.domain.organisations import bin_problem, read_internal_target, slug_problem


@pytest.mark.parametrize(
    ("slug", "problem"),
    [
        ("dala-bank", None),
        ("a", None),
        ("bank2", None),
        ("", "required"),
        ("Dala-Bank", "slug_format"),
        ("dala bank", "slug_format"),
        ("-bank", "slug_format"),
        ("bank-", "slug_format"),
        ("банк", "slug_format"),
        ("x" * 65, "slug_format"),
    ],
)
def test_a_slug_is_lowercase_latin_letters_digits_and_inner_hyphens(slug, problem) -> None:
    assert slug_problem(slug) == problem


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("990140000999", None),
        ("000240000046", None),
        ("", "required"),
        ("99014000099", "bin_length"),
        ("9901400009990", "bin_length"),
        ("99014000099O", "bin_digits"),
        ("٩٩٠١٤٠٠٠٠٩٩٩", "bin_digits"),
        ("990140000998", "bin_checksum"),
    ],
)
def test_a_bin_is_twelve_digits_with_a_valid_check_digit(value, problem) -> None:
    assert bin_problem(value) == problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (None, None)),
        ("  ", (None, None)),
        ("1", (1, None)),
        (" 48 ", (48, None)),
        ("71", (71, None)),
        ("72", (None, "target_hours_range")),
        ("0", (None, "target_hours_range")),
        ("-5", (None, "target_hours_range")),
        ("4.5", (None, "target_hours_range")),
        ("two", (None, "target_hours_range")),
        ("²", (None, "target_hours_range")),
    ],
)
def test_the_internal_target_is_empty_or_whole_hours_shorter_than_the_statutory_term(text, expected) -> None:
    assert read_internal_target(text) == expected
