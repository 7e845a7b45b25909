"""Property-based checks of the API against its own OpenAPI document (schemathesis), and the filing fuzz (R10)."""

from __future__ import annotations

import inspect
from collections import Counter
from datetime import datetime, timedelta

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from objections.models import Objection, Organization, User
from objections.services import review
from objections.web.api import cases as api_cases
from objections.web.api import docs as api_docs
from objections.web.api import public as api_public
from tests.builders import VALID_IINS, make_objection
from tests.web.api.conftest import filing

BOUNDED = settings(
    max_examples=30,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture
def seeded(session: Session, bank: Organization, operator: User, now: datetime) -> None:
    """Objections in several states, so generated requests meet real ones (OB-2026-000001 is the spec's example)."""
    received = make_objection(session, organization=bank, received_at=now - timedelta(hours=5))
    assert received.reference == "OB-2026-000001"
    make_objection(
        session, organization=bank, received_at=now - timedelta(days=1), status="in_review", operator=operator
    )
    decided = make_objection(session, organization=bank, received_at=now - timedelta(days=2), status="decided")
    review.answer_by_email(session, decided, actor=operator, now=now - timedelta(days=1))
    make_objection(session, organization=bank, received_at=now - timedelta(days=6), channel="paper", email=None)
    session.commit()


@pytest.fixture
def api_schema(app: Flask, seeded: None) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


# schemathesis's own pytest wrapper (`from_fixture(...).parametrize()`) relies on a pytest internal that pytest 9
# removed, so each operation is driven through schemathesis's Hypothesis strategies instead. The ids come from
# the views (operationId = endpoint), and test_openapi checks the document lists every route.
OPERATION_IDS = sorted(
    name
    for module in (api_cases, api_docs, api_public)
    for name, value in vars(module).items()
    if inspect.isfunction(value) and hasattr(value, "openapi_operation")
)


@pytest.mark.parametrize("operation_id", OPERATION_IDS)
def test_every_operation_answers_as_its_openapi_document_says(
    api_schema: schemathesis.BaseSchema, auth: dict, operation_id: str
) -> None:
    """No 5xx; statuses, content types, headers and bodies as documented; schema-invalid input refused."""
    operation = api_schema.find_operation_by_id(operation_id)
    headers = auth if operation.path.startswith("/api/v1/cases") else None
    cases = st.one_of(
        *operation.get_strategies_from_examples(),
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @BOUNDED
    @given(case=cases)
    def answers_as_documented(case: schemathesis.Case) -> None:
        case.call_and_validate(
            headers=headers,
            # Valid by the schema is not valid by the rules: an IIN's checksum, a known organisation, a deadline
            # not yet passed cannot be written in JSON Schema, so a schema-valid body may rightly get 422.
            excluded_checks=[openapi_checks.positive_data_acceptance],
        )

    answers_as_documented()


# ---- R10: fuzzing the filing endpoint -----------------------------------------------------------------------

TEXT = st.text(max_size=40)
VALUES = st.one_of(st.none(), st.booleans(), st.integers(), TEXT, st.lists(TEXT, max_size=3))
FIELD_CHOICES = {
    "organization": st.one_of(st.just("example-bank"), VALUES),
    "notice": st.one_of(st.just("credit-scoring"), st.none(), VALUES),
    "full_name": st.one_of(st.just("Aigerim Seitkali"), VALUES),
    "iin": st.one_of(st.sampled_from(VALID_IINS), st.from_regex(r"\A[0-9]{12}\Z"), VALUES),
    "email": st.one_of(st.just("aigerim@example.kz"), VALUES),
    "language": st.one_of(st.sampled_from(["kk", "ru", "en"]), VALUES),
    "decision_date": st.one_of(st.dates().map(str), st.none(), VALUES),
    "grounds": st.one_of(st.just("The model ignored my income."), VALUES),
    "remedies": st.one_of(st.just(["human_review"]), st.lists(st.sampled_from(["other", "x"]), max_size=2), VALUES),
    "consent": st.one_of(st.just(True), VALUES),
}
BODIES = st.one_of(
    st.fixed_dictionaries({}, optional=FIELD_CHOICES),
    st.fixed_dictionaries({name: st.just(value) for name, value in filing().items()}),
    VALUES,
)


def fuzz_filing(client: FlaskClient, session: Session, examples: int) -> Counter[int]:
    """Post `examples` generated bodies; return how many got each status."""
    statuses: Counter[int] = Counter()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(body=BODIES)
    def one(body: object) -> None:
        before = session.scalar(select(func.count()).select_from(Objection))
        response = client.post("/api/v1/objections", json=body)
        session.expire_all()
        after = session.scalar(select(func.count()).select_from(Objection))
        statuses[response.status_code] += 1
        assert response.status_code < 500
        assert response.is_json
        if response.status_code == 201:
            assert after == before + 1
        else:
            assert response.status_code in (400, 422), response.json
            assert after == before
            assert set(response.json) == ({"errors"} if response.status_code == 422 else {"error"})

    one()
    return statuses


def test_fuzzed_filings_never_fail_and_write_exactly_one_row_when_valid(
    client: FlaskClient, session: Session, bank: Organization
) -> None:
    statuses = fuzz_filing(client, session, examples=100)
    assert statuses[201] and statuses[422] and statuses[400], statuses


@pytest.mark.reliability
def test_r10_fuzzed_filings_at_full_size(client: FlaskClient, session: Session, bank: Organization) -> None:
    statuses = fuzz_filing(client, session, examples=500)
    assert statuses[201] and statuses[422], statuses
