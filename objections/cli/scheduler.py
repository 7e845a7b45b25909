"""The scheduler process and one-off runs of its jobs."""

from flask.cli import AppGroup

scheduler_cli = AppGroup("scheduler", help="Reminders, breach escalation, digests and the outbox.")
