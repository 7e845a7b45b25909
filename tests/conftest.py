"""Fixtures: an app on a migrated SQLite file per test, its client, CLI runner and session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session

from objections import create_app
from objections.extensions import db

TEST_KEYS = {"SECRET_KEY": "test-secret-key-0123456789abcdef", "DATA_KEY": "test-data-key-0123456789abcdef"}
FROZEN_NOW = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)  # Monday 16 March 2026, 11:00 in Astana


def app_config(tmp_path: Path, database: Path, **extra: object) -> dict:
    return {
        "OBJECTIONS_ENV": "testing",
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{database}",
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,  # tests that check CSRF turn it on through config_overrides
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
        **TEST_KEYS,
        **extra,
    }


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
    target = tmp_path / "objections.db"
    shutil.copy(migrated_database, target)
    return target


@pytest.fixture
def config_overrides() -> dict:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(tmp_path: Path, database_path: Path, config_overrides: dict) -> Iterator[Flask]:
    app = create_app(app_config(tmp_path, database_path, **config_overrides))
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
