"""What the browser journeys and `make screenshots` share: the served app on a seeded temporary database, the
demo staff logins with their TOTP codes, and Chromium launched the way this machine allows."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
from playwright.sync_api import Browser, Playwright

from objections import config, create_app
from objections.clock import utcnow
from objections.extensions import db
from objections.services import demo
from tests.conftest import TEST_KEYS, app_config
from tests.live_server import LiveServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM") or "/usr/bin/chromium")  # Debian's package (scripts/browser.sh)
AXE_CACHE = Path(__file__).resolve().parent / ".cache"
# The closed network refuses Chromium's background connections; these flags keep it from trying.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def axe_file() -> Path | None:
    """axe.min.js as scripts/browser.sh fetched it from the npm registry, or None."""
    found = sorted(AXE_CACHE.glob("axe-core-*/axe.min.js"))
    return found[-1] if found else None


@dataclass
class StaffLogin:
    email: str
    password: str
    totp_secret: str
    last_counter: int = -1

    def next_code(self) -> str:
        """A code the server accepts: the current one, or the next step's when the current one was used (a used
        code is refused, and the server also accepts the next step's)."""
        totp = pyotp.TOTP(self.totp_secret)
        moment = datetime.now(UTC)
        if totp.timecode(moment) <= self.last_counter:
            moment += timedelta(seconds=30 * (self.last_counter - totp.timecode(moment) + 1))
        self.last_counter = totp.timecode(moment)
        return totp.at(moment)


@dataclass
class LiveApp:
    url: str
    server: LiveServer
    logins: dict[str, StaffLogin]

    def log(self) -> str:
        return self.server.log()

    @staticmethod
    def appeal_routes(language: str) -> str:
        """The appeal routes the served app shows: the defaults, or instance/config.py's when it sets them."""
        return config.load(ROOT / "instance", dict(TEST_KEYS))["APPEAL_ROUTES"][language]


def seed_database(directory: Path) -> tuple[str, dict[str, StaffLogin]]:
    """A migrated SQLite file with the demo seeded now; its URL and the demo logins with their TOTP secrets."""
    from flask_migrate import upgrade

    path = directory / "objections.db"
    app = create_app(app_config(directory, path, OBJECTIONS_ENV="development"))
    with app.app_context():
        upgrade()
        demo.seed_demo(db.session, now=utcnow(), policy=app.config["DEADLINE_POLICY"])
        db.session.commit()
        logins = {
            login.email: StaffLogin(login.email, login.password, login.totp_secret)
            for login in demo.demo_logins(db.session)
        }
        db.session.remove()
        db.engine.dispose()
    return f"sqlite:///{path}", logins


@contextlib.contextmanager
def serve_demo(directory: Path, workers: int = 2) -> Iterator[LiveApp]:
    """gunicorn on 127.0.0.1 (a free port) on a fresh seeded SQLite file under `directory`; rate limits off."""
    url, logins = seed_database(directory)
    server = LiveServer(
        database_url=url,
        workers=workers,
        log_path=directory / "gunicorn.log",
        env={**TEST_KEYS, "OBJECTIONS_ENV": "development", "RATELIMIT_ENABLED": "0", "ACCESS_LOG": "off"},
    )
    server.start()
    try:
        yield LiveApp(url=server.url, server=server, logins=logins)
    finally:
        server.stop()


def launch_chromium(driver: Playwright) -> Browser:
    return driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
