"""A person's browser for the journeys: its own context, and an axe-core check of each page it shows, recorded
for the table printed at the end of the run."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.sync_api import BrowserContext, ConsoleMessage, Page

from tests.e2e.harness import axe_file

AXE_ROUTE = "/__e2e__/axe.min.js"  # served by the browser context itself, so the page's CSP ('self') allows it
BLOCKING_IMPACTS = ("serious", "critical")
# The innermost elements reaching past the right edge of the screen, outside the scrolling table wrappers: a page
# must reflow to the screen's width without scrolling sideways.
WIDER_THAN_SCREEN = """() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    const wide = e => e.getBoundingClientRect().right > width + 1 && !e.closest(".table-scroll");
    return [...document.body.querySelectorAll("*")]
        .filter(e => wide(e) && ![...e.children].some(wide))
        .slice(0, 3)
        .map(e => [e.tagName.toLowerCase(), ...(e.getAttribute("class") || "").split(" ").filter(Boolean)].join("."));
}"""


@dataclass
class PageCheck:
    name: str
    url: str
    counts: dict[str, int]
    violations: list[str]
    console_errors: list[str]
    overflow: list[str]

    @property
    def blocking(self) -> int:
        return sum(self.counts.get(impact, 0) for impact in BLOCKING_IMPACTS)


@dataclass
class AxeLog:
    """Every page checked in this run, for the table printed at the end."""

    checks: list[PageCheck] = field(default_factory=list)


AXE_LOG = AxeLog()


class Visitor:
    """One person's browser (its own context: cookies, language) with an axe check of each page they see."""

    def __init__(self, context: BrowserContext, base_url: str) -> None:
        self.context = context
        self.base_url = base_url
        self.page: Page = context.new_page()
        self.checks: list[PageCheck] = []
        self._console: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self._console.append(str(error)))
        axe = axe_file()
        assert axe is not None
        context.route(f"**{AXE_ROUTE}", lambda route: route.fulfill(path=str(axe), content_type="text/javascript"))

    def _on_console(self, message: ConsoleMessage) -> None:
        # Resource errors (a 422 form page, a missing favicon) are the server's business; a refused inline style or
        # script is the page breaking its own Content-Security-Policy.
        if message.type == "error" and "Content Security Policy" in message.text:
            self._console.append(message.text)

    def goto(self, path: str) -> Page:
        self.page.goto(self.base_url + path)
        return self.page

    def check(self, name: str) -> PageCheck:
        """Run axe-core on the page as it is now and record its violations by impact."""
        page = self.page
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(url=AXE_ROUTE)
        violations = page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ["violations"]});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")), count: v.nodes.length,
                }));
            }"""
        )
        counts: dict[str, int] = {}
        lines = []
        for violation in violations:
            impact = violation["impact"] or "minor"
            counts[impact] = counts.get(impact, 0) + violation["count"]
            if impact in BLOCKING_IMPACTS:
                lines.append(
                    f"{impact}: {violation['id']} ({violation['help']}) x{violation['count']}: "
                    + "; ".join(violation["targets"])
                )
        path = re.sub(r"^https?://[^/]+", "", page.url)
        result = PageCheck(name, path, counts, lines, list(self._console), page.evaluate(WIDER_THAN_SCREEN))
        self._console.clear()
        self.checks.append(result)
        AXE_LOG.checks.append(result)
        return result

    def assert_accessible(self) -> None:
        """No page this visitor saw had a serious or critical axe violation, a script or CSP error, or content
        wider than the screen."""
        problems = [f"{c.name} ({c.url}): {line}" for c in self.checks for line in c.violations]
        problems += [f"{c.name} ({c.url}): console: {text}" for c in self.checks for text in c.console_errors]
        problems += [
            f"{c.name} ({c.url}): wider than the screen (WCAG 1.4.10 reflow): {', '.join(c.overflow)}"
            for c in self.checks
            if c.overflow
        ]
        assert not problems, "accessibility problems:\n" + "\n".join(problems)

    def close(self) -> None:
        self.context.close()
