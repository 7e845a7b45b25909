"""The organisation admin's notice editor: writing in kk/ru/en, previewing as citizens see it, publishing, versions."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy import func, select

from objections.domain.notices import LANGUAGES, TEXT_FIELDS
from objections.models import ProcessingNotice
from tests.auth_helpers import login_as
from tests.builders import make_notice, make_organization, make_user


@pytest.fixture
def world(session):
    organization = make_organization(session)
    other = make_organization(session, slug="other-org")
    make_notice(session, other, slug="their-scoring")
    admin = make_user(session, role="org_admin", organization=organization)
    operator = make_user(session, role="operator", organization=organization)
    session.commit()
    return {"org": organization, "admin": admin, "operator": operator}


def signed_in(app, user):
    client = app.test_client()
    client.set_cookie("lang", "en")
    login_as(client, user)
    return client


def notice_form(**changes: str) -> dict[str, str]:
    form = {f"{part}_{lang}": f"{part} text in {lang}" for part in TEXT_FIELDS for lang in LANGUAGES}
    form.update(
        {
            "slug": "loan-scoring",
            "title_kk": "Несие скорингі",
            "title_ru": "Кредитный скоринг",
            "title_en": "Loan scoring",
            "legal_basis": "consent",
            "risk_class": "high",
            "autonomy_class": "semi_autonomous",
            "preview_language": "kk",
            "action": "save",
        }
    )
    form.update(changes)
    return form


def text(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def test_a_draft_with_missing_translations_is_saved_named_in_the_preview_and_not_published(app, world, session) -> None:
    client = signed_in(app, world["admin"])
    gaps = notice_form(title_ru="", procedure_kk="", procedure_ru="")
    preview = text(client.post("/cases/notices/new", data={**gaps, "action": "preview", "preview_language": "kk"}))
    assert "Not yet written in Қазақша: How the decision is made." in preview
    saved = client.post("/cases/notices/new", data=gaps)
    assert saved.status_code == 303
    page = text(client.get("/cases/notices/loan-scoring"))
    assert "Still to write before it can be published" in page
    assert (
        "Қазақша</span>: How the decision is made" in page and "Русский</span>: Title, How the decision is made" in page
    )
    assert ">Publish</button>" not in page
    refused = client.post("/cases/notices/loan-scoring/publish")  # pressed anyway (an old tab, a crafted request)
    assert "It cannot be published yet" in text(client.get(refused.headers["Location"]))
    notice = session.scalar(select(ProcessingNotice).where(ProcessingNotice.slug == "loan-scoring"))
    assert not notice.published
    untitled = client.post(
        "/cases/notices/new", data=notice_form(slug="untitled", title_kk="", title_ru="", title_en="")
    )
    assert untitled.status_code == 422 and "Give the notice a title in at least one language." in text(untitled)


def test_the_preview_shows_the_notice_exactly_as_the_citizen_page_in_the_chosen_language(app, world, session) -> None:
    client = signed_in(app, world["admin"])
    response = client.post("/cases/notices/new", data=notice_form(action="preview", preview_language="kk"))
    assert response.status_code == 200
    page = text(response)
    preview = page[page.index('class="preview-frame"') :]
    assert '<h3 class="notice-title">Несие скорингі</h3>' in preview
    assert "Автоматты түрде не шешіледі" in preview  # the citizen page's heading, in Kazakh
    assert "decided_automatically text in kk" in preview
    assert (
        session.scalar(
            select(func.count()).select_from(ProcessingNotice).where(ProcessingNotice.slug == "loan-scoring")
        )
        == 0
    )

    client.post("/cases/notices/new", data=notice_form())
    client.post("/cases/notices/loan-scoring/publish")
    citizen = app.test_client()
    citizen.set_cookie("lang", "kk")
    public = text(citizen.get(f"/notices/{world['org'].slug}/loan-scoring"))
    citizen_body = public[public.index('<dl class="facts">') : public.index("</dl>")]
    preview_body = preview[preview.index('<dl class="facts">') : preview.index("</dl>")]
    assert citizen_body == preview_body
    assert '<h1 class="notice-title">Несие скорингі</h1>' in public


def test_draft_publish_edit_and_versions_end_to_end(app, world, session) -> None:
    client = signed_in(app, world["admin"])
    citizen = app.test_client()
    citizen.set_cookie("lang", "en")
    created = client.post("/cases/notices/new", data=notice_form())
    assert created.status_code == 303 and created.headers["Location"].endswith("/cases/notices/loan-scoring")
    assert citizen.get(f"/notices/{world['org'].slug}/loan-scoring").status_code == 404
    assert "Loan scoring" not in text(citizen.get("/notices"))

    client.post("/cases/notices/loan-scoring/publish")
    assert citizen.get(f"/notices/{world['org'].slug}/loan-scoring").status_code == 200
    assert "Loan scoring" in text(citizen.get("/objections/new"))

    edit_page = text(client.get("/cases/notices/loan-scoring/edit"))
    assert 'name="expected_version" type="hidden" value="1"' in edit_page
    assert "saving makes version 2" in edit_page
    saved = client.post(
        "/cases/notices/loan-scoring/edit", data=notice_form(title_en="Loan scoring, revised", expected_version="1")
    )
    assert saved.status_code == 303
    detail = text(client.get("/cases/notices/loan-scoring"))
    assert "Saved as version 2" in detail
    assert re.search(r"<th scope=\"row\">2 \(current\)</th>", detail)
    assert "Loan scoring, revised" in text(citizen.get(f"/notices/{world['org'].slug}/loan-scoring"))
    old = text(client.get("/cases/notices/loan-scoring?version=1&language=en"))
    assert '<h3 class="notice-title">Loan scoring</h3>' in old

    stale = client.post("/cases/notices/loan-scoring/edit", data=notice_form(title_en="Kept", expected_version="1"))
    assert stale.status_code == 409
    stale_page = text(stale)
    assert "Someone else saved this notice" in stale_page and 'value="Kept"' in stale_page
    assert 'name="expected_version" type="hidden" value="2"' in stale_page
    same = client.post(
        "/cases/notices/loan-scoring/edit",
        data=notice_form(title_en="Loan scoring, revised", expected_version="2"),
    )
    assert "Nothing was changed" in text(client.get(same.headers["Location"]))
    assert (
        session.scalar(
            select(func.count()).select_from(ProcessingNotice).where(ProcessingNotice.slug == "loan-scoring")
        )
        == 2
    )

    asked = client.post("/cases/notices/loan-scoring/unpublish").get_data(as_text=True)
    assert "from the register?" in asked and "Objections already filed against it are not affected." in asked
    assert citizen.get(f"/notices/{world['org'].slug}/loan-scoring").status_code == 200
    client.post("/cases/notices/loan-scoring/unpublish", data={"confirmed": "yes"})
    assert citizen.get(f"/notices/{world['org'].slug}/loan-scoring").status_code == 410


def test_operators_without_the_admin_role_cannot_open_the_editor(app, world) -> None:
    client = signed_in(app, world["operator"])
    assert client.get("/cases/notices").status_code == 403
    assert client.post("/cases/notices/new", data=notice_form()).status_code == 403


def test_another_organisations_notice_is_not_found(app, world) -> None:
    client = signed_in(app, world["admin"])
    assert client.get("/cases/notices/their-scoring").status_code == 404
    assert client.get("/cases/notices/their-scoring/edit").status_code == 404
    assert client.post("/cases/notices/their-scoring/unpublish").status_code == 404
    assert "their-scoring" not in text(client.get("/cases/notices"))


def test_unknown_choices_and_bad_versions_never_cause_a_server_error(app, world) -> None:
    client = signed_in(app, world["admin"])
    assert client.post("/cases/notices/new", data=notice_form(risk_class="extreme")).status_code == 422
    assert (
        client.post("/cases/notices/new", data=notice_form(preview_language="xx", action="preview")).status_code == 422
    )
    client.post("/cases/notices/new", data=notice_form())
    garbled = client.post("/cases/notices/loan-scoring/edit", data=notice_form(expected_version="not-a-number"))
    assert garbled.status_code == 303
    assert client.get("/cases/notices/loan-scoring?version=99").status_code == 404
    assert client.get("/cases/notices/loan-scoring?language=zz").status_code == 200
