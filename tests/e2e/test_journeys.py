"""The journeys people make, in Chromium against the served app: a citizen files and tracks in kk, ru and en; an
operator answers; the citizen reads the answer and appeals; a supervisor finds a breach and exports it; and a
filing made with the keyboard alone. axe-core checks every page on the way."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from objections.services import demo
from objections.services.reports.exports import BREACH_HEADER
from tests.e2e.accessibility import Visitor
from tests.e2e.harness import LiveApp

pytestmark = pytest.mark.e2e

OpenVisitor = Callable[..., Visitor]
LOCALES = {"kk": "kk-KZ", "ru": "ru-RU", "en": "en-GB"}
PHONE = {"width": 390, "height": 844}
# The Russian journey runs on a phone-sized screen; the others on a desktop one.
SCREENS = {"kk": "desktop", "ru": "phone", "en": "desktop"}
VALID_IIN = "900101300017"
WRONG_IIN = "900101300018"  # one digit off: the check digit no longer matches
NOTICE_PATH = "/notices/dala-bank/credit-scoring"
REFERENCE = re.compile(r"OB-\d{4}-\d{6}")
GROUNDS = {
    "kk": "Несиеден автоматты түрде бас тартылды, табысым ескерілмеді.",
    "ru": "Мне автоматически отказали в кредите, не учтя мои доходы.",
    "en": "My loan was refused automatically; my income was not taken into account.",
}

# What the citizen's journey leaves for the operator's and the appeal: language -> (reference, access code).
FILED: dict[str, tuple[str, str]] = {}


def submit(page: Page) -> None:
    """Press the form's main button (the header's language buttons are submit buttons too)."""
    page.locator("main form button.primary[type=submit]").last.click()


def filed(language: str) -> tuple[str, str]:
    if language not in FILED:
        pytest.skip(f"the citizen's filing in {language} did not happen (see the filing journey)")
    return FILED[language]


def track(visitor: Visitor, reference: str, access_code: str) -> Page:
    """Open the tracking page with the reference and access code, as someone on a new device would."""
    page = visitor.goto("/track")
    page.fill("#reference", reference)
    page.fill("#access_code", access_code)
    submit(page)
    expect(page.locator("h1")).to_contain_text(reference)
    return page


def sign_in(visitor: Visitor, live_app: LiveApp, email: str, role: str) -> Page:
    """Password, then the TOTP code computed from the demo account's secret."""
    login = live_app.logins[email]
    page = visitor.goto("/login")
    visitor.check(f"{role}: sign-in")
    page.fill("#email", email)
    page.fill("#password", login.password)
    submit(page)
    expect(page).to_have_url(re.compile(r"/login/code$"))
    visitor.check(f"{role}: second factor")
    page.fill("#code", login.next_code())
    submit(page)
    expect(page.locator("nav.main-nav")).to_contain_text(email)
    return page


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_citizen_reads_a_notice_files_with_one_mistake_corrected_and_tracks(
    visitor_factory: OpenVisitor, language: str
) -> None:
    screen = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if SCREENS[language] == "phone" else {}
    tag = f"{language}, {SCREENS[language]}"
    citizen = visitor_factory(locale="en-GB", **screen)
    page = citizen.goto("/")
    page.locator(f".lang-switch button[value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    citizen.check(f"home ({tag})")

    page.locator("nav.main-nav a[href='/notices']").click()
    expect(page.locator("h1")).to_be_visible()
    citizen.check(f"notice register ({tag})")

    page.locator(f"main a[href='{NOTICE_PATH}']").click()
    expect(page.locator("h1")).to_have_text(demo.NOTICES["dala-bank"]["title"][language])
    citizen.check(f"notice ({tag})")

    page.locator("main a.button[href*='/objections/new']").first.click()
    expect(page.locator("#organization")).to_have_value("dala-bank")
    expect(page.locator("#notice")).to_have_value("dala-bank:credit-scoring")
    expect(page.locator("#language")).to_have_value(language)
    citizen.check(f"objection form ({tag})")

    page.fill("#grounds", GROUNDS[language])
    page.check("input[name=remedies][value=human_review]")
    page.fill("#full_name", "Асқар Бекұлы" if language == "kk" else "Test Subject")
    page.fill("#iin", WRONG_IIN)
    page.fill("#email", f"subject-{language}@example.kz")
    page.check("#consent")
    submit(page)

    # The one mistake: said beside the field and in the summary at the top, the rest of the form kept.
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a")).to_have_count(1)
    expect(summary.locator("a[href='#iin']")).to_be_visible()
    expect(page.locator("#iin-error")).to_be_visible()
    expect(page.locator("#iin")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#iin")).to_have_value(WRONG_IIN)
    expect(page.locator("#grounds")).to_have_value(GROUNDS[language])
    expect(page.locator("#consent")).to_be_checked()
    citizen.check(f"objection form with an error ({tag})")

    summary.locator("a[href='#iin']").click()
    expect(page.locator("#iin")).to_be_focused()
    page.fill("#iin", VALID_IIN)
    submit(page)

    expect(page).to_have_url(re.compile(r"/objections/OB-\d{4}-\d{6}/receipt$"))
    reference = page.locator("#reference").inner_text().strip()
    access_code = page.locator("#access-code").inner_text().strip()
    assert REFERENCE.fullmatch(reference)
    assert access_code
    expect(page.locator("#deadline")).not_to_be_empty()
    citizen.check(f"receipt ({tag})")

    # Later, on another device: the reference and the access code open the objection.
    device = visitor_factory(locale=LOCALES[language], **screen)
    page = track(device, reference, access_code)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("main")).to_contain_text(demo.NOTICES["dala-bank"]["title"][language])
    device.check(f"tracking ({tag})")

    citizen.assert_accessible()
    device.assert_accessible()
    FILED[language] = (reference, access_code)


def test_operator_signs_in_finds_the_case_assigns_decides_and_notifies(
    visitor_factory: OpenVisitor, live_app: LiveApp
) -> None:
    reference, _code = filed("kk")
    operator = visitor_factory(locale="en-GB")
    page = sign_in(operator, live_app, "operator@dala-bank.example.kz", "operator")
    expect(page.locator("h1")).to_contain_text("Queue")
    expect(page.locator("table.queue")).to_contain_text(reference)
    operator.check("operator: queue")

    page.fill("#q", reference)
    page.locator("form.filters button.primary").click()
    first = page.locator("table.queue tbody tr").first
    expect(first.locator("th a")).to_have_text(reference)
    operator.check("operator: queue searched")

    first.locator("th a").click()
    expect(page.locator("h1")).to_contain_text(reference)
    operator.check("operator: case")

    page.select_option("#assignee", "me")
    page.locator("form[action$='/assign'] button").click()
    expect(page.locator(".case-status")).to_contain_text("In review")
    expect(page.locator(".case-status")).to_contain_text("Aigerim Operator")
    operator.check("operator: case assigned")

    page.locator("a.button[href$='/decision']").click()
    expect(page.locator("h1")).to_contain_text(reference)
    operator.check("operator: decision")
    page.select_option("#outcome", "upheld_decision_retaken")
    page.fill("#reasoning", "A credit officer reviewed the application again with your income certificate.")
    page.fill("#actions_taken", "Decision taken again by a credit officer; new result: approved.")
    expect(page.locator("#language")).to_have_value("kk")
    page.locator("button[name=action][value=preview]").click()
    expect(page.locator("#preview-h")).to_be_visible()
    expect(page.locator(".mail-preview")).to_contain_text("credit officer")
    operator.check("operator: decision preview")

    page.locator("button[name=action][value=decide]").click()
    expect(page).to_have_url(re.compile(rf"/cases/{reference}$"))
    expect(page.locator(".flashes")).to_contain_text("e-mail queued")
    expect(page.locator(".case-status")).to_contain_text("Answered")
    operator.check("operator: case answered")
    operator.assert_accessible()


def test_citizen_reads_the_answer_and_the_appeal_routes_and_appeals(
    visitor_factory: OpenVisitor, live_app: LiveApp
) -> None:
    reference, access_code = filed("kk")
    citizen = visitor_factory(locale="kk-KZ")
    page = track(citizen, reference, access_code)
    expect(page.locator("#answer-heading")).to_be_visible()
    expect(page.locator("#outcome")).not_to_be_empty()
    expect(page.locator("main")).to_contain_text("credit officer")
    expect(page.locator("#appeal-routes")).to_have_text(live_app.appeal_routes("kk"))
    citizen.check("tracking with the answer (kk)")

    page.locator("form[action$='/appeal'] button").click()
    expect(page).to_have_url(re.compile(rf"/track/{reference}/summary$"))
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("main")).to_contain_text(live_app.appeal_routes("kk"))
    citizen.check("summary after the appeal (kk)")

    page = citizen.goto(f"/track/{reference}")
    expect(page.locator("form[action$='/appeal']")).to_have_count(0)
    citizen.assert_accessible()


def test_supervisor_sees_a_breach_drills_down_and_exports_csv(visitor_factory: OpenVisitor, live_app: LiveApp) -> None:
    supervisor = visitor_factory(locale="en-GB")
    page = sign_in(supervisor, live_app, "supervisor@authority.example.kz", "supervisor")
    expect(page.locator("h1")).to_have_text("Supervision overview")
    overdue = page.locator(".figure", has=page.locator("dt", has_text="Overdue now")).locator("dd")
    assert int(overdue.inner_text()) > 0
    supervisor.check("supervisor: overview")

    page.locator("nav.sub-nav a[href^='/supervisor/organizations']").click()
    expect(page.locator("table.org-table tbody tr")).to_have_count(2)
    supervisor.check("supervisor: organisations")

    page.locator("nav.sub-nav a[href^='/supervisor/breaches']").click()
    rows = page.locator("table.breach-table tbody tr")
    expect(rows.first).to_be_visible()
    overdue_row = rows.filter(has=page.locator(".standing-overdue")).first
    reference = overdue_row.locator("th a").inner_text().strip()
    supervisor.check("supervisor: breach log")

    overdue_row.locator("th a").click()
    expect(page.locator("h1")).to_contain_text(reference)
    expect(page.locator(".standing")).to_have_text("Overdue")
    assert re.search(r"\*{8}\d{4}", page.locator("main .iin").inner_text())
    assert not re.search(r"\d{12}", page.locator("main").inner_text())
    supervisor.check("supervisor: masked case")

    page.locator("main a[href*='/supervisor/breaches']").click()
    with page.expect_download() as download_info:
        page.locator("a[href*='/supervisor/exports/breaches.csv']").click()
    download = download_info.value
    assert download.suggested_filename.startswith("breaches-") and download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    records = list(csv.reader(io.StringIO(text)))
    assert tuple(records[0]) == BREACH_HEADER
    by_reference = {record[0]: dict(zip(BREACH_HEADER, record, strict=True)) for record in records[1:]}
    assert reference in by_reference
    assert by_reference[reference]["answered_at"] == ""
    assert re.fullmatch(r"\*{8}\d{4}", by_reference[reference]["iin"])
    assert not re.search(r"\b\d{12}\b", text)
    supervisor.assert_accessible()


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching `selector` has the focus; fail if it is not reached."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("selector => document.activeElement?.matches(selector) ?? false", selector):
            return
    raise AssertionError(f"{selector} was not reached with {limit} presses of Tab")


def test_a_citizen_files_an_objection_with_the_keyboard_alone(visitor_factory: OpenVisitor) -> None:
    citizen = visitor_factory(locale="en-GB")
    page = citizen.goto("/")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    expect(page.locator("a.skip-link")).to_be_visible()

    tab_to(page, "nav.main-nav a[href='/notices']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/notices$"))
    tab_to(page, f"main a[href='{NOTICE_PATH}']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"{NOTICE_PATH}$"))
    tab_to(page, "main a.button[href*='/objections/new']")
    page.keyboard.press("Enter")
    expect(page.locator("#organization")).to_have_value("dala-bank")
    citizen.check("objection form, keyboard (en)")

    tab_to(page, "#grounds")
    page.keyboard.type(GROUNDS["en"])
    tab_to(page, "input[name=remedies][value=human_review]")
    page.keyboard.press("Space")
    tab_to(page, "#full_name")
    page.keyboard.type("Keyboard User")
    tab_to(page, "#iin")
    page.keyboard.type(VALID_IIN)
    tab_to(page, "#email")
    page.keyboard.type("keyboard@example.kz")
    tab_to(page, "#consent")
    page.keyboard.press("Space")
    expect(page.locator("#consent")).to_be_checked()
    expect(page.locator("input[name=remedies][value=human_review]")).to_be_checked()
    tab_to(page, "main form button.primary[type=submit]")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.boxShadow]; }"
    )
    assert outline[0] != "none" or outline[1] != "none", f"the focused button shows no focus ring: {outline}"
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/objections/OB-\d{4}-\d{6}/receipt$"))
    expect(page.locator("#access-code")).not_to_be_empty()
    citizen.check("receipt, keyboard (en)")
    citizen.assert_accessible()


def test_staff_pages_fit_a_phone_screen(visitor_factory: OpenVisitor, live_app: LiveApp) -> None:
    """The operator's and the supervisor's pages reflow to a phone's width (tables scroll in their own box)."""
    reference, _code = filed("en")
    operator = visitor_factory(locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True)
    page = sign_in(operator, live_app, "operator@dala-bank.example.kz", "operator (phone)")
    operator.check("operator: queue (phone)")
    page = operator.goto(f"/cases/{reference}")
    operator.check("operator: case (phone)")
    page = operator.goto(f"/cases/{reference}/decision")
    page.select_option("#outcome", "upheld_processing_stopped")
    page.fill("#reasoning", "Automated processing of your application has been stopped.")
    page.fill("#actions_taken", "Automated scoring stopped for your applications.")
    page.locator("button[name=action][value=preview]").click()
    expect(page.locator("#preview-h")).to_be_visible()
    operator.check("operator: decision preview (phone)")

    supervisor = visitor_factory(locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True)
    page = sign_in(supervisor, live_app, "supervisor@authority.example.kz", "supervisor (phone)")
    supervisor.check("supervisor: overview (phone)")
    supervisor.goto("/supervisor/breaches")
    supervisor.check("supervisor: breach log (phone)")
    operator.assert_accessible()
    supervisor.assert_accessible()


def test_organisation_admin_writes_previews_publishes_and_revises_a_notice(
    visitor_factory: OpenVisitor, live_app: LiveApp
) -> None:
    """An organisation admin saves a half-written notice as a draft, finishes it in three languages, previews it in
    Kazakh as citizens will read it, publishes it, and revises it into version 2; a citizen finds it in the
    register."""
    admin = visitor_factory(locale="en-GB")
    page = sign_in(admin, live_app, "admin@dala-bank.example.kz", "organisation admin")
    page.locator("nav.main-nav a[href='/cases/notices']").click()
    expect(page.locator("h1")).to_have_text("Processing notices")
    admin.check("organisation admin: notices")

    page.locator("main a.button[href='/cases/notices/new']").click()
    for language, title in (("kk", "Лимитті қайта қарау"), ("ru", "Пересмотр лимита"), ("en", "Limit review")):
        page.fill(f"#title_{language}", title)
        for part in ("decided_automatically", "procedure", "data_used", "consequences", "how_to_object"):
            page.fill(f"#{part}_{language}", f"{part} — {language}")
    page.fill("#how_to_protect_kk", "Уәкілетті органға шағымдануға болады.")
    page.fill("#how_to_protect_ru", "Можно обжаловать в уполномоченный орган.")
    submit(page)  # no address given yet

    summary = page.locator("#error-summary")
    expect(summary.locator("a")).to_have_count(1)
    expect(summary.locator("a[href='#slug']")).to_be_visible()
    expect(page.locator("#title_kk")).to_have_value("Лимитті қайта қарау")
    admin.check("organisation admin: new notice with an error")
    page.fill("#slug", "limit-review")
    submit(page)  # "how to protect" is still missing in English: saved as a draft all the same
    expect(page).to_have_url(re.compile(r"/cases/notices/limit-review$"))
    expect(page.locator("main")).to_contain_text("Still to write before it can be published")
    expect(page.locator("main form button.primary")).to_have_count(0)  # nothing to publish yet
    admin.check("organisation admin: half-written draft")

    page.locator("main a.button[href='/cases/notices/limit-review/edit']").click()
    page.fill("#how_to_protect_en", "You may appeal to the authorized body.")
    page.select_option("#preview_language", "kk")
    page.locator("button[name=action][value=preview]").click()
    preview = page.locator("#preview .preview-frame")
    expect(preview.locator("h3.notice-title")).to_have_text("Лимитті қайта қарау")
    expect(preview).to_have_attribute("lang", "kk")
    admin.check("organisation admin: notice preview")

    submit(page)
    expect(page).to_have_url(re.compile(r"/cases/notices/limit-review$"))
    page.locator("main form button.primary").click()  # publish
    expect(page.locator(".flashes")).to_contain_text("The notice is published")
    admin.check("organisation admin: published notice")

    citizen = visitor_factory(locale="en-GB")
    register = citizen.goto("/notices")
    expect(register.locator("main a[href='/notices/dala-bank/limit-review']")).to_have_text("Limit review")

    page.locator("main a.button[href='/cases/notices/limit-review/edit']").click()
    expect(page.locator("main")).to_contain_text("saving makes version 2")
    page.fill("#title_en", "Credit limit review")
    submit(page)
    expect(page.locator(".flashes")).to_contain_text("Saved as version 2")
    admin.check("organisation admin: notice versions")
    notice_page = citizen.goto("/notices/dala-bank/limit-review")
    expect(notice_page.locator("h1")).to_have_text("Credit limit review")

    page.locator("nav.main-nav a[href='/cases/team']").click()
    expect(page.locator("main table")).to_contain_text("operator@dala-bank.example.kz")
    admin.check("organisation admin: team")
    admin.assert_accessible()


def test_administrator_pages_for_organisations_staff_and_calendar(
    visitor_factory: OpenVisitor, live_app: LiveApp
) -> None:
    administrator = visitor_factory(locale="en-GB")
    page = sign_in(administrator, live_app, "admin@objections.example.kz", "administrator")
    administrator.check("administrator: overview")
    page.locator("nav.main-nav a[href='/admin/organisations']").click()
    expect(page.locator("main table")).to_contain_text("dala-bank")
    administrator.check("administrator: organisations")
    page.locator("main table a[href^='/admin/organisations/']").first.click()
    expect(page.locator("h1")).to_be_visible()
    administrator.check("administrator: organisation")
    administrator.goto("/admin/users")
    administrator.check("administrator: staff accounts")
    row = page.locator("main table tr", has_text="operator@qorgan.example.kz")
    row.get_by_role("button", name="Deactivate").click()
    expect(page.locator("h1")).to_have_text("Deactivate operator@qorgan.example.kz?")
    administrator.check("administrator: asked before deactivating")
    page.get_by_role("link", name="Cancel: change nothing").click()
    expect(page.locator("main table tr", has_text="operator@qorgan.example.kz")).to_contain_text("Active")
    administrator.goto("/admin/calendar")
    administrator.check("administrator: working calendar")
    administrator.goto("/admin/outbox")
    administrator.check("administrator: outbox")
    administrator.assert_accessible()
