"""The migrations from an empty database produce exactly the models' schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from objections.extensions import db
from objections.models import Base


def test_upgrade_from_empty_matches_the_models(app) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_the_queries_that_matter_have_indexes(app) -> None:
    indexes = {index["name"] for index in inspect(db.engine).get_indexes("objections")}
    assert {"ix_objections_org_status_deadline", "ix_objections_open_deadline"} <= indexes
    uniques = inspect(db.engine).get_unique_constraints("objections")
    assert any(u["column_names"] == ["reference"] for u in uniques)


def test_sqlite_connections_are_hardened(app) -> None:
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_no_account_exists_after_upgrade_alone(app) -> None:
    from sqlalchemy import func, select

    from objections.models import User

    assert db.session.scalar(select(func.count()).select_from(User)) == 0
