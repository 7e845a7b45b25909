"""`flask backup PATH`: an online copy of a SQLite database; on PostgreSQL, the pg_dump command to run instead."""

from __future__ import annotations

import os
import shlex
import sqlite3
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, Engine

from objections.extensions import db


def backup_sqlite(engine: Engine, target: Path) -> int:
    """Copy the live database into `target` through SQLite's online backup API (a consistent snapshot of what is
    committed, taken while the app keeps serving); returns the number of pages copied."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    pooled = engine.raw_connection()
    try:
        source: sqlite3.Connection = pooled.driver_connection  # type: ignore[assignment]
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
            pages = copy.execute("PRAGMA page_count").fetchone()[0]
        finally:
            copy.close()
    finally:
        pooled.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"the copy failed its integrity check: {verdict}")
    os.replace(partial, target)
    return pages


def pg_dump_command(url: URL, target: Path) -> str:
    """The pg_dump command for this database, without the password (pg_dump reads PGPASSWORD or ~/.pgpass)."""
    dsn = URL.create(
        "postgresql", username=url.username, host=url.host, port=url.port, database=url.database, query=url.query
    ).render_as_string(hide_password=False)
    return shlex.join(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", f"--dbname={dsn}"])


@click.command(
    "backup", help="Back up the database to PATH: SQLite online; for PostgreSQL, prints the pg_dump command."
)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH when it exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    engine = db.engine
    if engine.dialect.name == "postgresql":
        click.echo("PostgreSQL is backed up with pg_dump (the password comes from PGPASSWORD or ~/.pgpass):")
        click.echo(pg_dump_command(engine.url, path))
        click.echo("Restore into an empty database with: pg_restore --no-owner --dbname=URL " + shlex.quote(str(path)))
        return
    if path.exists() and not force:
        click.echo(f"error: {path} exists; pass --force to replace it", err=True)
        sys.exit(1)
    if not path.parent.is_dir():
        click.echo(f"error: the folder {path.parent} does not exist", err=True)
        sys.exit(1)
    pages = backup_sqlite(engine, path)
    click.echo(f"Backed up {engine.url.database} to {path} ({pages} pages; integrity check ok).")
