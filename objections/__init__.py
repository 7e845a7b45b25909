"""The objection desk for Art. 19-1 of Kazakhstan's Personal Data Law: create_app() wires everything."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from objections import config as config_module
from objections import crypto
from objections.extensions import babel, csrf, db, limiter, login_manager
from objections.security_log import configure_logging

ROOT = Path(__file__).resolve().parent.parent
# Set (to 1) in the environment of gunicorn's workers by gunicorn.conf.py: a process that only serves HTTP registers
# neither the CLI (whose scheduler commands pull in APScheduler) nor Flask-Migrate (Alembic, Mako, Pygments).
WEB_WORKER_ENV = "OBJECTIONS_WEB_WORKER"
SQLITE_BUSY_TIMEOUT_MS = 15000
# Execution option for a transaction that only reads (e.g. Session.connection(execution_options={READ_ONLY: True})):
# on SQLite it begins deferred and so takes no write lock; every other transaction takes the lock up front.
READ_ONLY = "objections_read_only"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, CLI (not in a web worker). Starts no
    scheduler."""
    instance_path = Path((config or {}).get("INSTANCE_PATH") or os.environ.get("INSTANCE_PATH") or ROOT / "instance")
    settings = config_module.load(instance_path, config)
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(settings)
    configure_logging(app)
    if app.config["PROXY_FIX"]:
        # Behind N reverse proxies, take the client address and scheme from their X-Forwarded-* headers, so that
        # rate limits count citizens, not the proxy.
        hops = app.config["PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    crypto.install(crypto.Keyring(app.config["DATA_KEY"], app.config["SECRET_KEY"]))

    _queue_sqlite_writers(app)
    db.init_app(app)
    web_worker = os.environ.get(WEB_WORKER_ENV) == "1"
    if not web_worker:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from objections.web import i18n

    babel.init_app(
        app,
        locale_selector=i18n.select_language,
        timezone_selector=lambda: "Asia/Almaty",
        default_translation_directories=str(ROOT / "translations"),
    )
    with app.app_context():
        _harden_sqlite(db.engine)

    from objections.web import register_web

    register_web(app)

    if not web_worker:
        from objections.cli import register_cli

        register_cli(app)
    return app


def _queue_sqlite_writers(app: Flask) -> None:
    """On a SQLite file, open connections that queue their write transactions (objections/sqlite_writers.py)."""
    if not str(app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        return
    from objections.sqlite_writers import QueuedWriterConnection

    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options["connect_args"] = {"factory": QueuedWriterConnection, **options.get("connect_args", {})}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _harden_sqlite(engine: Any) -> None:
    """WAL, foreign keys, a busy timeout on every connection, and writes that take the lock up front."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads and then writes fails with "database is locked" in WAL mode
        # despite the busy timeout; taking the write lock at BEGIN makes it wait instead. A transaction declared
        # read-only never writes, so it begins deferred and leaves the lock to the writers.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
            return
        queued = connection.connection.driver_connection
        if hasattr(queued, "wait_for_write_turn"):
            queued.wait_for_write_turn(SQLITE_BUSY_TIMEOUT_MS / 1000)
        connection.exec_driver_sql("BEGIN IMMEDIATE")
