"""The supervisor pages through the client: figures, the organisation table, the breach log, cases, masking."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.auth_helpers import login_as
from tests.builders import make_compliance_dataset, make_organization, make_user

SECRETS = (b"Aigerim", b"900101300017", b"subject@example.kz", b"ignored my income", b"Consent was given")


@pytest.fixture
def frozen(now: datetime) -> Iterator[None]:
    with time_machine.travel(now, tick=False):
        yield


@pytest.fixture
def dataset(session: Session, now: datetime, frozen: None) -> dict:
    data = make_compliance_dataset(session, now)
    session.commit()
    return data


@pytest.fixture
def supervisor_client(client: FlaskClient, session: Session, frozen: None) -> FlaskClient:
    supervisor = make_user(session, role="supervisor")
    session.commit()
    login_as(client, supervisor)
    client.set_cookie("lang", "en")
    return client


def text_of(html: bytes) -> str:
    """The page's text with tags removed and spaces squeezed, for phrase checks."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def test_overview_shows_the_hand_counted_figures(supervisor_client, dataset) -> None:
    response = supervisor_client.get("/supervisor/")
    assert response.status_code == 200
    page = text_of(response.data)
    assert "Objections received from 15 February 2026 to 16 March 2026" in page
    assert "Open 3" in page and "Due today 1" in page and "Overdue now 1" in page
    assert "Received 10" in page
    assert "Answered on time 57.1 % 4 of 7 answered or past their deadline" in page
    assert "Breached 3 2 answered late, 1 still overdue" in page
    assert "Median time to answer 40.0 h" in page
    assert "90th percentile time to answer 97.5 h" in page
    assert "Appeals 1" in page


def test_overview_filters_by_organisation_from_the_query_string(supervisor_client, dataset) -> None:
    page = text_of(supervisor_client.get("/supervisor/?organization=beta").data)
    assert "Received 3" in page and "Open 1" in page


def test_overview_shows_field_errors_and_falls_back_to_the_default_period(supervisor_client, dataset) -> None:
    response = supervisor_client.get("/supervisor/?period=custom&from=2026-03-10&to=2026-03-01&organization=zzz")
    assert response.status_code == 200
    page = text_of(response.data)
    assert "Please correct these fields" in page
    assert "Choose one of the options offered." in page
    assert "The end of the period must be on or after its start." in page
    assert "Received 10" in page


def test_custom_period_is_applied_and_carried_into_links(supervisor_client, dataset) -> None:
    response = supervisor_client.get("/supervisor/?period=custom&from=2026-01-01&to=2026-01-31")
    page = text_of(response.data)
    assert "Received 1" in page and "Median time to answer 200.0 h" in page
    assert b"/supervisor/breaches?period=custom&amp;from=2026-01-01&amp;to=2026-01-31" in response.data


def test_organisation_table_is_sortable_and_links_to_each_breach_log(supervisor_client, dataset) -> None:
    response = supervisor_client.get("/supervisor/organizations?sort=compliance&dir=asc")
    assert response.status_code == 200
    html = response.data.decode().split("<table", 1)[1]
    assert html.index(dataset["beta"].name_en) < html.index(dataset["alpha"].name_en)
    assert 'aria-sort="ascending"' in html
    assert "/supervisor/breaches?period=30&amp;organization=alpha" in html
    page = text_of(response.data)
    assert "7 3 1 1 60.0 % 40.0 h 59.0 h" in page
    descending = supervisor_client.get("/supervisor/organizations?sort=compliance&dir=desc").data.decode()
    descending = descending.split("<table", 1)[1]
    assert descending.index(dataset["alpha"].name_en) < descending.index(dataset["beta"].name_en)


def test_breach_log_lists_each_breach_with_hours_late_organisation_and_notice(supervisor_client, dataset) -> None:
    response = supervisor_client.get("/supervisor/breaches")
    assert response.status_code == 200
    page = text_of(response.data)
    assert "3 breaches" in page
    for key, hours in (
        ("alpha_overdue_59h", "59.0 h"),
        ("alpha_late_10h", "10.0 h"),
        ("beta_late_15h_closed", "15.0 h"),
    ):
        reference = dataset["objections"][key].reference
        assert re.search(rf"{reference} .*? {hours}", page), key
    assert "scoring (High risk)" in page and "pricing (Low risk)" in page
    assert dataset["objections"]["alpha_withdrawn"].reference not in page


def test_breach_log_filtered_to_one_organisation(supervisor_client, dataset) -> None:
    page = text_of(supervisor_client.get("/supervisor/breaches?organization=beta").data)
    assert "1 breach" in page
    assert dataset["objections"]["beta_late_15h_closed"].reference in page


def test_case_opens_read_only_and_masked(supervisor_client, dataset) -> None:
    objection = dataset["objections"]["alpha_late_10h"]
    response = supervisor_client.get(f"/supervisor/cases/{objection.reference}")
    assert response.status_code == 200
    page = text_of(response.data)
    assert "A. T. ********0017" in page
    assert "Answered late" in page and "Late by 10.0 h" in page
    assert "How the deadline was counted" in page and "Friday 6 March 2026, 24:00 (Astana time)" in page
    assert "Received" in page and "Decided" in page and "Answered by e-mail" in page
    assert b"<form" not in response.data.split(b"<main")[1].split(b"</main>")[0]
    assert supervisor_client.get("/supervisor/cases/OB-2026-999999").status_code == 404


def test_no_supervisor_page_shows_the_name_iin_or_free_text(supervisor_client, dataset) -> None:
    paths = ["/supervisor/", "/supervisor/organizations", "/supervisor/breaches?period=90"]
    paths += [f"/supervisor/cases/{o.reference}" for o in dataset["objections"].values()]
    for path in paths:
        body = supervisor_client.get(path).data
        assert b"********0017" in body or path.endswith(("/", "organizations")), path
        for secret in SECRETS:
            assert secret not in body, (path, secret)


def test_empty_database_renders_every_page_with_zeros_and_no_data(supervisor_client, session) -> None:
    make_organization(session, slug="quiet")
    session.commit()
    overview = supervisor_client.get("/supervisor/")
    assert overview.status_code == 200
    page = text_of(overview.data)
    assert "Received 0" in page and "Open 0" in page
    assert "Answered on time no data" in page and "Median time to answer no data" in page
    assert "No data for charts in this period." in page
    organizations = text_of(supervisor_client.get("/supervisor/organizations").data)
    assert "0 0 0 0 no data no data —" in organizations
    breaches = supervisor_client.get("/supervisor/breaches")
    assert breaches.status_code == 200 and "No breaches for these filters." in text_of(breaches.data)


def test_pages_speak_the_chosen_language(supervisor_client, dataset) -> None:
    response = supervisor_client.get("/supervisor/?lang=ru")
    assert response.status_code == 200
    assert b'lang="ru"' in response.data
