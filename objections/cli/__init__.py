"""Flask commands (DESIGN.md "CLI"): each a thin call into services/."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from objections.cli import audit, calendar, core, scheduler
    from objections.cli.backup import backup_command

    app.cli.add_command(core.seed_demo_command)
    app.cli.add_command(core.users_cli)
    app.cli.add_command(core.deadline_cli)
    app.cli.add_command(calendar.calendar_cli)
    app.cli.add_command(scheduler.scheduler_cli)
    app.cli.add_command(audit.audit_cli)
    app.cli.add_command(backup_command)
