"""Browser journeys: the real app served by gunicorn on 127.0.0.1 with a seeded temporary database, Debian's
Chromium driven by Playwright, and axe-core checking every page the journeys visit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.e2e.accessibility import AXE_LOG, Visitor
from tests.e2e.harness import AXE_CACHE, CHROMIUM, LiveApp, axe_file, launch_chromium, serve_demo
from tests.postgres import in_ci

MISSING_HELP = "run `bash scripts/browser.sh` (installs Debian's chromium and fetches axe-core)"


def _missing(what: str) -> None:
    """Skip locally; fail under CI, where the journeys must run."""
    message = f"{what}: {MISSING_HELP}"
    if in_ci():
        pytest.fail(f"CI is set and {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing")
    if axe_file() is None:
        _missing(f"axe-core is missing under {AXE_CACHE}")
    return CHROMIUM


@pytest.fixture(scope="module")
def live_app(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """gunicorn with two workers on 127.0.0.1 (a free port), on a fresh SQLite file with the demo seeded."""
    with serve_demo(tmp_path_factory.mktemp("e2e")) as app:
        yield app


@pytest.fixture(scope="module")
def playwright_driver(chromium_path: Path) -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright_driver: Playwright, chromium_path: Path) -> Iterator[Browser]:
    launched = launch_chromium(playwright_driver)
    try:
        yield launched
    finally:
        launched.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not AXE_LOG.checks:
        return
    terminalreporter.section("axe-core: serious and critical violations per page")
    width = max(len(c.name) for c in AXE_LOG.checks)
    terminalreporter.write_line(f"{'page':<{width}}  critical  serious  (moderate, minor)  path")
    for check in AXE_LOG.checks:
        c = check.counts
        terminalreporter.write_line(
            f"{check.name:<{width}}  {c.get('critical', 0):>8}  {c.get('serious', 0):>7}  "
            f"{'(' + str(c.get('moderate', 0)) + ', ' + str(c.get('minor', 0)) + ')':<17}  {check.url}"
        )
        for line in check.violations:
            terminalreporter.write_line(f"    {line}")
        if check.overflow:
            terminalreporter.write_line(f"    wider than the screen: {', '.join(check.overflow)}")
    total = sum(check.blocking for check in AXE_LOG.checks)
    terminalreporter.write_line(f"{len(AXE_LOG.checks)} pages checked; {total} serious or critical violations")


@pytest.fixture
def visitor_factory(browser: Browser, live_app: LiveApp) -> Iterator:
    """Open a fresh browser context (a new person or device) with `visitor_factory(locale=..., viewport=...)`."""
    opened: list[Visitor] = []

    def open_visitor(locale: str = "en-GB", **options: object) -> Visitor:
        context = browser.new_context(locale=locale, **options)
        context.set_default_timeout(10_000)
        visitor = Visitor(context, live_app.url)
        opened.append(visitor)
        return visitor

    try:
        yield open_visitor
    finally:
        for visitor in opened:
            visitor.close()
