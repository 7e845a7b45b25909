"""The scheduler process and one-off runs of its jobs."""

from __future__ import annotations

import json
import logging
import signal

import click
from flask import current_app
from flask.cli import AppGroup

from objections.jobs import tasks
from objections.jobs.scheduler import Intervals, SchedulerProcess

scheduler_cli = AppGroup("scheduler", help="Reminders, breach escalation, digests and the outbox.")


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    application = logging.getLogger("objections")
    application.setLevel(logging.INFO)
    # The app's records already go to stderr as one JSON line each (security_log.configure_logging): the root
    # logger's text handler is for the libraries only, so nothing is printed twice.
    application.propagate = False
    # APScheduler reports every tick at INFO; its warnings (a missed run, an error) still show.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


@scheduler_cli.command("run", help="Run the scheduler until SIGTERM or Ctrl+C; stands by while another one leads.")
@click.option("--sweep-every", type=float, default=None, help="Seconds between sweeps (SWEEP_INTERVAL_SECONDS).")
@click.option(
    "--dispatch-every", type=float, default=None, help="Seconds between dispatches (DISPATCH_INTERVAL_SECONDS)."
)
@click.option(
    "--heartbeat-every",
    type=float,
    default=None,
    help="Seconds between leadership heartbeats (SCHEDULER_HEARTBEAT_SECONDS); a lead is stale after three.",
)
def run_command(sweep_every: float | None, dispatch_every: float | None, heartbeat_every: float | None) -> None:
    _configure_logging()
    intervals = Intervals.from_config(
        current_app.config, sweep=sweep_every, dispatch=dispatch_every, heartbeat=heartbeat_every
    )
    process = SchedulerProcess(current_app._get_current_object(), intervals=intervals)  # type: ignore[attr-defined]
    signal.signal(signal.SIGTERM, process.stop)
    signal.signal(signal.SIGINT, process.stop)
    process.run()


def _one_off(job: str) -> None:
    _configure_logging()
    runner = {
        tasks.SWEEP: tasks.sweep,
        tasks.DISPATCH: tasks.dispatch,
        tasks.DIGEST: tasks.digest,
    }[job]
    result = runner(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(json.dumps({"job": job, **(result or {})}, sort_keys=True))


@scheduler_cli.command("sweep", help="Queue the reminders and breach notices that are due, once.")
def sweep_command() -> None:
    _one_off(tasks.SWEEP)


@scheduler_cli.command("dispatch", help="Send the outbox's due messages over SMTP_URL, once.")
def dispatch_command() -> None:
    _one_off(tasks.DISPATCH)


@scheduler_cli.command("digest", help="Queue today's digests for staff who have not had theirs, once.")
def digest_command() -> None:
    _one_off(tasks.DIGEST)
