"""The public register of notices and the notice page, in the page's language."""

from __future__ import annotations

import pytest
from markupsafe import escape

from objections.web import labels
from tests.builders import make_notice, make_organization


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A browser that reads English unless a test picks another language (messages are compared in English)."""
    browser = app.test_client()
    browser.set_cookie("lang", "en")
    return browser


def named_organization(session, slug: str, en: str, ru: str, kk: str, **values: object):  # type: ignore[no-untyped-def]
    organization = make_organization(session, slug=slug, **values)
    organization.name_en, organization.name_ru, organization.name_kk = en, ru, kk
    return organization


@pytest.fixture
def register(session):  # type: ignore[no-untyped-def]
    bank = named_organization(session, "bank", "Steppe Bank", "Степной банк", "Дала банкі")
    make_notice(session, bank, slug="scoring")
    make_notice(
        session,
        bank,
        slug="fraud",
        title={"kk": "Алаяқтықты анықтау", "ru": "Выявление мошенничества", "en": "Fraud detection"},
        risk_class="medium",
        autonomy_class="assistive",
        legal_basis="law",
    )
    make_notice(session, bank, slug="draft", published=False, title={"kk": "Жоба", "ru": "Черновик", "en": "Draft"})
    insurer = named_organization(session, "insurer", "Qorgan Insurance", "Корган Страхование", "Қорған Сақтандыру")
    make_notice(
        session, insurer, slug="pricing", title={"kk": "Баға белгілеу", "ru": "Ценообразование", "en": "Pricing"}
    )
    closed = named_organization(session, "closed", "Closed Ltd", "Закрыто", "Жабық", active=False)
    make_notice(session, closed, slug="old", title={"kk": "Ескі", "ru": "Старое", "en": "Old"})
    session.commit()
    return bank


@pytest.mark.parametrize(
    ("language", "title", "organisation"),
    [
        ("kk", "Алаяқтықты анықтау", "Дала банкі"),
        ("ru", "Выявление мошенничества", "Степной банк"),
        ("en", "Fraud detection", "Steppe Bank"),
    ],
)
def test_the_register_lists_published_notices_in_the_page_language(client, register, language, title, organisation):  # type: ignore[no-untyped-def]
    client.set_cookie("lang", language)
    page = client.get("/notices").get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    assert title in page and organisation in page
    assert 'href="/notices/bank/fraud"' in page and 'href="/notices/insurer/pricing"' in page


def test_the_register_hides_drafts_and_inactive_organisations(client, register) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/notices?lang=en").get_data(as_text=True)
    assert "Draft" not in page and "/notices/bank/draft" not in page
    assert "Closed Ltd" not in page


@pytest.mark.parametrize(
    ("language", "query", "shown", "hidden"),
    [
        ("en", "insur", ["/notices/insurer/pricing"], ["/notices/bank/"]),
        ("en", "FRAUD", ["/notices/bank/fraud"], ["/notices/bank/scoring", "/notices/insurer/"]),
        ("ru", "мошенн", ["/notices/bank/fraud"], ["/notices/insurer/"]),
        ("kk", "Қорған", ["/notices/insurer/pricing"], ["/notices/bank/"]),
        ("en", "steppe bank", ["/notices/bank/fraud", "/notices/bank/scoring"], ["/notices/insurer/"]),
    ],
)
def test_search_by_organisation_or_title_in_the_page_language(client, register, language, query, shown, hidden):  # type: ignore[no-untyped-def]
    page = client.get("/notices", query_string={"q": query, "lang": language}).get_data(as_text=True)
    for href in shown:
        assert href in page
    for href in hidden:
        assert href not in page


def test_a_search_matching_nothing_says_so(client, register) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/notices?lang=en&q=' OR 1=1 --")
    assert response.status_code == 200
    assert "No organisation or notice matches your search." in response.get_data(as_text=True)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_notice_page_shows_every_field_and_the_objection_link(client, register, language) -> None:  # type: ignore[no-untyped-def]
    client.set_cookie("lang", language)
    response = client.get("/notices/bank/scoring")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in page
    suffix = "" if language == "en" else f" ({language})"
    for word in ("Scoring", "Loan approval", "A model computes a score", "Credit history", "A refusal", "Consent"):
        assert f"{word}{suffix}" in page
    for word in ("Object here", "Appeal to the authorized body"):
        assert str(escape(f"{word}{suffix}")) in page
    with client.application.test_request_context(f"/?lang={language}"):
        for expected in (labels.RISK["high"], labels.AUTONOMY["semi_autonomous"], labels.LEGAL_BASIS["consent"]):
            assert str(escape(str(expected))) in page
    assert 'href="/objections/new?organization=bank&amp;notice=scoring"' in page


def test_the_notice_page_labels_other_classes(client, register) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/notices/bank/fraud?lang=en").get_data(as_text=True)
    assert "Medium risk" in page and "Assistive" in page and "A law" in page


@pytest.mark.parametrize(
    "path", ["/notices/bank/draft", "/notices/bank/nothing", "/notices/closed/old", "/notices/x/y"]
)
def test_unpublished_or_unknown_notices_are_not_found(client, register, path) -> None:  # type: ignore[no-untyped-def]
    assert client.get(path).status_code == 404


def test_object_to_this_processing_prefills_the_form(client, register) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/objections/new?organization=bank&notice=fraud&lang=en").get_data(as_text=True)
    assert '<option selected value="bank">' in page
    assert '<option selected value="bank:fraud">' in page


def test_the_register_lists_an_organisation_without_notices_with_a_link_to_object(client, session) -> None:  # type: ignore[no-untyped-def]
    named_organization(session, "quiet", "Quiet Org", "Тихая", "Тыныш")
    session.commit()
    page = client.get("/notices?lang=en").get_data(as_text=True)
    assert "Quiet Org" in page
    assert "This organisation has no notice in the register at present." in page
    assert 'href="/objections/new?organization=quiet"' in page


@pytest.mark.parametrize(
    ("language", "withdrawn", "object_to"),
    [
        ("en", "This notice was withdrawn", "Object to a decision of Steppe Bank"),
        ("ru", "Это разъяснение исключено из реестра", "Возразить против решения организации Степной банк"),
        ("kk", "Бұл түсіндірме тізілімнен алынды", "Дала банкі шешіміне қарсылық білдіру"),
    ],
)
def test_a_withdrawn_notices_old_link_says_so_and_still_leads_to_an_objection(
    client, session, register, language, withdrawn, object_to
) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from objections.services import notice_editor
    from tests.builders import make_user

    admin = make_user(session, role="org_admin", organization=register)
    notice_editor.set_published(
        session,
        actor=admin,
        organization_id=register.id,
        slug="scoring",
        published=False,
        now=datetime(2026, 3, 20, 12, tzinfo=UTC),
    )
    session.commit()
    client.set_cookie("lang", language)
    response = client.get("/notices/bank/scoring")
    page = response.get_data(as_text=True)
    assert response.status_code == 410
    assert withdrawn in page and object_to in page
    assert {"en": "20 March 2026", "ru": "20 марта 2026 г.", "kk": "2026 жылғы 20 наурыз"}[language] in page
    assert 'href="/objections/new?organization=bank"' in page
    assert "/notices/bank/scoring" not in client.get("/notices").get_data(as_text=True)
    assert client.get("/notices/bank/draft").status_code == 404  # a draft that never was public stays unknown
    scoring = notice_editor.current_notice(session, organization_id=register.id, slug="scoring")
    title_then = scoring.title[language]
    notice_editor.edit_notice(
        session,
        actor=admin,
        organization_id=register.id,
        slug="scoring",
        data=notice_editor.NoticeInput(
            texts={"title": {"en": "Half-written new title"}},
            legal_basis=scoring.legal_basis,
            risk_class=scoring.risk_class,
            autonomy_class=scoring.autonomy_class,
        ),
        expected_version=scoring.version,
        now=datetime(2026, 3, 21, 12, tzinfo=UTC),
    )
    session.commit()
    again = client.get("/notices/bank/scoring").get_data(as_text=True)
    assert title_then in again and "Half-written new title" not in again  # the public saw only the withdrawn one
