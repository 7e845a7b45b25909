"""The demo seed: every state, idempotent, refused in production."""

from sqlalchemy import func, select

from objections.models import Notification, Objection, ObjectionEvent, User
from objections.services.demo import seed_demo


def counts(session) -> tuple[int, int, int, int]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Objection, ObjectionEvent, Notification, User)
    )


def test_seed_creates_objections_in_every_state_including_breaches(session, now) -> None:
    assert seed_demo(session, now=now, policy="calendar_days") is True
    statuses = set(session.scalars(select(Objection.status)))
    assert statuses == {"received", "in_review", "decided", "answered", "closed", "withdrawn"}
    objections = session.scalars(select(Objection)).all()
    overdue = [o for o in objections if o.answered_at is None and o.is_open and o.deadline_at <= now]
    late = [o for o in objections if o.answered_at is not None and o.answered_at >= o.deadline_at]
    assert overdue and late
    roles = set(session.scalars(select(User.role)))
    assert roles == {"operator", "org_admin", "supervisor", "admin"}


def test_seed_twice_changes_nothing(session, now) -> None:
    seed_demo(session, now=now, policy="calendar_days")
    before = counts(session)
    assert seed_demo(session, now=now, policy="calendar_days") is False
    assert counts(session) == before


def test_seed_demo_command_is_refused_in_production(tmp_path, database_path) -> None:
    from objections import create_app
    from tests.conftest import app_config

    app = create_app(app_config(tmp_path, database_path, OBJECTIONS_ENV="production"))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "production" in result.output


def test_seed_demo_command_prints_logins_with_totp_secrets(runner) -> None:
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "operator@dala-bank.example.kz" in result.output
    assert "TOTP" in result.output
    again = runner.invoke(args=["seed-demo"])
    assert "already present" in again.output
