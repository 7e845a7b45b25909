"""`make screenshots`: key pages of the citizen, operator and supervisor, at phone and desktop widths, into
./screenshots/ (git-ignored), taken in Chromium from the app served on a seeded temporary database.

    .venv/bin/python scripts/screenshots.py [--language kk|ru|en] [--out DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import BrowserContext, Page, sync_playwright  # noqa: E402

from tests.e2e.harness import CHROMIUM, LiveApp, launch_chromium, serve_demo  # noqa: E402

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
LOCALES = {"kk": "kk-KZ", "ru": "ru-RU", "en": "en-GB"}


class Camera:
    """Shoots the page as it is at every width, numbering the files in the order taken."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.count = 0

    def shoot(self, page: Page, name: str) -> None:
        self.count += 1
        for width_name, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            page.wait_for_load_state("load")
            page.screenshot(path=str(self.out / f"{self.count:02d}-{name}-{width_name}.png"), full_page=True)
        print(f"  {self.count:02d} {name}  {page.url}")


def submit(page: Page) -> None:
    page.locator("main form button.primary[type=submit]").last.click()
    page.wait_for_load_state("load")


def sign_in(context: BrowserContext, app: LiveApp, email: str, camera: Camera | None = None) -> Page:
    page = context.new_page()
    page.goto(f"{app.url}/login")
    if camera:
        camera.shoot(page, "staff-sign-in")
    page.fill("#email", email)
    page.fill("#password", app.logins[email].password)
    submit(page)
    page.fill("#code", app.logins[email].next_code())
    submit(page)
    return page


def citizen_pages(context: BrowserContext, app: LiveApp, camera: Camera) -> tuple[str, str]:
    page = context.new_page()
    page.goto(f"{app.url}/")
    camera.shoot(page, "home")
    page.goto(f"{app.url}/notices")
    camera.shoot(page, "notice-register")
    page.goto(f"{app.url}/notices/dala-bank/credit-scoring")
    camera.shoot(page, "notice")
    page.locator("main a.button[href*='/objections/new']").first.click()
    page.wait_for_load_state("load")
    camera.shoot(page, "objection-form")
    page.fill("#grounds", "My loan was refused automatically; my income was not taken into account.")
    page.check("input[name=remedies][value=human_review]")
    page.fill("#full_name", "Asqar Bekuly")
    page.fill("#iin", "900101300018")
    page.fill("#email", "subject@example.kz")
    page.check("#consent")
    submit(page)
    camera.shoot(page, "objection-form-error")
    page.fill("#iin", "900101300017")
    submit(page)
    camera.shoot(page, "receipt")
    reference = page.locator("#reference").inner_text().strip()
    access_code = page.locator("#access-code").inner_text().strip()
    page.goto(f"{app.url}/track")
    camera.shoot(page, "track-lookup")
    page.goto(f"{app.url}/track/{reference}")
    camera.shoot(page, "tracking")
    return reference, access_code


def operator_pages(context: BrowserContext, app: LiveApp, camera: Camera, reference: str) -> None:
    page = sign_in(context, app, "operator@dala-bank.example.kz", camera)
    camera.shoot(page, "operator-queue")
    page.goto(f"{app.url}/cases/{reference}")
    camera.shoot(page, "operator-case")
    page.select_option("#assignee", "me")
    page.locator("form[action$='/assign'] button").click()
    page.goto(f"{app.url}/cases/{reference}/decision")
    page.select_option("#outcome", "upheld_decision_retaken")
    page.fill("#reasoning", "A credit officer reviewed the application again with your income certificate.")
    page.fill("#actions_taken", "Decision taken again by a credit officer; new result: approved.")
    page.locator("button[name=action][value=preview]").click()
    page.wait_for_load_state("load")
    camera.shoot(page, "operator-decision-preview")
    page.locator("button[name=action][value=decide]").click()
    page.wait_for_load_state("load")
    camera.shoot(page, "operator-case-answered")


def answered_pages(context: BrowserContext, app: LiveApp, camera: Camera, reference: str) -> None:
    page = context.new_page()
    page.goto(f"{app.url}/track/{reference}")
    camera.shoot(page, "tracking-answered")
    page.goto(f"{app.url}/track/{reference}/summary")
    camera.shoot(page, "summary")


def supervisor_pages(context: BrowserContext, app: LiveApp, camera: Camera) -> None:
    page = sign_in(context, app, "supervisor@authority.example.kz")
    camera.shoot(page, "supervisor-overview")
    page.goto(f"{app.url}/supervisor/organizations")
    camera.shoot(page, "supervisor-organisations")
    page.goto(f"{app.url}/supervisor/breaches")
    camera.shoot(page, "supervisor-breach-log")
    link = page.locator("table.breach-table tbody th a").first
    if link.count():
        link.click()
        page.wait_for_load_state("load")
        camera.shoot(page, "supervisor-case")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=sorted(LOCALES), default="en", help="the citizen pages' language")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: run `bash scripts/browser.sh` first", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.png"):
        if re.fullmatch(r"\d\d-.+-(phone|desktop)\.png", old.name):
            old.unlink()
    started = time.monotonic()
    camera = Camera(args.out)
    with (
        tempfile.TemporaryDirectory(prefix="screenshots-") as tmp,
        serve_demo(Path(tmp)) as app,
        sync_playwright() as driver,
    ):
        browser = launch_chromium(driver)
        try:
            citizen = browser.new_context(locale=LOCALES[args.language])
            reference, _code = citizen_pages(citizen, app, camera)
            operator_pages(browser.new_context(locale="en-GB"), app, camera, reference)
            answered_pages(citizen, app, camera, reference)
            supervisor_pages(browser.new_context(locale="en-GB"), app, camera)
        finally:
            browser.close()
    print(f"{camera.count * len(VIEWPORTS)} screenshots in {args.out} ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
