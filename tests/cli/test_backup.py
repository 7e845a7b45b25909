"""`flask backup PATH`: an online SQLite copy that holds what was committed; the pg_dump command on PostgreSQL."""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from objections import create_app
from objections.extensions import db
from objections.models import Objection
from tests.builders import make_objection, make_organization
from tests.conftest import app_config


def rows(path: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_sqlite_backup_copies_what_is_committed_while_a_writer_holds_the_lock(
    database_path, session, runner, now, tmp_path
) -> None:
    organization = make_organization(session)
    kept = make_objection(session, organization=organization, received_at=now)
    session.commit()
    make_objection(session, organization=organization, received_at=now)  # written, not yet committed
    target = tmp_path / "backup.db"

    result = runner.invoke(args=["backup", str(target)])

    assert result.exit_code == 0, result.output
    assert "integrity check ok" in result.output
    session.rollback()
    assert rows(target, "SELECT reference FROM objections") == [(kept.reference,)]
    assert rows(target, "PRAGMA integrity_check") == [("ok",)]
    assert rows(target, "PRAGMA journal_mode") == [("delete",)]
    assert not target.with_name("backup.db-wal").exists()


def test_sqlite_backup_restores_into_a_working_app(database_path, session, runner, now, tmp_path) -> None:
    objection = make_objection(session, received_at=now)
    objection_id, iin = objection.id, objection.iin
    session.commit()
    target = tmp_path / "restored.db"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0

    restored = create_app(app_config(tmp_path / "restored", target))
    with restored.app_context():
        copy = db.session.get(Objection, objection_id)
        assert copy is not None and copy.iin == iin  # still decrypts with the same DATA_KEY
        db.session.remove()
        db.engine.dispose()


def test_sqlite_backup_will_not_overwrite_a_file_without_force(database_path, runner, tmp_path) -> None:
    target = tmp_path / "existing.db"
    target.write_bytes(b"keep me")

    refused = runner.invoke(args=["backup", str(target)])
    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert target.read_bytes() == b"keep me"

    replaced = runner.invoke(args=["backup", "--force", str(target)])
    assert replaced.exit_code == 0, replaced.output
    assert rows(target, "PRAGMA integrity_check") == [("ok",)]


def test_postgresql_backup_prints_a_working_pg_dump_command_without_the_password(postgres_url, tmp_path) -> None:
    app = create_app(app_config(tmp_path, postgres_url))
    target = tmp_path / "dump.pgc"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    with app.app_context():
        db.engine.dispose()

    assert result.exit_code == 0, result.output
    password = make_url(postgres_url).password or ""
    assert f":{password}@" not in result.output
    command = next(line for line in result.output.splitlines() if line.startswith("pg_dump "))
    if shutil.which("pg_dump") is None:
        return
    env = {**os.environ, "PGPASSWORD": password}
    subprocess.run(shlex.split(command), env=env, check=True, capture_output=True, timeout=60)
    assert target.stat().st_size > 0
