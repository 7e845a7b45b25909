"""Fixtures: an app on a migrated database per test (SQLite, or PostgreSQL when TEST_DATABASE_URL is set), its
client, CLI runner and session, a PostgreSQL database on demand, and gunicorn serving the app."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session

from objections import create_app
from objections.extensions import db
from tests.live_server import LiveServer
from tests.postgres import PostgresServer, find_postgres_url, in_ci

TEST_KEYS = {"SECRET_KEY": "test-secret-key-0123456789abcdef", "DATA_KEY": "test-data-key-0123456789abcdef"}
FROZEN_NOW = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)  # Monday 16 March 2026, 11:00 in Astana

# The whole `app` fixture runs on PostgreSQL when this is set (scripts/test.sh sets it for its second run).
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or None
ON_POSTGRES = TEST_DATABASE_URL is not None


def app_config(tmp_path: Path, database: Path | str, **extra: object) -> dict:
    """Test settings; `database` is a SQLite file or a database URL."""
    url = database if isinstance(database, str) and "://" in database else f"sqlite:///{database}"
    return {
        "OBJECTIONS_ENV": "testing",
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": url,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,  # tests that check CSRF turn it on through config_overrides
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
        **TEST_KEYS,
        **extra,
    }


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: the test checks SQLite itself; skipped on PostgreSQL")


def pytest_report_header(config: pytest.Config) -> str:
    if ON_POSTGRES:
        return "database: PostgreSQL (TEST_DATABASE_URL); SQLite-only tests skip"
    return "database: SQLite (set TEST_DATABASE_URL=postgresql+psycopg://... to run on PostgreSQL)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, skip the tests that check SQLite itself: marked `sqlite_only` or named after SQLite."""
    if not ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="checks SQLite itself; this run uses PostgreSQL (TEST_DATABASE_URL)")
    for item in items:
        if item.get_closest_marker("sqlite_only") or "sqlite" in item.name.lower():
            item.add_marker(skip)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file upgraded by the migrations; each test works on a copy."""
    from flask_migrate import upgrade

    base = tmp_path_factory.mktemp("template")
    path = base / "template.db"
    app = create_app(app_config(base, path))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


@pytest.fixture
def database_path(tmp_path: Path, migrated_database: Path) -> Path:
    """A copy of the migrated SQLite file (skips on PostgreSQL: the test needs a SQLite file)."""
    if ON_POSTGRES:
        pytest.skip("needs a SQLite file; this run uses PostgreSQL (TEST_DATABASE_URL)")
    target = tmp_path / "objections.db"
    shutil.copy(migrated_database, target)
    return target


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """The PostgreSQL server the tests use, with a migrated template database made on first use. Skips when none
    is reachable, except under CI, where that is a failure."""
    url = find_postgres_url()
    if url is None:
        message = (
            "no PostgreSQL server: set TEST_DATABASE_URL or TEST_POSTGRES_URL, or start the local test cluster "
            "with `bash scripts/postgres.sh`"
        )
        if in_ci():
            pytest.fail(f"CI is set and {message}", pytrace=False)
        pytest.skip(message)
    server = PostgresServer(url, migrate=lambda target: _migrate(tmp_path_factory, target))
    try:
        yield server
    finally:
        server.close()


def _migrate(tmp_path_factory: pytest.TempPathFactory, url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(app_config(tmp_path_factory.mktemp("pg-template"), url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh migrated PostgreSQL database for a test that always needs PostgreSQL, whatever the run's engine."""
    name = postgres_server.create_database()
    try:
        yield postgres_server.url_for(name)
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of the database the `app` fixture uses: a copy of the migrated SQLite file, or a fresh PostgreSQL
    database made from the migrated template when TEST_DATABASE_URL is set."""
    if ON_POSTGRES:
        yield request.getfixturevalue("postgres_url")
    else:
        yield f"sqlite:///{request.getfixturevalue('database_path')}"


@pytest.fixture
def config_overrides() -> dict:
    """Override in a test module to change the app's configuration."""
    return {}


class EnglishClient(FlaskClient):
    """A test client whose browser asks for English unless a test says otherwise, so that assertions can read the
    English source strings; tests of other languages set a cookie or an Accept-Language header."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")


@pytest.fixture
def app(tmp_path: Path, database_url: str, config_overrides: dict) -> Iterator[Flask]:
    app = create_app(app_config(tmp_path, database_url, **config_overrides))
    app.test_client_class = EnglishClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def session(app: Flask) -> Session:
    return db.session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def now() -> datetime:
    return FROZEN_NOW


@pytest.fixture
def start_live_server(app: Flask, database_url: str, tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Start `gunicorn -w N wsgi:app` on 127.0.0.1 against the `app` fixture's database (rate limits off); each
    server is stopped at the end of the test. Commit what you seed before the first request: on SQLite every
    transaction takes the write lock at BEGIN."""
    servers: list[LiveServer] = []

    def start(workers: int = 4, **env: str) -> LiveServer:
        server = LiveServer(
            database_url=database_url,
            workers=workers,
            log_path=tmp_path / f"gunicorn-{len(servers)}.log",
            env={**TEST_KEYS, **env},
        )
        servers.append(server)
        server.start()
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def live_server(start_live_server: Callable[..., LiveServer]) -> LiveServer:
    """gunicorn with four workers serving the app on the `app` fixture's database; `.url` is its base URL."""
    return start_live_server(workers=4)


@pytest.fixture
def live_server_single(start_live_server: Callable[..., LiveServer]) -> LiveServer:
    """gunicorn with one worker serving the app on the `app` fixture's database."""
    return start_live_server(workers=1)
