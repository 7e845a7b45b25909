"""Fixtures for the API tests: a frozen clock, an organisation with a notice, an operator and their token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy.orm import Session

from objections.models import Organization, User
from objections.services.api_tokens import issue_token
from tests.builders import VALID_IINS, make_notice, make_organization, make_user


@pytest.fixture
def frozen(now: datetime) -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(now, tick=False) as traveller:
        yield traveller


@pytest.fixture
def bank(session: Session) -> Organization:
    organization = make_organization(session, slug="example-bank")
    make_notice(session, organization, slug="credit-scoring")
    session.commit()
    return organization


@pytest.fixture
def operator(session: Session, bank: Organization) -> User:
    user = make_user(session, organization=bank, email="operator@example-bank.kz")
    session.commit()
    return user


def bearer(session: Session, user: User, now: datetime) -> dict[str, str]:
    token = issue_token(session, user=user, name="test", now=now)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def auth(session: Session, operator: User, now: datetime) -> dict[str, str]:
    return bearer(session, operator, now)


def filing(**changes: Any) -> dict[str, Any]:
    """A valid body for POST /api/v1/objections, with `changes` applied (None removes a field)."""
    body: dict[str, Any] = {
        "organization": "example-bank",
        "notice": "credit-scoring",
        "full_name": "Aigerim Seitkali",
        "iin": VALID_IINS[0],
        "email": "aigerim@example.kz",
        "phone": "+7 701 123 45 67",
        "language": "en",
        "decision_reference": "LOAN-42",
        "decision_date": "2026-03-13",
        "grounds": "My income was not taken into account.",
        "remedies": ["human_review"],
        "consent": True,
    }
    body.update(changes)
    return {name: value for name, value in body.items() if value is not None}
