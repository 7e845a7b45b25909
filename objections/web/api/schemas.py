"""Request and response bodies of API v1 as pydantic models: they validate at run time and make the OpenAPI."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from objections.domain.lifecycle import Status
from objections.domain.outcomes import Ground, Outcome, Remedy
from objections.services.intake import GROUNDS_MAX, NAME_MAX

Language = Literal["kk", "ru", "en"]
OfflineChannel = Literal["post", "phone", "in_person"]
FilingChannel = Literal["web", "api", "paper", "phone"]
# NUL cannot be stored in PostgreSQL text; refusing it in the schema keeps the engines alike.
NO_NUL = r"^[^\x00]*$"
EARLIEST_YEAR, LATEST_YEAR = 1970, 2200
ISO_DATE_START = re.compile(r"\d{4}-\d{2}-\d{2}")


def Text(max_length: int, *, min_length: int | None = None) -> Any:
    """A string type of at most `max_length` characters, without NUL."""
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length, pattern=NO_NUL)]


def _iso_text(kind: str, parse: Any) -> Any:
    """Read ISO 8601 text ourselves: pydantic would also take "0.0" as a Unix time, which the schema does not say."""

    def check(value: Any) -> Any:
        if isinstance(value, date):
            return value
        if isinstance(value, str) and ISO_DATE_START.match(value):
            try:
                return parse(value)
            except ValueError:
                pass
        raise PydanticCustomError(kind, "ISO 8601 text")

    return BeforeValidator(check)


def _plausible_instant(value: datetime) -> datetime:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise PydanticCustomError("invalid_datetime", "a moment between 1970 and 2200")
    return value.astimezone(UTC)


def _plausible_day(value: date) -> date:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise PydanticCustomError("invalid_date", "a day between 1970 and 2200")
    return value


InstantIn = Annotated[
    AwareDatetime, _iso_text("invalid_datetime", datetime.fromisoformat), AfterValidator(_plausible_instant)
]
DayIn = Annotated[date, _iso_text("invalid_date", date.fromisoformat), AfterValidator(_plausible_day)]
Instant = Annotated[
    datetime,
    PlainSerializer(lambda value: value.astimezone(UTC).isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-03-16T06:00:00+00:00"]}),
]


class Body(BaseModel):
    """A request body: unknown fields are refused so that a misspelt field is not silently ignored."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- errors -------------------------------------------------------------------------------------------------


class ErrorBody(Out):
    """Every error but 422: one sentence for a person."""

    error: str


class ValidationErrorBody(Out):
    """422: each offending field of the body (or query) with its messages."""

    errors: dict[str, list[str]]


# ---- the public register ------------------------------------------------------------------------------------


class LocalizedText(Out):
    kk: str
    ru: str
    en: str


class NoticeOut(Out):
    """A published notice (Art. 19-1(2)): how the organisation's automated processing works."""

    slug: str
    version: int
    title: LocalizedText
    decided_automatically: LocalizedText
    procedure: LocalizedText
    data_used: LocalizedText
    consequences: LocalizedText
    legal_basis: Literal["consent", "law"]
    legal_basis_reference: LocalizedText
    risk_class: Literal["low", "medium", "high"]
    autonomy_class: Literal["assistive", "semi_autonomous"]
    how_to_object: LocalizedText
    how_to_protect: LocalizedText
    published_at: Instant


class OrganizationOut(Out):
    slug: str
    name: LocalizedText
    notices: list[NoticeOut]


class Register(Out):
    items: list[OrganizationOut]


# ---- filing and tracking ------------------------------------------------------------------------------------


class ObjectionIn(Body):
    """An objection filed by the subject (or an organisation's app on the subject's behalf)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "organization": "example-bank",
                    "notice": "credit-scoring",
                    "full_name": "Aigerim Nurlanovna Seitkali",
                    "iin": "900101300017",
                    "email": "aigerim@example.kz",
                    "phone": "+7 701 123 45 67",
                    "language": "kk",
                    "decision_reference": "LOAN-2026-0042",
                    "decision_date": "2026-03-13",
                    "grounds": "The loan was refused automatically; my income was not taken into account.",
                    "remedies": ["human_review", "explanation"],
                    "consent": True,
                }
            ]
        }
    )

    organization: Text(64) = Field(description="The organisation's slug, from GET /api/v1/organizations.")
    notice: Text(64) | None = Field(None, description="The notice's slug, when the objection concerns one.")
    full_name: Text(NAME_MAX)
    iin: Text(32) = Field(description="The subject's 12-digit individual identification number.")
    email: Text(254) = Field(description="Where the receipt and the answer are sent.")
    phone: Text(32) | None = None
    language: Language = Field(description="The language of the receipt and the answer.")
    decision_reference: Text(120) | None = None
    decision_date: DayIn | None = None
    grounds: Text(GROUNDS_MAX) = Field(description="Why the subject objects.")
    remedies: list[Remedy] = Field(min_length=1, max_length=len(Remedy))
    consent: bool = Field(description="The subject agrees to the processing of this objection's own data: true.")


class Receipt(Out):
    """The filed objection; the access code is shown here once and never again."""

    reference: str
    access_code: str
    status: Status
    received_at: Instant
    deadline_at: Instant
    last_day: date


class DecisionOut(Out):
    outcome: Outcome
    outcome_label: str
    ground: Ground | None
    ground_label: str | None
    reasoning: str
    actions_taken: str


class PublicEvent(Out):
    kind: str
    at: Instant


class Tracking(Out):
    """The subject's view of an objection."""

    reference: str
    organization: str
    notice: str | None
    status: Status
    received_at: Instant
    deadline_at: Instant
    last_day: date
    deadline_text: str = Field(description="The end of the term in words, e.g. 'Thursday 26 March 2026, 24:00'.")
    answered_at: Instant | None
    decision: DecisionOut | None = Field(description="Present once the subject has been notified of the answer.")
    appeal_routes: str
    timeline: list[PublicEvent]
