"""Listing an organisation's objections: the SQL breach filter agrees with the domain rule, row by row."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.domain.standing import is_breach
from objections.models import Objection
from objections.services.case_listing import CaseFilter, breach_condition, list_cases
from tests.builders import make_objection, make_organization, make_user


def test_the_breach_filter_matches_the_domain_rule_for_every_objection(session: Session, now: datetime) -> None:
    organization = make_organization(session)
    for days_ago in (0, 3, 8):
        for status, answered_after in (
            ("received", timedelta(0)),
            ("in_review", timedelta(0)),
            ("answered", timedelta(hours=2)),
            ("answered", timedelta(days=4)),
            ("closed", timedelta(days=5)),
        ):
            make_objection(
                session,
                organization=organization,
                received_at=now - timedelta(days=days_ago),
                status=status,
                answered_after=answered_after,
            )
    # An answer recorded later than the moment asked about does not exist yet at that moment.
    for moment in (now, now - timedelta(days=3), now + timedelta(days=5)):
        breached = set(session.scalars(select(Objection.id).where(breach_condition(moment))))
        expected = {
            o.id
            for o in session.scalars(select(Objection))
            if is_breach(deadline_at=o.deadline_at, answered_at=o.answered_at, now=moment)
        }
        assert breached == expected
        assert breached and len(breached) < 15


def test_pages_follow_one_another_without_gaps_or_repeats(session: Session, now: datetime) -> None:
    organization = make_organization(session)
    actor = make_user(session, organization=organization)
    made = {
        make_objection(session, organization=organization, received_at=now - timedelta(hours=h)).id for h in range(7)
    }
    seen, after = [], None
    while True:
        page = list_cases(session, actor=actor, filters=CaseFilter(), after=after, limit=3, now=now)
        seen.extend(o.id for o in page.items)
        if page.next is None:
            break
        after = page.next
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
