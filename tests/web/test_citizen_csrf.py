"""The citizen forms with CSRF protection on: a missing or stale token gets a friendly page that keeps what it can."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from objections.models import Objection
from objections.services import intake, notify
from tests.builders import make_notice, make_organization, multipart_body, objection_form_data, objection_input


@pytest.fixture
def config_overrides() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    browser = app.test_client()
    browser.set_cookie("lang", "en")
    return browser


@pytest.fixture
def bank(session):  # type: ignore[no-untyped-def]
    organization = make_organization(session, slug="bank")
    make_notice(session, organization, slug="scoring")
    session.commit()
    return organization


def token_from(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def post_form(client, data: dict):  # type: ignore[no-untyped-def]
    body, content_type = multipart_body(data)
    return client.post("/objections/new", data=body, content_type=content_type)


def objections_count(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Objection))


def test_the_form_files_with_its_token(client, session, bank) -> None:  # type: ignore[no-untyped-def]
    token = token_from(client.get("/objections/new").get_data(as_text=True))
    response = post_form(client, objection_form_data(bank, csrf_token=token))
    assert response.status_code == 303
    assert objections_count(session) == 1


def test_a_missing_token_shows_the_form_again_with_the_values_kept(client, session, bank) -> None:  # type: ignore[no-untyped-def]
    client.get("/objections/new")
    data = objection_form_data(
        bank,
        full_name="Әсел Нұрова",
        grounds="They refused my loan without a person looking at it.",
        notice="bank:scoring",
        remedies=["explanation"],
        attachments=[(io.BytesIO(b"%PDF-1.4"), "decision.pdf")],
    )
    response = post_form(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was sent" in page and "Attach your files again." in page
    assert 'value="Әсел Нұрова"' in page
    assert "They refused my loan without a person looking at it.</textarea>" in page
    assert '<option selected value="bank:scoring">' in page
    assert re.search(r'<input checked id="remedies-3"', page)
    assert f'value="{data["nonce"]}"' in page
    assert objections_count(session) == 0
    retry = post_form(client, objection_form_data(bank, nonce=data["nonce"], csrf_token=token_from(page)))
    assert retry.status_code == 303
    assert objections_count(session) == 1


def test_a_token_from_another_session_is_refused(app, client, session, bank) -> None:  # type: ignore[no-untyped-def]
    other = app.test_client()
    foreign = token_from(other.get("/objections/new").get_data(as_text=True))
    client.get("/objections/new")
    response = post_form(client, objection_form_data(bank, csrf_token=foreign))
    assert response.status_code == 400
    assert objections_count(session) == 0


def test_the_lookup_keeps_the_reference_but_not_the_code(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/track", data={"reference": "OB-2026-000007", "access_code": "SECRET-CODE"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="OB-2026-000007"' in page
    assert "SECRET-CODE" not in page


def test_the_resend_form_keeps_its_values(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/track/resend", data={"reference": "OB-2026-000007", "email": "me@example.kz"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="OB-2026-000007"' in page and 'value="me@example.kz"' in page


def test_a_stale_withdrawal_changes_nothing_and_links_back(client, session, bank, now) -> None:  # type: ignore[no-untyped-def]
    filed = intake.file_objection(session, objection_input(bank), channel="web", now=now, policy="calendar_days")
    session.commit()
    client.get(f"/track/link/{notify.tracking_token(filed.objection.reference)}")
    response = client.post(f"/track/{filed.objection.reference}/withdraw", data={"confirm": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'href="/track/{filed.objection.reference}"' in page
    session.expire_all()
    assert session.get(Objection, filed.objection.id).status == "received"
    token = token_from(client.get(f"/track/{filed.objection.reference}").get_data(as_text=True))
    done = client.post(f"/track/{filed.objection.reference}/withdraw", data={"confirm": "y", "csrf_token": token})
    assert done.status_code == 303
    session.expire_all()
    assert session.get(Objection, filed.objection.id).status == "withdrawn"


def test_an_oversized_body_is_413_even_before_the_token_is_checked(client, session, bank) -> None:  # type: ignore[no-untyped-def]
    body, content_type = multipart_body(
        objection_form_data(bank, attachments=[(io.BytesIO(b"0" * (17 << 20)), "huge.pdf")])
    )
    response = client.post("/objections/new", data=body, content_type=content_type)
    assert response.status_code == 413
    assert "The files are too large" in response.get_data(as_text=True)
