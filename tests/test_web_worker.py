"""gunicorn's workers only serve HTTP: they import neither Flask-Migrate (Alembic, Mako, Pygments) nor APScheduler,
while the `flask` commands, migrations included, stay whole."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_KEYS

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("alembic", "flask_migrate", "mako", "pygments", "apscheduler", "holidays")
PROBE = (
    "import json, sys; import wsgi; "
    "print(json.dumps({'heavy': sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:])), "
    "'commands': sorted(wsgi.app.cli.commands)}))"
)


def _import_app(tmp_path: Path, **env: str) -> dict:
    environment = {
        **{k: v for k, v in os.environ.items() if k != "OBJECTIONS_WEB_WORKER"},
        **TEST_KEYS,
        "OBJECTIONS_ENV": "testing",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *HEAVY], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_web_worker_imports_neither_migrations_nor_the_scheduler(tmp_path: Path) -> None:
    worker = _import_app(tmp_path, OBJECTIONS_WEB_WORKER="1")

    assert worker == {"heavy": [], "commands": []}


def test_outside_a_web_worker_the_commands_and_migrations_are_there(tmp_path: Path) -> None:
    command_line = _import_app(tmp_path)

    assert {"scheduler", "users", "deadline", "calendar", "audit"} <= set(command_line["commands"])
    assert "flask_migrate" in command_line["heavy"]


def test_gunicorn_marks_its_workers_as_web_workers() -> None:
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    assert "OBJECTIONS_WEB_WORKER=1" in settings["raw_env"]
