"""The objection form, in kk, ru and en: every validation error, one transaction per filing, the receipt."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from objections.domain import deadlines
from objections.domain.timefmt import format_local_datetime
from objections.extensions import db
from objections.models import Attachment, IdempotencyRecord, Notification, Objection, ObjectionEvent
from objections.services import attachments, intake
from objections.services.deadlines import load_calendar
from objections.web import labels
from tests.builders import (
    VALID_IINS,
    make_notice,
    make_organization,
    make_user,
    multipart_body,
    objection_form_data,
    pdf_bytes,
    png_bytes,
)

# Friday 20 March 2026, 19:30 UTC: already Saturday 21 March (Nauryz) in Astana.
FRIDAY_NIGHT = datetime(2026, 3, 20, 19, 30, tzinfo=UTC)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A browser that reads English unless a test picks another language (messages are compared in English)."""
    browser = app.test_client()
    browser.set_cookie("lang", "en")
    return browser


@pytest.fixture
def bank(session):  # type: ignore[no-untyped-def]
    organization = make_organization(session, slug="bank")
    make_notice(session, organization, slug="scoring")
    make_user(session, organization=organization, email="operator@bank.example.kz")
    other = make_organization(session, slug="other")
    make_notice(session, other, slug="pricing")
    session.commit()
    return organization


def count(session, model) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def message(client: FlaskClient, code: str, language: str = "en") -> str:
    with client.application.test_request_context(f"/?lang={language}"):
        return str(escape(str(labels.ERROR[code])))


def file(client: FlaskClient, data: dict):  # type: ignore[no-untyped-def]
    body, content_type = multipart_body(data)
    return client.post("/objections/new", data=body, content_type=content_type)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_form_is_in_the_page_language_and_defaults_the_answer_language(client, bank, language) -> None:  # type: ignore[no-untyped-def]
    client.set_cookie("lang", language)
    page = client.get("/objections/new").get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    assert f'<option selected value="{language}">' in page
    assert 'enctype="multipart/form-data"' in page
    assert re.search(r'<input id="nonce" name="nonce" type="hidden" value="[A-Za-z0-9_-]{16,}">', page)


def test_accept_language_picks_the_form_language(app, bank) -> None:  # type: ignore[no-untyped-def]
    page = (
        app.test_client().get("/objections/new", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).get_data(as_text=True)
    )
    assert '<html lang="ru">' in page
    assert '<option selected value="ru">' in page


def test_the_form_ties_labels_to_inputs_and_groups_the_remedies(client, bank) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/objections/new?lang=en").get_data(as_text=True)
    for name in ("organization", "notice", "full_name", "iin", "email", "phone", "language", "grounds", "consent"):
        assert f'<label for="{name}">' in page and f'id="{name}"' in page
    assert '<fieldset class="field checkbox-group" id="remedies"' in page
    assert "<legend>What you ask the organisation to do</legend>" in page
    assert page.count('type="checkbox" value=') >= 5
    assert "<script" not in page and "style=" not in page


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_filing_creates_one_objection_one_received_event_and_the_outbox_messages(client, session, bank, language):  # type: ignore[no-untyped-def]
    client.set_cookie("lang", language)
    with time_machine.travel(FRIDAY_NIGHT, tick=False):
        response = file(client, objection_form_data(bank, notice="bank:scoring", language=language))
    assert response.status_code == 303
    objection = session.scalar(select(Objection))
    assert response.headers["Location"] == f"/objections/{objection.reference}/receipt"
    assert count(session, Objection) == 1
    events = session.scalars(select(ObjectionEvent).where(ObjectionEvent.objection_id == objection.id)).all()
    assert [e.kind for e in events] == ["received"]
    outbox = {(n.kind, n.recipient) for n in session.scalars(select(Notification))}
    assert outbox == {
        ("receipt", "subject@example.kz"),
        ("new_objection", "operator@bank.example.kz"),
        ("new_objection", bank.contact_email),
    }
    assert objection.channel == "web"
    assert objection.language == language
    assert objection.notice.slug == "scoring"
    assert objection.received_at == FRIDAY_NIGHT


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_receipt_shows_the_reference_code_received_time_and_the_engines_deadline(client, session, bank, language):  # type: ignore[no-untyped-def]
    client.set_cookie("lang", language)
    with time_machine.travel(FRIDAY_NIGHT, tick=False):
        filed = file(client, objection_form_data(bank))
        response = client.get(filed.headers["Location"])
    page = response.get_data(as_text=True)
    objection = session.scalar(select(Objection))
    expected = deadlines.compute(FRIDAY_NIGHT, load_calendar(session), "calendar_days")
    assert response.status_code == 200
    assert f'<html lang="{language}">' in page
    assert objection.reference in page
    assert f'<strong id="deadline">{escape(deadlines.format_deadline(expected, language))}</strong>' in page
    for line in expected.explanation(language):
        assert str(escape(line)) in page
    assert str(escape(format_local_datetime(FRIDAY_NIGHT, language))) in page
    code = re.search(r'<strong class="access-code" id="access-code">([A-Z0-9-]+)</strong>', page).group(1)
    assert intake.find_by_reference(session, objection.reference, code) == objection
    assert "/track/link/" in page
    stylesheet = Path(client.application.static_folder, "css", "app.css").read_text()
    assert "@media print" in stylesheet and "long-link" in page


def test_the_deadline_counts_from_the_local_day_of_receipt(client, session, bank) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(FRIDAY_NIGHT, tick=False):
        file(client, objection_form_data(bank))
    objection = session.scalar(select(Objection))
    assert objection.deadline_at == deadlines.compute(FRIDAY_NIGHT, load_calendar(session)).deadline_at
    assert objection.last_day > datetime(2026, 3, 24).date()  # Saturday receipt over Nauryz: past Tuesday 24th


def test_the_access_code_is_shown_once(client, session, bank) -> None:  # type: ignore[no-untyped-def]
    location = file(client, objection_form_data(bank)).headers["Location"]
    assert 'id="access-code"' in client.get(location).get_data(as_text=True)
    again = client.get(location).get_data(as_text=True)
    assert 'id="access-code"' not in again
    assert session.scalar(select(Objection)).reference in again


def test_another_browser_cannot_open_the_receipt(app, client, session, bank) -> None:  # type: ignore[no-untyped-def]
    location = file(client, objection_form_data(bank)).headers["Location"]
    response = app.test_client().get(location)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/track?reference=OB-")


def test_the_same_form_sent_twice_files_once_and_shows_the_same_receipt(app, session, bank) -> None:  # type: ignore[no-untyped-def]
    data = objection_form_data(bank)
    first, second = app.test_client(), app.test_client()
    one = file(first, dict(data))
    two = file(second, dict(data))
    assert one.status_code == two.status_code == 303
    assert one.headers["Location"] == two.headers["Location"]
    assert count(session, Objection) == 1
    assert count(session, IdempotencyRecord) == 1
    codes = [
        re.search(r'id="access-code">([A-Z0-9-]+)<', c.get(one.headers["Location"]).get_data(as_text=True)).group(1)
        for c in (first, second)
    ]
    assert codes[0] == codes[1]


def miss_the_first_idempotency_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the first request had not committed yet when the second one looked for its key."""
    real_get = Session.get
    missed: list[object] = []

    def get(self: Session, entity: object, ident: object, **kwargs: object) -> object:
        if entity is IdempotencyRecord and not missed:
            missed.append(ident)
            return None
        return real_get(self, entity, ident, **kwargs)

    monkeypatch.setattr(Session, "get", get)


def test_a_concurrent_duplicate_that_loses_the_race_answers_with_the_first_filing(client, session, bank, monkeypatch):  # type: ignore[no-untyped-def]
    data = objection_form_data(bank)
    first = file(client, dict(data, attachments=[(io.BytesIO(png_bytes()), "a.png")]))
    kept = sorted(p.name for p in attachments.attachments_dir().iterdir())
    miss_the_first_idempotency_lookup(monkeypatch)
    again = file(client, dict(data, attachments=[(io.BytesIO(png_bytes()), "a.png")]))
    assert again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert count(session, Objection) == 1
    assert count(session, Notification) == 3
    assert count(session, Attachment) == 1
    assert sorted(p.name for p in attachments.attachments_dir().iterdir()) == kept


def test_files_are_removed_when_the_filing_transaction_fails(client, session, bank, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken_commit() -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(db.session, "commit", broken_commit)
    with pytest.raises(OperationalError):
        file(client, objection_form_data(bank, attachments=[(io.BytesIO(png_bytes()), "photo.png")]))
    monkeypatch.undo()
    assert count(session, Objection) == 0
    assert list(attachments.attachments_dir().iterdir()) == []


def test_different_forms_file_different_objections(client, session, bank) -> None:  # type: ignore[no-untyped-def]
    assert file(client, objection_form_data(bank)).status_code == 303
    assert file(client, objection_form_data(bank)).status_code == 303
    assert count(session, Objection) == 2


def test_a_missing_nonce_still_files(client, session, bank) -> None:  # type: ignore[no-untyped-def]
    data = objection_form_data(bank)
    del data["nonce"]
    assert file(client, data).status_code == 303
    assert count(session, Objection) == 1


FIELD_ERRORS = [
    ("organization", {"organization": ""}, "required"),
    ("organization", {"organization": "no-such-org"}, "unknown"),
    ("notice", {"notice": "bank:no-such-notice"}, "unknown"),
    ("notice", {"notice": "other:pricing"}, "notice_other_organization"),
    ("full_name", {"full_name": ""}, "required"),
    ("full_name", {"full_name": "x" * 301}, "too_long"),
    ("iin", {"iin": ""}, "required"),
    ("iin", {"iin": "9001013000ab"}, "iin_digits"),
    ("iin", {"iin": "900101"}, "iin_length"),
    ("iin", {"iin": VALID_IINS[0][:-1] + "8"}, "iin_checksum"),
    ("iin", {"iin": "9" * 21}, "too_long"),
    ("email", {"email": ""}, "required"),
    ("email", {"email": "not-an-address"}, "invalid_email"),
    ("email", {"email": "a" * 250 + "@x.kz"}, "too_long"),
    ("phone", {"phone": "call me"}, "invalid_phone"),
    ("phone", {"phone": "1" * 33}, "too_long"),
    ("language", {"language": "de"}, "unknown"),
    ("decision_reference", {"decision_reference": "x" * 121}, "too_long"),
    ("decision_date", {"decision_date": "13.03.2026"}, "invalid_date"),
    ("decision_date", {"decision_date": "2030-01-01"}, "in_future"),
    ("grounds", {"grounds": "  "}, "required"),
    ("grounds", {"grounds": "x" * 5001}, "too_long"),
    ("remedies", {"remedies": []}, "required"),
    ("remedies", {"remedies": ["money"]}, "unknown"),
    ("consent", {"consent": None}, "consent_required"),
    ("attachments", {"attachments": [(io.BytesIO(b"plain text"), "decision.pdf")]}, "file_type"),
]


@pytest.mark.parametrize(("field", "values", "code"), FIELD_ERRORS)
def test_each_error_shows_beside_its_field_and_in_the_summary_and_writes_nothing(
    client, session, bank, field, values, code
):  # type: ignore[no-untyped-def]
    data = objection_form_data(bank, **values)
    data = {k: v for k, v in data.items() if v is not None}
    with time_machine.travel(datetime(2026, 3, 16, 6, 0, tzinfo=UTC), tick=False):
        response = file(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="error-message" id="{field}-error">{message(client, code)} </p>' in page
    assert f'<li><a href="#{field}">' in page
    assert 'aria-invalid="true"' in page or field == "remedies"
    assert count(session, Objection) == 0
    assert count(session, Notification) == 0
    assert count(session, ObjectionEvent) == 0


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_errors_are_in_the_page_language(client, bank, language) -> None:  # type: ignore[no-untyped-def]
    client.set_cookie("lang", language)
    page = file(client, objection_form_data(bank, iin="900101")).get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    assert message(client, "iin_length", language) in page


def test_entered_values_are_kept_after_an_error(client, bank) -> None:  # type: ignore[no-untyped-def]
    data = objection_form_data(
        bank,
        iin="123",
        full_name="Әсел O'Hara",
        grounds="<b>They</b> refused me",
        remedies=["explanation", "other"],
        notice="bank:scoring",
        phone="+7 701 000 00 00",
        decision_date="2026-03-10",
    )
    page = file(client, data).get_data(as_text=True)
    assert 'value="Әсел O&#39;Hara"' in page
    assert "&lt;b&gt;They&lt;/b&gt; refused me</textarea>" in page
    assert re.search(r'<input checked id="remedies-3"', page)
    assert re.search(r'<input checked id="remedies-4"', page)
    assert not re.search(r'<input checked id="remedies-1"', page)
    assert '<option selected value="bank:scoring">' in page
    assert 'value="+7 701 000 00 00"' in page
    assert 'value="2026-03-10"' in page
    assert f'value="{data["nonce"]}"' in page


def test_extra_fields_cannot_set_what_the_form_does_not_offer(client, session, bank) -> None:  # type: ignore[no-untyped-def]
    data = objection_form_data(
        bank, status="closed", organization_id="999", received_at="2020-01-01T00:00:00", channel="paper"
    )
    assert file(client, data).status_code == 303
    objection = session.scalar(select(Objection))
    assert (objection.status, objection.channel, objection.organization_id) == ("received", "web", bank.id)


def test_other_automated_processing_files_without_a_notice(client, session, bank) -> None:  # type: ignore[no-untyped-def]
    assert file(client, objection_form_data(bank, notice="")).status_code == 303
    assert session.scalar(select(Objection)).notice_id is None


def test_a_chosen_notice_names_its_organisation_when_none_is_chosen(client, session, bank) -> None:  # type: ignore[no-untyped-def]
    assert file(client, objection_form_data(bank, organization="", notice="bank:scoring")).status_code == 303
    assert session.scalar(select(Objection)).organization_id == bank.id


def test_a_real_png_and_pdf_are_stored_and_the_subject_can_download_them(app, client, session, bank) -> None:  # type: ignore[no-untyped-def]
    files = [(io.BytesIO(png_bytes()), "photo.png"), (io.BytesIO(pdf_bytes()), "../../decision.pdf")]
    response = file(client, objection_form_data(bank, attachments=files))
    assert response.status_code == 303
    rows = session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [(r.original_name, r.content_type) for r in rows] == [
        ("photo.png", "image/png"),
        ("decision.pdf", "application/pdf"),
    ]
    stored = sorted(p.name for p in attachments.attachments_dir().iterdir())
    assert stored == sorted(r.stored_name for r in rows)
    reference = session.scalar(select(Objection)).reference
    page = client.get(f"/track/{reference}").get_data(as_text=True)
    assert f'href="/track/{reference}/attachments/{rows[1].id}"' in page
    with client.get(f"/track/{reference}/attachments/{rows[1].id}") as download:
        body = download.get_data()
    assert download.status_code == 200
    assert body == pdf_bytes()
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download.headers["Cache-Control"]
    assert app.test_client().get(f"/track/{reference}/attachments/{rows[1].id}").status_code == 404


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ([(io.BytesIO(b"%PDF-" + b"0" * attachments.MAX_FILE_BYTES), "big.pdf")], "file_too_large"),
        ([(io.BytesIO(png_bytes()), f"{n}.png") for n in range(4)], "too_many_files"),
        ([(io.BytesIO(b"<html>hello</html>"), "evil.pdf")], "file_type"),
    ],
)
def test_refused_attachments_file_nothing_and_store_nothing(client, session, bank, files, code) -> None:  # type: ignore[no-untyped-def]
    response = file(client, objection_form_data(bank, attachments=files))
    assert response.status_code == 422
    assert message(client, code) in response.get_data(as_text=True)
    assert count(session, Objection) == 0
    assert count(session, Attachment) == 0
    folder = attachments.attachments_dir()
    assert not folder.exists() or list(folder.iterdir()) == []
