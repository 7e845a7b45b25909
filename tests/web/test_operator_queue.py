"""The queue page: signed-in staff of the organisation only, nearest deadline first, standing in colour and words,
masked IINs, filters and search from the query string, pages and counters."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import update

from objections.models import Notification, Objection
from objections.services import review
from objections.services.presenters import standing_of
from objections.web import labels
from tests.auth_helpers import login_as
from tests.builders import VALID_IINS, make_objection, make_organization, make_user


@pytest.fixture
def clock(now):
    with time_machine.travel(now, tick=False) as traveller:
        yield traveller


@pytest.fixture
def org(session):
    return make_organization(session)


def signed_in(app, user):
    client = app.test_client()
    client.set_cookie("lang", "en")
    login_as(client, user)
    return client


def row_references(html: str) -> list[str]:
    return re.findall(r'<th scope="row">\s*<a href="/cases/(OB-\d{4}-\d{6})"', html)


def test_the_queue_asks_anonymous_visitors_to_sign_in_and_refuses_other_roles(app, session, clock) -> None:
    assert app.test_client().get("/cases/").headers["Location"].startswith("/login")
    supervisor = make_user(session, role="supervisor")
    admin = make_user(session, role="admin")
    session.commit()
    assert signed_in(app, supervisor).get("/cases/").status_code == 403
    assert signed_in(app, admin).get("/cases/").status_code == 403


def test_the_queue_shows_own_open_cases_nearest_deadline_first(app, session, now, clock, org) -> None:
    operator = make_user(session, organization=org)
    fresh = make_objection(session, organization=org, received_at=now - timedelta(hours=1))
    overdue = make_objection(session, organization=org, received_at=now - timedelta(days=6))
    soon = make_objection(session, organization=org, received_at=now - timedelta(days=2), status="in_review")
    make_objection(session, organization=org, received_at=now - timedelta(days=2), status="closed")
    foreign = make_objection(session, organization=make_organization(session), received_at=now - timedelta(days=7))
    session.commit()
    html = signed_in(app, operator).get("/cases/").get_data(as_text=True)
    assert row_references(html) == [overdue.reference, soon.reference, fresh.reference]
    assert foreign.reference not in html


def test_each_row_shows_the_engines_standing_by_colour_and_words(app, session, now, clock, org) -> None:
    operator = make_user(session, organization=org)
    made = [make_objection(session, organization=org, received_at=now - timedelta(days=d)) for d in (0, 1, 2, 3, 6)]
    session.commit()
    html = signed_in(app, operator).get("/cases/").get_data(as_text=True)
    rows = re.findall(r'/cases/(OB-[\d-]+)".*?class="standing standing-(\w+)">([^<]+)<', html, re.S)
    shown = {reference: (code, words) for reference, code, words in rows}
    for objection in made:
        code = standing_of(objection, now).standing
        assert shown[objection.reference] == (code, str(labels.STANDING[code]))
    assert {"overdue", "due_today", "on_time"} <= {code for code, _words in shown.values()}


def test_lists_mask_the_iin_and_the_case_file_shows_it(app, session, now, clock, org) -> None:
    operator = make_user(session, organization=org)
    case = make_objection(session, organization=org, received_at=now, iin=VALID_IINS[1])
    session.commit()
    client = signed_in(app, operator)
    listing = client.get("/cases/").get_data(as_text=True)
    assert VALID_IINS[1] not in listing and VALID_IINS[1][-4:] in listing
    assert VALID_IINS[1] in client.get(f"/cases/{case.reference}").get_data(as_text=True)


def test_filters_and_search_come_from_the_query_string(app, session, now, clock, org) -> None:
    operator = make_user(session, organization=org)
    maria = make_objection(session, organization=org, received_at=now, full_name="Мария Иванова", iin=VALID_IINS[1])
    paper = make_objection(session, organization=org, received_at=now - timedelta(days=1), channel="paper")
    overdue = make_objection(session, organization=org, received_at=now - timedelta(days=6))
    closed = make_objection(session, organization=org, received_at=now - timedelta(days=9), status="closed")
    mine = make_objection(session, organization=org, received_at=now, status="in_review", operator=operator)
    session.commit()
    client = signed_in(app, operator)

    def shown(query: str) -> set[str]:
        return set(row_references(client.get(f"/cases/?{query}").get_data(as_text=True)))

    assert shown(f"q={VALID_IINS[1]}") == {maria.reference}
    assert shown("q=иванова") == {maria.reference}
    assert shown(f"q={closed.reference}&status=all") == {closed.reference}
    assert shown("channel=paper") == {paper.reference}
    assert shown("breached=y") == {overdue.reference}
    assert shown("status=closed") == {closed.reference}
    assert shown("assignee=mine") == {mine.reference}
    assert shown("received_from=2026-03-16&received_to=2026-03-16") == {maria.reference, mine.reference}
    assert shown("status=nonsense&assignee=nobody") == shown("")  # unknown values fall back to the defaults


def test_pages_follow_each_other_without_repeats(app, session, now, clock, org) -> None:
    operator = make_user(session, organization=org)
    made = [make_objection(session, organization=org, received_at=now - timedelta(minutes=m)) for m in range(30)]
    session.commit()
    client = signed_in(app, operator)
    first = client.get("/cases/").get_data(as_text=True)
    assert "30 cases match." in first
    next_link = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(next_link).get_data(as_text=True)
    seen = row_references(first) + row_references(second)
    assert len(row_references(first)) == 25
    assert sorted(seen) == sorted(o.reference for o in made)
    assert 'rel="next"' not in second and 'rel="prev"' in second


def test_counters_show_open_due_today_and_overdue(app, session, now, clock, org) -> None:
    operator = make_user(session, organization=org)
    for days in (0, 3, 6, 7):  # on time, due today, overdue, overdue
        make_objection(session, organization=org, received_at=now - timedelta(days=days))
    session.commit()
    html = signed_in(app, operator).get("/cases/").get_data(as_text=True)
    assert "<strong>4</strong> open" in html
    assert "<strong>1</strong> due today" in html
    assert "<strong>2</strong> overdue" in html


def test_an_undelivered_answer_is_flagged_in_the_queue_and_the_file(app, session, now, clock, org) -> None:
    operator = make_user(session, organization=org)
    case = make_objection(session, organization=org, received_at=now - timedelta(days=1), status="answered")
    mail = session.query(Notification).filter_by(kind="answer", objection_id=case.id).one()
    session.execute(update(Notification).where(Notification.id == mail.id).values(status="dead"))
    review.flag_undelivered_answer(session, mail, now=now)
    session.commit()
    client = signed_in(app, operator)
    queue_page = client.get("/cases/").get_data(as_text=True)
    assert "answers not delivered" in queue_page
    flagged = client.get("/cases/?status=answered&undelivered=y").get_data(as_text=True)
    assert row_references(flagged) == [case.reference] and "Answer not delivered" in flagged
    case_page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "The answer e-mail was not delivered" in case_page
    response = client.post(
        f"/cases/{case.reference}/notified",
        data={"channel": "phone", "notified_at": "2026-03-16T10:30", "by": "A. Clerk"},
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Objection, case.id).answer_undelivered_at is None


def test_a_search_by_iin_or_name_is_posted_and_never_appears_in_a_url(app, session, now, clock, org) -> None:
    operator = make_user(session, organization=org)
    maria = make_objection(session, organization=org, received_at=now, full_name="Мария Иванова", iin=VALID_IINS[1])
    for days in range(1, 4):
        make_objection(session, organization=org, received_at=now - timedelta(days=days), channel="paper")
    session.commit()
    client = signed_in(app, operator)
    page = client.get("/cases/").get_data(as_text=True)
    assert 'method="post" action="/cases/search"' in page

    response = client.post("/cases/search", data={"q": f" {VALID_IINS[1]} ", "status": "all", "channel": ""})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert VALID_IINS[1] not in location and location == "/cases/?status=all&search=1"
    page = client.get(location).get_data(as_text=True)
    assert set(row_references(page)) == {maria.reference}
    assert f'value="{VALID_IINS[1]}"' in page  # the box still shows what was searched
    cookie = client.get_cookie("session")
    carried = app.session_interface.get_signing_serializer(app).loads(cookie.value)  # what anyone can decode
    assert "queue_search" in carried and VALID_IINS[1] not in repr(carried)  # sealed, not merely signed
    assert VALID_IINS[1] not in "".join(re.findall(r'href="([^"]*)"', page))

    by_name = client.post("/cases/search", data={"q": "иванова"})
    assert "%D0" not in by_name.headers["Location"] and "иванова" not in by_name.headers["Location"]
    assert set(row_references(client.get(by_name.headers["Location"]).get_data(as_text=True))) == {maria.reference}

    nul = client.post("/cases/search", data={"q": "ива\x00нова"})
    assert client.get(nul.headers["Location"]).status_code == 200

    cleared = client.post("/cases/search", data={"q": "", "channel": "paper"})
    assert cleared.headers["Location"] == "/cases/?channel=paper"
    assert maria.reference not in set(row_references(client.get(cleared.headers["Location"]).get_data(as_text=True)))
