"""The 09:00 digest: operators see their own organisation's due and overdue cases, supervisors the last day's
breaches and the cases at risk; one per person per day."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.models import Notification
from objections.services.digest import send_digests
from tests.builders import make_objection, make_organization, make_user

# Thursday 19 March 2026, 09:00 in Astana.
DIGEST_AT = datetime.fromisoformat("2026-03-19T04:00Z")


def at(day: int, hour: int = 6) -> datetime:
    return datetime.fromisoformat(f"2026-03-{day:02d}T{hour:02d}:00Z")


def digests(session: Session) -> dict[str, Notification]:
    rows = session.scalars(
        select(Notification).where(Notification.kind == "digest").execution_options(populate_existing=True)
    )
    return {n.recipient: n for n in rows}


@pytest.fixture
def world(session: Session) -> dict:
    alpha = make_organization(session, slug="alpha", internal_target_hours=24)
    beta = make_organization(session, slug="beta")
    operator = make_user(session, organization=alpha, language="en")
    org_admin = make_user(session, role="org_admin", organization=alpha, language="ru")
    beta_operator = make_user(session, organization=beta, language="en")
    idle = make_organization(session, slug="idle")
    idle_operator = make_user(session, organization=idle, language="en")
    supervisor = make_user(session, role="supervisor", language="en")
    cases = {
        # The third day, Sunday 15 March, is a day off: due Monday 16 March, 24:00.
        "overdue": make_objection(session, organization=alpha, received_at=at(12)),
        "due_today": make_objection(session, organization=alpha, received_at=at(16)),
        "due_tomorrow": make_objection(session, organization=alpha, received_at=at(17)),
        # The third day is Saturday 21 March: due Monday 23 March, not in the digest.
        "later": make_objection(session, organization=alpha, received_at=at(18)),
        "answered": make_objection(
            session, organization=alpha, received_at=at(16), status="answered", operator=operator
        ),
        "beta_due_today": make_objection(session, organization=beta, received_at=at(16)),
        # Due Wednesday 18 March, 24:00 (19:00 UTC): a breach within the last day, one unanswered, one answered late.
        "breached": make_objection(session, organization=beta, received_at=at(15)),
        "answered_late": make_objection(
            session,
            organization=beta,
            received_at=at(15),
            status="answered",
            operator=beta_operator,
            answered_after=timedelta(hours=85),
        ),
    }
    session.commit()
    return {
        "operator": operator,
        "org_admin": org_admin,
        "beta_operator": beta_operator,
        "idle_operator": idle_operator,
        "supervisor": supervisor,
        "cases": cases,
    }


def test_operators_get_their_organisations_due_and_overdue_cases(session: Session, world: dict) -> None:
    cases = world["cases"]
    result = send_digests(session, now=DIGEST_AT)
    session.commit()

    mail = digests(session)[world["operator"].email]
    assert mail.idempotency_key == f"digest:2026-03-19:{world['operator'].id}"
    assert mail.subject == "Daily summary: 2 objections due today or tomorrow, 1 overdue"
    text = mail.body_text
    assert "Daily summary for Thursday 19 March 2026" in text
    overdue, due_today, due_tomorrow = (text.index(s) for s in ("Overdue", "Due today", "Due tomorrow"))
    assert overdue < text.index(cases["overdue"].reference) < due_today
    assert due_today < text.index(cases["due_today"].reference) < due_tomorrow
    assert due_tomorrow < text.index(cases["due_tomorrow"].reference)
    for other in ("later", "answered", "beta_due_today", "breached"):
        assert cases[other].reference not in text, other
    assert f"http://localhost/cases/{cases['due_today'].reference}" in text
    assert cases["due_today"].full_name not in text
    russian = digests(session)[world["org_admin"].email]
    assert russian.language == "ru" and "четверг, 19 марта 2026 г." in russian.body_text
    assert result.queued == 4  # alpha's two, beta's operator and the supervisor; not the idle organisation


def test_staff_with_nothing_to_report_get_no_digest(session: Session, world: dict) -> None:
    result = send_digests(session, now=DIGEST_AT)
    assert world["idle_operator"].email not in digests(session)
    assert result.nothing_to_report == 1


def test_supervisors_get_the_last_days_breaches_and_the_cases_at_risk(session: Session, world: dict) -> None:
    cases = world["cases"]
    send_digests(session, now=DIGEST_AT)
    mail = digests(session)[world["supervisor"].email]
    text = mail.body_text
    assert mail.subject == "Daily summary: 2 breaches in the last day, 3 cases at risk"
    breaches, at_risk = text.index("Breaches in the last 24 hours"), text.index("At risk")
    for name in ("breached", "answered_late"):
        assert breaches < text.index(cases[name].reference) < at_risk, name
    for name in ("due_today", "beta_due_today", "due_tomorrow"):  # the last one past alpha's 24 h target
        assert at_risk < text.index(cases[name].reference), name
    assert cases["later"].reference not in text
    assert cases["overdue"].reference not in text  # breached three days ago, not in the last day
    assert f"http://localhost/supervisor/cases/{cases['breached'].reference}" in text
    assert "http://localhost/supervisor/breaches" in text
    assert cases["breached"].full_name not in text


def test_one_digest_per_person_per_day(session: Session, world: dict) -> None:
    first = send_digests(session, now=DIGEST_AT)
    again = send_digests(session, now=DIGEST_AT + timedelta(hours=3))
    session.commit()
    tomorrow = send_digests(session, now=DIGEST_AT + timedelta(days=1))
    assert (first.queued, again.queued) == (4, 0)
    assert tomorrow.queued == 4
    keys = session.scalars(select(Notification.idempotency_key).where(Notification.kind == "digest")).all()
    assert len(keys) == len(set(keys)) == 8
