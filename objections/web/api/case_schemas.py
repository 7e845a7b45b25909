"""Bodies and query of the operators' endpoints (/api/v1/cases), as pydantic models."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from objections.domain.lifecycle import Status
from objections.domain.outcomes import Ground, Outcome, Remedy
from objections.domain.standing import Standing
from objections.web.api.schemas import (
    Body,
    DayIn,
    FilingChannel,
    Instant,
    InstantIn,
    Language,
    OfflineChannel,
    Out,
    Text,
)


class CaseQuery(BaseModel):
    """Filters and paging of GET /api/v1/cases (query parameters)."""

    model_config = ConfigDict(extra="forbid")

    status: Status | None = Field(None, description="Only objections in this state.")
    assignee: Text(254, min_length=1) | None = Field(
        None, description="'me', 'none' (unassigned), or a colleague's e-mail address."
    )
    breached: bool | None = Field(None, description="true: only breaches; false: only objections within the term.")
    received_from: InstantIn | DayIn | None = Field(
        None, union_mode="left_to_right", description="Received at or after: a moment, or a day (Astana time)."
    )
    received_to: InstantIn | DayIn | None = Field(
        None, union_mode="left_to_right", description="Received at or before: a moment, or a day (Astana time)."
    )
    limit: int = Field(50, ge=1, le=100, description="Items per page.")
    cursor: Text(200, min_length=1) | None = Field(None, description="From the previous page's `next` link.")


class CaseSummary(Out):
    reference: str
    status: Status
    channel: FilingChannel
    notice: str | None
    full_name: str
    received_at: Instant
    deadline_at: Instant
    last_day: date
    answered_at: Instant | None
    assignee: str | None = Field(description="The assignee's e-mail address.")
    standing: Standing
    breached: bool


class CasePage(Out):
    items: list[CaseSummary]
    next: str | None = Field(description="The next page's URL, or null on the last page.")


class CaseDecision(Out):
    outcome: Outcome
    ground: Ground | None
    reasoning: str
    actions_taken: str
    language: Language
    decided_at: Instant
    duplicate_of: str | None


class CaseEvent(Out):
    seq: int
    kind: str
    at: Instant
    actor_kind: str
    actor: str | None
    public: bool
    payload: dict[str, Any]


class CaseDetail(CaseSummary):
    iin: str
    email: str | None
    phone: str | None
    language: Language
    decision_reference: str | None
    decision_date: date | None
    grounds: str
    remedies: list[Remedy]
    decision: CaseDecision | None
    notified_channel: str | None
    notified_by: str | None
    answer_undelivered_at: Instant | None
    appealed_at: Instant | None
    withdrawn_at: Instant | None
    closed_at: Instant | None
    events: list[CaseEvent]


class AssignIn(Body):
    assignee: Text(254) | None = Field(None, description="A colleague's e-mail address; null: the token's user.")


class DecisionIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "outcome": "upheld_decision_retaken",
                    "reasoning": "A credit officer reviewed the application with the income certificate.",
                    "actions_taken": "The application was approved on 17 March 2026.",
                    "notify": True,
                }
            ]
        }
    )

    outcome: Outcome
    ground: Ground | None = Field(None, description="Required for a rejection, and only then.")
    reasoning: Text(10000)
    actions_taken: Text(10000) = Field("", description="Required when the objection is upheld.")
    language: Language | None = Field(None, description="The answer's language; the subject's by default.")
    notify: bool = Field(True, description="Publish the answer and e-mail it to the subject in the same step.")
    duplicate_of: Text(20) | None = Field(None, description="For a duplicate: the earlier objection's reference.")
    forward_to: Text(64) | None = Field(None, description="For a forwarded objection: the organisation's slug.")


class NotifiedIn(Body):
    channel: OfflineChannel
    at: InstantIn = Field(description="When the subject was told, with its offset.")
    by: Text(200) = Field(description="Who told the subject.")
