"""Configuration: layered settings, clear one-line errors, keys kept under instance/ in development."""

from pathlib import Path

import pytest

from objections.config import ConfigError, load


def test_malformed_database_url_stops_the_start_saying_what_to_set(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load(tmp_path, {"DATABASE_URL": "not a url"})


def test_unsupported_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load(tmp_path, {"DATABASE_URL": "mysql://u:p@localhost/db"})


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATA_KEY"])
def test_production_without_a_key_is_refused(tmp_path: Path, missing: str) -> None:
    settings = {"OBJECTIONS_ENV": "production", "SECRET_KEY": "s" * 32, "DATA_KEY": "d" * 32, missing: None}
    with pytest.raises(ConfigError, match=missing):
        load(tmp_path, settings)


def test_production_marks_cookies_secure(tmp_path: Path) -> None:
    settings = load(tmp_path, {"OBJECTIONS_ENV": "production", "SECRET_KEY": "s" * 32, "DATA_KEY": "d" * 32})
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_development_generates_keys_once_and_keeps_them(tmp_path: Path) -> None:
    first = load(tmp_path, {"SECRET_KEY": None, "DATA_KEY": None})
    second = load(tmp_path, {"SECRET_KEY": None, "DATA_KEY": None})
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["DATA_KEY"] == second["DATA_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_instance_file_then_environment_then_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config.py").write_text('MAIL_FROM = "instance@example.kz"\nDEADLINE_POLICY = "working_days"\n')
    monkeypatch.setenv("MAIL_FROM", "env@example.kz")
    settings = load(tmp_path, {"SECRET_KEY": "s", "DATA_KEY": "d"})
    assert settings["MAIL_FROM"] == "env@example.kz"
    assert settings["DEADLINE_POLICY"] == "working_days"
    assert load(tmp_path, {"MAIL_FROM": "x@example.kz"})["MAIL_FROM"] == "x@example.kz"


def test_sqlite_is_the_default_under_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load(tmp_path, {"SECRET_KEY": "s", "DATA_KEY": "d"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'objections.db'}"


def test_plain_postgresql_url_uses_psycopg(tmp_path: Path) -> None:
    settings = load(tmp_path, {"DATABASE_URL": "postgresql://u:p@localhost/db", "SECRET_KEY": "s", "DATA_KEY": "d"})
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_wsgi_prints_one_line_on_a_bad_setting(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=root,
        env={"DATABASE_URL": "::nonsense::", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "DATABASE_URL" in result.stderr


def test_proxy_fix_takes_the_client_address_from_the_proxy(tmp_path: Path, database_path) -> None:
    from flask import request

    from objections import create_app
    from tests.conftest import app_config

    app = create_app(app_config(tmp_path, database_path, PROXY_FIX=1))

    @app.get("/_ip")
    def _ip() -> str:
        return request.remote_addr or ""

    response = app.test_client().get("/_ip", headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.data == b"203.0.113.7"


def test_a_malformed_proxy_fix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PROXY_FIX"):
        load(tmp_path, {"PROXY_FIX": "yes", "SECRET_KEY": "s", "DATA_KEY": "d"})


def test_database_errors_never_carry_the_statements_values_into_the_logs(app) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from objections.extensions import db

    try:
        db.session.execute(text("INSERT INTO no_such_table (name) VALUES (:name)"), {"name": "Aigerim Seitkali"})
    except DBAPIError as exc:
        assert "Aigerim Seitkali" not in str(exc)
        assert "hidden due to hide_parameters" in str(exc)
    else:
        raise AssertionError("the statement should have failed")
    finally:
        db.session.rollback()
