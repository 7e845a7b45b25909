"""The kk and ru catalogues: complete for every string in the code, placeholders intact, and what pages and e-mails
show. The pages read the committed catalogues, compiled for the test, so no `make translations` is needed first."""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import get_domain
from sqlalchemy import select

from objections.models import Notification
from objections.services import intake
from tests.builders import make_organization, objection_input

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LANGUAGES = ("kk", "ru")
# A %-directive as Python formats it (%(name)s, %(num)d, %%). Templates %-format every string, even without
# variables, so a stray "%" in a translation would break its page: it counts as a directive of its own.
DIRECTIVE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def directives(text: str) -> list[str]:
    return sorted(DIRECTIVE.findall(text) + ["%"] * DIRECTIVE.sub("", text).count("%"))


def committed(language: str) -> Catalog:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def forms(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("translations_script", ROOT / "scripts" / "translations.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The strings the code holds right now, extracted as `scripts/translations.py` does."""
    template = load_script().extract(tmp_path_factory.mktemp("extract") / "messages.pot")
    return read_po(io.BytesIO(template))


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed kk, ru and en catalogues compiled into a directory of their own."""
    directory = tmp_path_factory.mktemp("translations")
    for language in ("kk", "ru", "en"):
        target = directory / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "messages.mo").open("wb") as handle:
            write_mo(handle, committed(language))
    return directory


@pytest.fixture
def config_overrides(compiled: Path) -> dict:
    return {"BABEL_TRANSLATION_DIRECTORIES": str(compiled)}


@pytest.fixture
def translated(app):  # type: ignore[no-untyped-def]
    """Flask-Babel caches loaded catalogues per process by language alone: start and leave with an empty cache, so
    these tests read the catalogues compiled above and later tests read their own."""
    get_domain().cache.clear()
    yield app
    get_domain().cache.clear()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_in_the_code_has_a_translation(extracted: Catalog, language: str) -> None:
    catalog = committed(language)
    untranslated = []
    for message in extracted:
        if not message.id:
            continue
        entry = catalog.get(message.id, message.context)
        if entry is None or entry.fuzzy or not all(forms(entry)) or len(forms(entry)) < len(forms(message)):
            untranslated.append(message.id)
    assert untranslated == [], f"run scripts/translations.py and translate these in {language}"
    assert len(extracted) > 500


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_the_source(language: str) -> None:
    catalog = committed(language)
    differing = []
    for message in catalog:
        if not message.id:
            continue
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        allowed = [directives(source) for source in sources]
        if any(directives(form) not in allowed for form in forms(message)):
            differing.append(message.id)
    assert differing == []


def test_russian_plurals_have_three_forms_and_kazakh_two() -> None:
    assert committed("ru").num_plurals == 3
    assert committed("kk").num_plurals == 2
    for language in LANGUAGES:
        catalog = committed(language)
        for message in catalog:
            if isinstance(message.id, tuple):
                assert len(forms(message)) == catalog.num_plurals and all(forms(message)), message.id


def test_the_english_catalogue_leaves_every_string_to_the_source() -> None:
    assert all(not any(forms(message)) for message in committed("en") if message.id)


@pytest.mark.parametrize(
    ("language", "phrase"),
    [
        ("kk", "Сізге қатысты автоматтандырылған шешімге қарсылық білдіріңіз"),
        ("ru", "Возразите против автоматизированного решения, принятого о вас"),
    ],
    ids=LANGUAGES,
)
def test_the_home_page_speaks_the_chosen_language(translated, language: str, phrase: str) -> None:  # type: ignore[no-untyped-def]
    client = translated.test_client()
    client.set_cookie("lang", language)
    page = client.get("/").get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    assert phrase in page
    assert "Object to an automated decision about you" not in page
    assert "Skip to main content" not in page


@pytest.mark.parametrize(
    ("path", "kk", "ru", "english"),
    [
        ("/notices", "Автоматтандырылған өңдеу туралы түсіндірмелер тізілімі", "Реестр разъяснений", "Register of"),
        ("/objections/new", "Қарсылықты жіберу", "Отправить возражение", "Send the objection"),
        ("/track", "Қолжетімділік кодын жоғалттыңыз ба?", "Потеряли код доступа?", "Lost your access code?"),
        ("/login", "Қызметкерлер үшін кіру", "Вход для сотрудников", "Staff sign-in"),
    ],
    ids=["notices", "objection-form", "track", "login"],
)
def test_citizen_and_sign_in_pages_are_translated(translated, session, path: str, kk: str, ru: str, english: str):  # type: ignore[no-untyped-def]
    make_organization(session, slug="bank")
    session.commit()
    for language, phrase in (("kk", kk), ("ru", ru), ("en", english)):
        client = translated.test_client()
        client.set_cookie("lang", language)
        page = client.get(path).get_data(as_text=True)
        assert phrase in page, (language, path)
        if language != "en":
            assert english not in page, (language, path)


def test_a_form_error_is_shown_in_russian(translated) -> None:  # type: ignore[no-untyped-def]
    client = translated.test_client()
    client.set_cookie("lang", "ru")
    page = client.post("/track", data={"reference": "", "access_code": ""}).get_data(as_text=True)
    assert "Исправьте эти поля" in page
    assert "Это поле обязательно для заполнения." in page
    assert "This field is required." not in page


def test_russian_search_results_agree_with_the_number_found(translated, session) -> None:  # type: ignore[no-untyped-def]
    for slug, name in (("alpha", "Альфа Кредит"), ("beta", "Бета Кредит"), ("gamma", "Гамма Лизинг")):
        make_organization(session, slug=slug).name_ru = name
    session.commit()
    client = translated.test_client()
    client.set_cookie("lang", "ru")
    assert "найдена 1 организация" in client.get("/notices?q=Лизинг").get_data(as_text=True)
    assert "найдены 2 организации" in client.get("/notices?q=Кредит").get_data(as_text=True)


def test_the_receipt_email_is_written_in_the_objections_language(translated, session, now) -> None:  # type: ignore[no-untyped-def]
    organization = make_organization(session, slug="bank")
    filed = intake.file_objection(
        session, objection_input(organization, language="kk"), channel="web", now=now, policy="calendar_days"
    )
    session.commit()
    receipt = session.scalar(select(Notification).where(Notification.kind == "receipt"))
    reference = filed.objection.reference
    assert receipt.language == "kk"
    assert receipt.subject == f"{reference} қарсылығыңыз қабылданды"
    assert "Қарсылығыңыз қабылданды." in receipt.body_text
    assert f"Тіркеу нөмірі: {reference}" in receipt.body_text
    assert "Қолжетімділік коды: " in receipt.body_text
    assert "Тіркеу нөмірі" in receipt.body_html
    assert "Your objection has been received" not in receipt.body_text + receipt.body_html
