"""R11: eight processes each run 200 read-then-write transactions on one SQLite file through the app's engine
(WAL, busy timeout, BEGIN IMMEDIATE): none fails with "database is locked" and all 1,600 rows land. The negative
control runs the same load with deferred transactions, which SQLite refuses to upgrade from read to write under
contention. Full size in `make test`."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from objections import create_app
from objections.extensions import db
from objections.models import JobRun
from tests.conftest import app_config
from tests.reliability.workload import run_in_processes

pytestmark = pytest.mark.reliability

PROCESSES = 8
TRANSACTIONS = 200
LOCKED = "database is locked"


def soak_through_the_app(database_path: str, folder: str, worker: int) -> tuple[int, list[str]]:
    """Read the row count, then insert a row, in one transaction, TRANSACTIONS times."""
    app = create_app(app_config(Path(folder), Path(database_path)))
    written, errors = 0, []
    with app.app_context():
        for n in range(TRANSACTIONS):
            try:
                seen = db.session.scalar(select(func.count()).select_from(JobRun))
                db.session.add(
                    JobRun(name=f"soak-{worker}-{n}", last_run_at=datetime.now(UTC), last_result={"seen": seen})
                )
                db.session.commit()
                written += 1
            except OperationalError as exc:
                db.session.rollback()
                errors.append(str(exc.orig))
        db.session.remove()
        db.engine.dispose()
    return written, errors


def soak_with_deferred_transactions(database_path: str, _folder: str, worker: int) -> tuple[int, list[str]]:
    """The same work on a plain connection with WAL and the same busy timeout, but BEGIN (deferred)."""
    connection = sqlite3.connect(database_path, timeout=15, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    written, errors = 0, []
    for n in range(TRANSACTIONS):
        try:
            connection.execute("BEGIN")
            seen = connection.execute("SELECT count(*) FROM job_runs").fetchone()[0]
            connection.execute(
                "INSERT INTO job_runs (name, last_run_at, last_result) VALUES (?, ?, ?)",
                (f"soak-{worker}-{n}", datetime.now(UTC).isoformat(" "), f'{{"seen": {seen}}}'),
            )
            connection.execute("COMMIT")
            written += 1
        except sqlite3.OperationalError as exc:
            connection.execute("ROLLBACK")
            errors.append(str(exc))
    connection.close()
    return written, errors


def soak(function, database_path: Path, tmp_path: Path) -> tuple[int, list[str], int]:  # type: ignore[no-untyped-def]
    results = run_in_processes(function, [(str(database_path), str(tmp_path / f"w{i}"), i) for i in range(PROCESSES)])
    written = sum(done for done, _ in results)
    errors = [error for _, failed in results for error in failed]
    with sqlite3.connect(database_path) as check:
        rows = check.execute("SELECT count(*) FROM job_runs WHERE name LIKE 'soak-%'").fetchone()[0]
    return written, errors, rows


def test_r11_sqlite_read_then_write_transactions_never_hit_database_is_locked(database_path, tmp_path) -> None:
    written, errors, rows = soak(soak_through_the_app, database_path, tmp_path)

    assert errors == []
    assert written == rows == PROCESSES * TRANSACTIONS


def test_negative_control_sqlite_deferred_transactions_hit_database_is_locked(database_path, tmp_path, request) -> None:
    written, errors, rows = soak(soak_with_deferred_transactions, database_path, tmp_path)
    request.node.user_properties.append(("database_is_locked", f"{len(errors)} of {PROCESSES * TRANSACTIONS}"))

    assert errors, "deferred read-then-write transactions should have collided: R11 could not fail"
    assert all(LOCKED in error for error in errors)
    assert written == rows < PROCESSES * TRANSACTIONS
