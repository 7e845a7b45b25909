"""Outcome codes, rejection grounds and remedies (DESIGN.md), and what each outcome requires."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    UPHELD_PROCESSING_STOPPED = "upheld_processing_stopped"
    UPHELD_DECISION_RETAKEN = "upheld_decision_retaken"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    PARTIALLY_UPHELD = "partially_upheld"
    REJECTED = "rejected"
    FORWARDED = "forwarded"
    DUPLICATE = "duplicate"


class Ground(StrEnum):
    CONSENT_GIVEN = "consent_given"
    PROVIDED_BY_LAW = "provided_by_law"
    NO_LEGAL_EFFECT = "no_legal_effect"
    NOT_AUTOMATED = "not_automated"


class Remedy(StrEnum):
    STOP_AUTOMATED_PROCESSING = "stop_automated_processing"
    HUMAN_REVIEW = "human_review"
    WITHDRAW_CONSENT = "withdraw_consent"
    EXPLANATION = "explanation"
    OTHER = "other"


UPHELD = frozenset(
    {
        Outcome.UPHELD_PROCESSING_STOPPED,
        Outcome.UPHELD_DECISION_RETAKEN,
        Outcome.CONSENT_WITHDRAWN,
        Outcome.PARTIALLY_UPHELD,
    }
)


def decision_problems(
    *,
    outcome: str,
    ground: str | None,
    reasoning: str,
    actions_taken: str,
    duplicate_of: str | None = None,
    forward_to: str | None = None,
) -> dict[str, list[str]]:
    """Which fields a decision lacks, as {field: [message code]}; empty when the answer is complete.
    Art. 19-1(3): the subject is told the result, so every answer carries reasons; upheld ones say what was done."""
    problems: dict[str, list[str]] = {}
    try:
        code = Outcome(outcome)
    except ValueError:
        return {"outcome": ["unknown"]}
    if not reasoning.strip():
        problems["reasoning"] = ["required"]
    if code in UPHELD and not actions_taken.strip():
        problems["actions_taken"] = ["required"]
    if code is Outcome.REJECTED:
        if not ground:
            problems["ground"] = ["required"]
        elif ground not in Ground.__members__.values():
            problems["ground"] = ["unknown"]
    elif ground:
        problems["ground"] = ["only_for_rejected"]
    if code is Outcome.DUPLICATE and not (duplicate_of or "").strip():
        problems["duplicate_of"] = ["required"]
    if code is Outcome.FORWARDED and not (forward_to or "").strip():
        problems["forward_to"] = ["required"]
    return problems
