"""The queue: one organisation only, nearest deadline first, every filter and search, keyset pages, counters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from objections.domain.errors import NotFound
from objections.extensions import db
from objections.models import Notification, Objection
from objections.services import queue, review
from objections.services.presenters import standing_of
from tests.builders import VALID_IINS, make_notice, make_objection, make_organization, make_user

F = queue.QueueFilters


def refs(page: queue.QueuePage) -> list[str]:
    return [o.reference for o in page.items]


def listed(session: Session, org, now, user=None, **filters) -> list[str]:
    page = queue.list_cases(
        session, organization_id=org.id, user_id=user.id if user else None, filters=F(**filters), now=now, per_page=100
    )
    return refs(page)


@pytest.fixture
def org(session):
    return make_organization(session)


def test_the_default_queue_holds_open_cases_nearest_deadline_first(session, now, org) -> None:
    late = make_objection(session, organization=org, received_at=now - timedelta(days=5))
    fresh = make_objection(session, organization=org, received_at=now - timedelta(hours=1))
    middle = make_objection(session, organization=org, received_at=now - timedelta(days=1), status="in_review")
    decided = make_objection(session, organization=org, received_at=now - timedelta(days=2), status="decided")
    for status in ("answered", "closed", "withdrawn"):
        make_objection(session, organization=org, received_at=now - timedelta(days=3), status=status)
    expected = sorted([late, fresh, middle, decided], key=lambda o: (o.deadline_at, o.id))
    assert listed(session, org, now) == [o.reference for o in expected]
    assert listed(session, org, now)[0] == late.reference


def test_another_organisations_cases_are_never_listed_searched_or_loaded(session, now, org) -> None:
    other = make_organization(session)
    theirs = make_objection(session, organization=other, received_at=now - timedelta(hours=2), full_name="Zarina")
    mine = make_objection(session, organization=org, received_at=now - timedelta(hours=2))
    assert listed(session, org, now, status="all") == [mine.reference]
    for search in (theirs.reference, "Zarina", VALID_IINS[0]):
        assert theirs.reference not in listed(session, org, now, status="all", search=search)
    with pytest.raises(NotFound):
        queue.case_for(session, theirs.reference, organization_id=org.id)
    with pytest.raises(NotFound):
        queue.case_for(session, mine.reference, organization_id=None)
    assert queue.case_for(session, mine.reference.lower(), organization_id=org.id) is mine


@pytest.mark.parametrize("status", ["received", "in_review", "decided", "answered", "closed", "withdrawn"])
def test_the_status_filter_shows_that_status_only(session, now, org, status) -> None:
    made = {
        s: make_objection(session, organization=org, received_at=now - timedelta(days=2), status=s)
        for s in ("received", "in_review", "decided", "answered", "closed", "withdrawn")
    }
    assert listed(session, org, now, status=status) == [made[status].reference]
    assert len(listed(session, org, now, status="all")) == 6


def test_the_notice_filter_covers_every_version_of_the_notice(session, now, org) -> None:
    make_notice(session, org, slug="scoring")
    make_notice(session, org, slug="pricing")
    scored = make_objection(session, organization=org, received_at=now, notice="scoring")
    make_objection(session, organization=org, received_at=now, notice="pricing")
    make_objection(session, organization=org, received_at=now)
    assert listed(session, org, now, notice="scoring") == [scored.reference]


def test_the_assignee_filter_tells_mine_from_unassigned(session, now, org) -> None:
    me, colleague = make_user(session, organization=org), make_user(session, organization=org)
    mine = make_objection(session, organization=org, received_at=now, status="in_review", operator=me)
    make_objection(session, organization=org, received_at=now, status="in_review", operator=colleague)
    nobodys = make_objection(session, organization=org, received_at=now)
    assert listed(session, org, now, me, assignee="mine") == [mine.reference]
    assert listed(session, org, now, me, assignee="unassigned") == [nobodys.reference]
    assert len(listed(session, org, now, me, assignee="all")) == 3


def test_the_channel_filter(session, now, org) -> None:
    paper = make_objection(session, organization=org, received_at=now, channel="paper")
    make_objection(session, organization=org, received_at=now)
    assert listed(session, org, now, channel="paper") == [paper.reference]


def test_the_received_range_counts_local_days(session, now, org) -> None:
    # 19:30 UTC on 14 March is 00:30 on 15 March in Astana; 18:30 UTC is still 14 March there.
    on_14th = make_objection(session, organization=org, received_at=datetime(2026, 3, 14, 18, 30, tzinfo=UTC))
    on_15th = make_objection(session, organization=org, received_at=datetime(2026, 3, 14, 19, 30, tzinfo=UTC))
    on_16th = make_objection(session, organization=org, received_at=datetime(2026, 3, 16, 5, 0, tzinfo=UTC))
    assert listed(session, org, now, status="all", received_from=date(2026, 3, 15), received_to=date(2026, 3, 15)) == [
        on_15th.reference
    ]
    assert set(listed(session, org, now, status="all", received_to=date(2026, 3, 15))) == {
        on_14th.reference,
        on_15th.reference,
    }
    assert listed(session, org, now, status="all", received_from=date(2026, 3, 16)) == [on_16th.reference]


def test_the_breached_filter_matches_the_engines_breach(session, now, org) -> None:
    overdue = make_objection(session, organization=org, received_at=now - timedelta(days=6))
    make_objection(session, organization=org, received_at=now - timedelta(hours=2))
    late = make_objection(
        session,
        organization=org,
        received_at=now - timedelta(days=9),
        status="answered",
        answered_after=timedelta(days=6),
    )
    make_objection(session, organization=org, received_at=now - timedelta(days=9), status="answered")
    everything = listed(session, org, now, status="all")
    breached = set(listed(session, org, now, status="all", breached=True))
    assert breached == {overdue.reference, late.reference}
    for objection in session.query(Objection).filter(Objection.reference.in_(everything)):
        assert (objection.reference in breached) == standing_of(objection, now).is_breach
    assert listed(session, org, now, breached=True) == [overdue.reference]


def test_the_undelivered_filter_lists_answers_whose_email_failed(session, now, org) -> None:
    failed = make_objection(session, organization=org, received_at=now - timedelta(days=1), status="answered")
    make_objection(session, organization=org, received_at=now - timedelta(days=1), status="answered")
    mail = session.query(Notification).filter_by(kind="answer", objection_id=failed.id).one()
    session.execute(update(Notification).where(Notification.id == mail.id).values(status="dead"))
    review.flag_undelivered_answer(session, mail, now=now)
    assert listed(session, org, now, status="answered", undelivered=True) == [failed.reference]
    assert queue.counters(session, organization_id=org.id, now=now).undelivered == 1


def test_search_finds_by_reference_or_its_number(session, now, org) -> None:
    cases = [make_objection(session, organization=org, received_at=now) for _ in range(3)]
    target = cases[1]
    number = str(int(target.reference.rsplit("-", 1)[1]))
    assert listed(session, org, now, search=target.reference) == [target.reference]
    assert listed(session, org, now, search=target.reference.lower()) == [target.reference]
    assert listed(session, org, now, search=number) == [target.reference]
    assert set(listed(session, org, now, search="OB-2026")) == {c.reference for c in cases}


def test_search_by_iin_goes_through_the_blind_index(session, now, org) -> None:
    first = make_objection(session, organization=org, received_at=now, iin=VALID_IINS[1])
    again = make_objection(session, organization=org, received_at=now, iin=VALID_IINS[1])
    make_objection(session, organization=org, received_at=now, iin=VALID_IINS[2])
    assert set(listed(session, org, now, search=VALID_IINS[1])) == {first.reference, again.reference}
    assert listed(session, org, now, search=VALID_IINS[0]) == []
    assert VALID_IINS[1] not in first.iin_index  # the index is a keyed hash, not the number


def test_search_by_name_ignores_case_in_every_alphabet_and_treats_wildcards_as_text(session, now, org) -> None:
    maria = make_objection(session, organization=org, received_at=now, full_name="Мария Иванова")
    askar = make_objection(session, organization=org, received_at=now, full_name="Асқар Бекұлы")
    john = make_objection(session, organization=org, received_at=now, full_name="John O'Neil 100%")
    assert listed(session, org, now, search="иванова") == [maria.reference]
    assert listed(session, org, now, search="МАРИЯ") == [maria.reference]
    assert listed(session, org, now, search="БЕКҰЛ") == [askar.reference]
    assert listed(session, org, now, search="o'neil") == [john.reference]
    assert listed(session, org, now, search="100%") == [john.reference]
    assert listed(session, org, now, search="%") == [john.reference]
    assert listed(session, org, now, search="_") == []


def test_keyset_pages_walk_forward_and_back_without_gaps_or_repeats(session, now, org) -> None:
    same_moment = now - timedelta(hours=1)
    made = [make_objection(session, organization=org, received_at=same_moment) for _ in range(4)]
    made += [make_objection(session, organization=org, received_at=now - timedelta(days=d)) for d in (1, 2, 3)]
    expected = [o.reference for o in sorted(made, key=lambda o: (o.deadline_at, o.id))]

    def page(**cursor):
        return queue.list_cases(
            session, organization_id=org.id, user_id=None, filters=F(), now=now, per_page=3, **cursor
        )

    first = page()
    second = page(after=first.next_cursor)
    third = page(after=second.next_cursor)
    assert refs(first) + refs(second) + refs(third) == expected
    assert (first.prev_cursor, third.next_cursor) == (None, None)
    assert first.matching == second.matching == 7
    back = page(before=third.prev_cursor)
    assert refs(back) == refs(second)
    assert refs(page(before=back.prev_cursor)) == refs(first)
    assert refs(page(after="not-a-cursor")) == refs(first)


def test_finished_cases_list_latest_first(session, now, org) -> None:
    older = make_objection(session, organization=org, received_at=now - timedelta(days=9), status="closed")
    newer = make_objection(session, organization=org, received_at=now - timedelta(days=8), status="closed")
    assert listed(session, org, now, status="closed") == [newer.reference, older.reference]
    assert listed(session, org, now, status="all") == [newer.reference, older.reference]


@pytest.mark.parametrize("hours_later", [0, 9, 14, 30, 60, 100])
def test_counters_agree_with_the_standing_of_every_open_case(session, now, org, hours_later) -> None:
    for days in (0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 6):
        make_objection(session, organization=org, received_at=now - timedelta(days=days))
    make_objection(session, organization=org, received_at=now - timedelta(days=5), status="answered")
    moment = now + timedelta(hours=hours_later)
    counted = queue.counters(session, organization_id=org.id, now=moment)
    standings = [
        standing_of(o, moment).standing for o in session.query(Objection).filter(Objection.status != "answered")
    ]
    assert counted.open == len(standings) == 10
    assert counted.due_today == standings.count("due_today")
    assert counted.overdue == standings.count("overdue")


def _plans(session: Session, run) -> list[str]:
    """The query plan of every objections query that `run` sends."""
    statements = []

    def grab(conn, cursor, statement, params, context, executemany) -> None:
        if "FROM objections" in statement:
            statements.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    connection = session.connection()
    return [
        " / ".join(row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params))
        for sql, params in statements
    ]


@pytest.mark.sqlite_only
def test_the_queue_and_counters_are_answered_from_indexes_not_table_scans(session, now, org) -> None:
    made = make_objection(session, organization=org, received_at=now)
    session.commit()
    plans = _plans(
        session,
        lambda: (
            queue.list_cases(session, organization_id=org.id, user_id=None, filters=F(), now=now, per_page=1),
            queue.counters(session, organization_id=org.id, now=now),
        ),
    )
    assert plans and all("ix_objections_org_status_deadline" in plan for plan in plans), plans
    searched = _plans(
        session,
        lambda: queue.list_cases(
            session, organization_id=org.id, user_id=None, filters=F(status="all", search=made.reference), now=now
        ),
    )
    assert not any(plan.startswith("SCAN objections") or "ix_objections_org_received" in plan for plan in searched)
