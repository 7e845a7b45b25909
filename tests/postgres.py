"""A PostgreSQL server for tests: a migrated template database, and a fresh copy of it for each test."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

# The cluster scripts/postgres.sh creates; used when neither TEST_DATABASE_URL nor TEST_POSTGRES_URL is set.
LOCAL_TEST_CLUSTER = "postgresql+psycopg://objections:objections@127.0.0.1:55432/objections"
PREFIX = "objtest"
DROP_ATTEMPTS = 25


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def libpq_url(url: str | URL) -> str:
    """The URL without SQLAlchemy's driver suffix, as libpq (psycopg.connect) reads it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def answers(url: str) -> bool:
    try:
        with psycopg.connect(libpq_url(url), connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def find_postgres_url() -> str | None:
    """TEST_DATABASE_URL, else TEST_POSTGRES_URL, else the local test cluster when it answers."""
    for key in ("TEST_DATABASE_URL", "TEST_POSTGRES_URL"):
        if os.environ.get(key):
            return os.environ[key]
    return LOCAL_TEST_CLUSTER if answers(LOCAL_TEST_CLUSTER) else None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PostgresServer:
    """Makes and drops databases through one autocommit connection. Database names carry the test process's id,
    so databases left by a killed run are dropped by the next one, and parallel runs leave each other alone."""

    def __init__(self, url: str, *, migrate: Callable[[str], None]) -> None:
        self.url = make_url(url)
        self._migrate = migrate
        self._admin = psycopg.connect(libpq_url(url), autocommit=True)
        self._names = itertools.count(1)
        self._template: str | None = None
        self._file_copy = self._admin.info.server_version >= 150000
        self._drop_stale()

    def url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _execute(self, statement: sql.Composable) -> None:
        self._admin.execute(statement)

    def _drop_stale(self) -> None:
        rows = self._admin.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (PREFIX + "\\_%",)
        ).fetchall()
        for (name,) in rows:
            parts = name.split("_")
            if len(parts) >= 3 and parts[1].isdigit() and not _pid_alive(int(parts[1])):
                self.drop_database(name)

    def create_empty_database(self, name: str) -> None:
        self._execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def template(self) -> str:
        """The migrated template database, made once per test session."""
        if self._template is None:
            name = f"{PREFIX}_{os.getpid()}_template"
            self.drop_database(name)
            self.create_empty_database(name)
            self._migrate(self.url_for(name))
            self._template = name
        return self._template

    def create_database(self) -> str:
        template = self.template()
        name = f"{PREFIX}_{os.getpid()}_{next(self._names)}"
        strategy = sql.SQL(" STRATEGY FILE_COPY") if self._file_copy else sql.SQL("")
        self._execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}{}").format(sql.Identifier(name), sql.Identifier(template), strategy)
        )
        return name

    def drop_database(self, name: str) -> None:
        """Drop it, ending its connections; a server process this role may not end (an autovacuum worker, when
        autovacuum is on and the role lacks pg_signal_backend) finishes within moments, so try again briefly."""
        statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        for attempt in range(DROP_ATTEMPTS):
            try:
                self._execute(statement)
                return
            except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
                if attempt == DROP_ATTEMPTS - 1:
                    raise
                time.sleep(0.2)

    def close(self) -> None:
        if self._template is not None:
            self.drop_database(self._template)
        self._admin.close()
