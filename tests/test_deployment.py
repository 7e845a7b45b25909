"""Serving: the gunicorn settings follow the environment, the Procfile and systemd units name commands that exist,
and gunicorn started from the repository's settings serves the app."""

from __future__ import annotations

import configparser
import multiprocessing
import runpy
import shlex
from pathlib import Path

import pytest

from tests.live_server import request

ROOT = Path(__file__).resolve().parent.parent


def gunicorn_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict:
    for name in ("GUNICORN_BIND", "HOST", "PORT", "WEB_CONCURRENCY", "ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_defaults_to_loopback_and_two_workers_per_core_plus_one(monkeypatch) -> None:
    settings = gunicorn_settings(monkeypatch)
    assert settings["bind"] == "127.0.0.1:5000"
    assert settings["workers"] == min(2 * multiprocessing.cpu_count() + 1, 8)
    assert settings["preload_app"] is False  # each worker opens its own database connections
    assert settings["accesslog"] == "-"
    assert settings["graceful_timeout"] > 0


def test_gunicorn_takes_port_workers_and_bind_from_the_environment(monkeypatch) -> None:
    settings = gunicorn_settings(monkeypatch, PORT="8123", WEB_CONCURRENCY="3", ACCESS_LOG="off")
    assert settings["bind"] == "127.0.0.1:8123"
    assert settings["workers"] == 3
    assert settings["accesslog"] is None
    assert gunicorn_settings(monkeypatch, GUNICORN_BIND="unix:/run/objections/web.sock")["bind"] == (
        "unix:/run/objections/web.sock"
    )


def procfile() -> dict[str, list[str]]:
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        entries[name.strip()] = shlex.split(command)
    return entries


def test_procfile_commands_exist_in_the_app(app) -> None:
    entries = procfile()
    assert entries["web"] == ["gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"]
    for name in ("release", "scheduler"):
        words = entries[name]
        assert words[:3] == ["flask", "--app", "wsgi"]
        group, command = words[3], words[4]
        assert command in app.cli.commands[group].commands, f"`flask {group} {command}` does not exist"


@pytest.mark.parametrize(
    ("unit", "process"), [("objections-web.service", "web"), ("objections-scheduler.service", "scheduler")]
)
def test_systemd_units_run_what_the_procfile_runs(unit: str, process: str) -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(ROOT / "deploy" / unit)
    service = parser["Service"]
    executable, *arguments = shlex.split(service["ExecStart"])
    assert Path(executable).name == procfile()[process][0]
    assert arguments == procfile()[process][1:]
    assert service["EnvironmentFile"] == "/etc/objections/objections.env"
    assert parser["Install"]["WantedBy"] == "multi-user.target"


def test_gunicorn_with_the_repository_settings_serves_the_app_and_logs_each_request(live_server_single) -> None:
    reply = request(live_server_single.url, "GET", "/healthz")

    assert reply.status == 200
    assert reply.body["status"] == "ok"
    assert len(live_server_single.worker_pids()) == 1
    assert '"GET /healthz HTTP/1.1" 200' in live_server_single.log()
