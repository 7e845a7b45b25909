"""Bad input on the citizen pages: an oversized body gets a clear 413 page, nothing answers 500."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from objections.models import Objection
from objections.services import notify
from tests.builders import make_notice, make_organization, multipart_body, objection_form_data, png_bytes
from tests.reliability.workload import fuzz_examples


@pytest.fixture
def bank(session):  # type: ignore[no-untyped-def]
    organization = make_organization(session, slug="bank")
    make_notice(session, organization, slug="scoring")
    session.commit()
    return organization


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    browser = app.test_client()
    browser.set_cookie("lang", "en")
    return browser


def objections_count(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Objection))


def test_an_oversized_body_gets_a_clear_413_page_and_files_nothing(client, session, bank) -> None:  # type: ignore[no-untyped-def]
    files = [(io.BytesIO(b"%PDF-" + b"0" * (17 << 20)), "huge.pdf")]
    body, content_type = multipart_body(objection_form_data(bank, attachments=files))
    response = client.post("/objections/new", data=body, content_type=content_type)
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The files are too large" in page
    assert "at most 3 files of 5 MB each" in page
    assert 'href="/objections/new"' in page
    assert objections_count(session) == 0


def test_three_files_of_five_mb_fit_in_the_body_limit(client, session, bank) -> None:  # type: ignore[no-untyped-def]
    almost = 5 * 1024 * 1024 - 1024
    files = [(io.BytesIO(png_bytes() + b"\0" * (almost - len(png_bytes()))), f"{n}.png") for n in range(3)]
    body, content_type = multipart_body(objection_form_data(bank, attachments=files))
    response = client.post("/objections/new", data=body, content_type=content_type)
    assert response.status_code == 303
    assert objections_count(session) == 1


@pytest.mark.parametrize(
    "field", ["full_name", "iin", "email", "phone", "decision_reference", "organization", "notice", "grounds"]
)
def test_control_characters_are_refused_not_stored(client, session, bank, field) -> None:  # type: ignore[no-untyped-def]
    data = objection_form_data(bank, notice="bank:scoring")
    data[field] = data[field] + "\x00\x1b" if data[field] else "\x00"
    body, content_type = multipart_body(data)
    response = client.post("/objections/new", data=body, content_type=content_type)
    assert response.status_code == 422
    assert "Remove the invisible control characters from this text." in response.get_data(as_text=True)
    assert objections_count(session) == 0


def test_line_breaks_are_kept_in_the_grounds(client, session, bank) -> None:  # type: ignore[no-untyped-def]
    body, content_type = multipart_body(objection_form_data(bank, grounds="First line.\r\nSecond line.\tEnd."))
    assert client.post("/objections/new", data=body, content_type=content_type).status_code == 303
    assert session.scalar(select(Objection)).grounds == "First line.\r\nSecond line.\tEnd."


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/notices?q=%00%ff", None),
        ("get", "/notices/bank%00/scoring", None),
        ("get", "/objections/new?organization=%00&notice=" + "x" * 5000, None),
        ("get", "/objections/%00/receipt", None),
        ("get", "/track?reference=%00" + "y" * 500, None),
        ("get", "/track/link/" + "a" * 3000, None),
        ("get", "/track/%00", None),
        ("get", "/track/OB-2026-000001/attachments/99", None),
        ("post", "/track", {"reference": "\x00", "access_code": "x" * 70}),
        ("post", "/track", {"reference": "OB-2026-000001\x00", "access_code": "\x00"}),
        ("post", "/track/resend", {"reference": "x\x00", "email": "\x00@x"}),
        ("post", "/track/OB-2026-000001/withdraw", {"confirm": "y"}),
        ("post", "/track/OB-2026-000001/clarifications/1/reply", {"c1-reply": "x"}),
        ("post", "/objections/new", {"remedies": ["\x00", ""], "consent": "maybe", "language": "\x00"}),
        ("post", "/objections/new", {"decision_date": "9999-99-99", "nonce": "../../etc"}),
    ],
)
def test_malformed_requests_never_answer_500(client, bank, method, path, data) -> None:  # type: ignore[no-untyped-def]
    response = getattr(client, method)(path, data=data)
    assert response.status_code < 500


def test_a_link_for_an_objection_that_does_not_exist_is_refused(client, bank) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/track/link/{notify.tracking_token('OB-2030-000001')}").status_code == 404


FIELDS = ("organization", "notice", "full_name", "iin", "email", "phone", "language", "decision_reference")


@settings(max_examples=fuzz_examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.fixed_dictionaries(
        {},
        optional={name: st.text(max_size=40) for name in FIELDS}
        | {
            "decision_date": st.one_of(st.dates().map(str), st.text(max_size=12)),
            "grounds": st.text(max_size=300),
            "remedies": st.lists(st.sampled_from(["human_review", "explanation", "other", "", "x"]), max_size=3),
            "consent": st.sampled_from(["y", "", "on"]),
        },
    )
)
def test_random_form_data_is_either_filed_once_or_refused_without_a_row(client, session, bank, values) -> None:  # type: ignore[no-untyped-def]
    before = objections_count(session)
    data = objection_form_data(bank) | values
    body, content_type = multipart_body(data)
    response = client.post("/objections/new", data=body, content_type=content_type)
    assert response.status_code in (303, 422)
    assert objections_count(session) == before + (1 if response.status_code == 303 else 0)
