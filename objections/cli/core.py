"""Core commands: seed-demo, users, deadline compute."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from objections.clock import utcnow
from objections.domain import deadlines
from objections.domain.errors import DomainError, ValidationFailed
from objections.extensions import db
from objections.services import demo, users

users_cli = AppGroup("users", help="Staff accounts.")
deadline_cli = AppGroup("deadline", help="The deadline engine.")


def _fail(exc: DomainError) -> None:
    if isinstance(exc, ValidationFailed):
        for name, codes in exc.errors.items():
            click.echo(f"error: {name}: {', '.join(codes)}", err=True)
    else:
        click.echo(f"error: {exc}", err=True)
    sys.exit(1)


@click.command("seed-demo", help="Create the demo organisations, staff and objections (once).")
@with_appcontext
def seed_demo_command() -> None:
    if current_app.config["OBJECTIONS_ENV"] == "production":
        click.echo("error: seed-demo refuses to run in production (OBJECTIONS_ENV=production)", err=True)
        sys.exit(1)
    created = demo.seed_demo(db.session, now=utcnow(), policy=current_app.config["DEADLINE_POLICY"])
    db.session.commit()
    click.echo("Demo data created." if created else "Demo data already present; nothing changed.")
    click.echo("Demo logins (password, then the TOTP secret for an authenticator app):")
    for login in demo.demo_logins(db.session):
        where = f" [{login.organization}]" if login.organization else ""
        click.echo(f"  {login.role:<10} {login.email:<36} {login.password}  TOTP {login.totp_secret}{where}")


@users_cli.command("create", help="Create a staff account; the password is prompted for or read from stdin.")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["operator", "org_admin", "supervisor", "admin"]))
@click.option("--org", "organization", default=None, help="The organisation's slug (operators, org admins).")
@click.option("--name", "full_name", default="")
@click.option("--language", default="kk", type=click.Choice(["kk", "ru", "en"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(
    email: str, role: str, organization: str | None, full_name: str, language: str, password_stdin: bool
) -> None:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = users.create_user(
            db.session,
            email=email,
            password=password,
            role=role,
            organization_slug=organization,
            full_name=full_name,
            language=language,
        )
    except DomainError as exc:
        _fail(exc)
        return
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")
    click.echo(f"TOTP secret (add it to an authenticator app): {user.totp_secret}")


@users_cli.command("token", help="Issue a new API token for EMAIL; it is printed on the last line.")
@click.argument("email")
@click.option("--name", default="cli")
def users_token(email: str, name: str) -> None:
    try:
        user = users.find_user(db.session, email)
        token = users.issue_api_token(db.session, user, name=name, now=utcnow())
    except DomainError as exc:
        _fail(exc)
        return
    db.session.commit()
    click.echo(f"API token for {user.email} (shown once):")
    click.echo(token)


@users_cli.command("otp", help="Print the current TOTP code of EMAIL (development only).")
@click.argument("email")
def users_otp(email: str) -> None:
    if current_app.config["OBJECTIONS_ENV"] == "production":
        click.echo("error: users otp is for development only", err=True)
        sys.exit(1)
    try:
        click.echo(users.current_totp(users.find_user(db.session, email), utcnow()))
    except DomainError as exc:
        _fail(exc)


def parse_received_at(value: str) -> datetime:
    """ISO 8601; no offset means Asia/Almaty; a date alone means its 00:00 there."""
    try:
        if len(value) == 10:
            parsed = datetime.combine(date.fromisoformat(value), time(0))
        else:
            parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            "use ISO 8601, e.g. 2026-03-20T15:00 or 2026-03-20T10:00:00+00:00", param_hint="RECEIVED_AT"
        ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=deadlines.LOCAL_TZ)
    return parsed


@deadline_cli.command("compute", help="Compute the deadline of an objection received at RECEIVED_AT.")
@click.argument("received_at")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--policy", type=click.Choice(["calendar_days", "working_days"]), default=None)
@click.option("--language", type=click.Choice(["kk", "ru", "en"]), default="en")
def deadline_compute(received_at: str, as_json: bool, policy: str | None, language: str) -> None:
    from objections.services.deadlines import compute_deadline

    moment = parse_received_at(received_at)
    try:
        result = compute_deadline(db.session, moment, policy or current_app.config["DEADLINE_POLICY"])
    except OverflowError:
        # Python's dates end at year 9999: a term near either end cannot be counted.
        raise click.BadParameter("the date is out of the supported range", param_hint="RECEIVED_AT") from None
    explanation = result.explanation(language)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "received_at": result.received_at.isoformat(),
                    "received_on": result.received_on.isoformat(),
                    "deadline_at": result.deadline_at.isoformat(),
                    "deadline_local": result.deadline_at.astimezone(deadlines.LOCAL_TZ).isoformat(),
                    "last_day": result.last_day.isoformat(),
                    "policy": result.policy.value,
                    "explanation": explanation,
                },
                ensure_ascii=False,
            )
        )
        return
    for line in explanation:
        click.echo(line)
    click.echo(f"deadline_at (UTC): {result.deadline_at.isoformat()}")
