"""The scheduler process (`flask scheduler run`): APScheduler 3 runs the jobs in a thread pool while the main
thread keeps the leadership heartbeat. Every process schedules the jobs, only the leader's ticks do work; the others
stand by, log "skipped", and take over when the leader stops or its heartbeat goes stale.

Job options, chosen on purpose: fixed ids (one of each, replaced rather than duplicated); coalesce, so a backlog of
missed ticks runs once; max_instances=1, so a slow sweep is never overlapped by the next; no misfire limit for the
sweep, the dispatch and the closing, because a late run is still the right run (their work derives from the
database, so nothing is lost however late they come); six hours for the 09:00 digest, which is stale by mid-afternoon.
Reminders are never jobs of their own: the job store lives in memory and is never shared between processes.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from objections.clock import utcnow
from objections.domain.deadlines import LOCAL_TZ
from objections.extensions import db
from objections.jobs import tasks
from objections.services.scheduler_state import Leadership

log = logging.getLogger("objections.scheduler")

DIGEST_HOUR = 9
DIGEST_GRACE = timedelta(hours=6)
CLOSE_EVERY = timedelta(hours=1)
HEARTBEAT_SECONDS = 10.0
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
KICKED_AT_LEAD = (tasks.SWEEP, tasks.DISPATCH, tasks.CLOSE)


@dataclass(frozen=True)
class Intervals:
    sweep: float
    dispatch: float
    heartbeat: float

    @classmethod
    def from_config(cls, config: Any, **overrides: float | None) -> Intervals:
        values = {
            "sweep": float(config["SWEEP_INTERVAL_SECONDS"]),
            "dispatch": float(config["DISPATCH_INTERVAL_SECONDS"]),
            "heartbeat": float(config.get("SCHEDULER_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)),
        }
        values.update({key: float(value) for key, value in overrides.items() if value is not None})
        return cls(**values)


def build_scheduler(app: Flask, gate: tasks.Gate, intervals: Intervals) -> BackgroundScheduler:
    """The scheduler with its seven jobs, not started."""
    scheduler = BackgroundScheduler(
        timezone=UTC, executors={"default": ThreadPoolExecutor(max_workers=4)}, job_defaults=JOB_DEFAULTS
    )
    common = {"args": (app, gate), "coalesce": True, "max_instances": 1, "replace_existing": True}
    scheduler.add_job(
        tasks.sweep,
        IntervalTrigger(seconds=intervals.sweep),
        id=tasks.SWEEP,
        name=tasks.SWEEP,
        misfire_grace_time=None,
        **common,
    )
    scheduler.add_job(
        tasks.dispatch,
        IntervalTrigger(seconds=intervals.dispatch),
        id=tasks.DISPATCH,
        name=tasks.DISPATCH,
        misfire_grace_time=None,
        **common,
    )
    scheduler.add_job(
        tasks.digest,
        CronTrigger(hour=DIGEST_HOUR, minute=0, timezone=LOCAL_TZ),
        id=tasks.DIGEST,
        name=tasks.DIGEST,
        misfire_grace_time=int(DIGEST_GRACE.total_seconds()),
        **common,
    )
    scheduler.add_job(
        tasks.close_answered,
        IntervalTrigger(seconds=CLOSE_EVERY.total_seconds()),
        id=tasks.CLOSE,
        name=tasks.CLOSE,
        misfire_grace_time=None,
        **common,
    )
    scheduler.add_job(
        tasks.audit_anchor,
        CronTrigger(hour=0, minute=5, timezone=LOCAL_TZ),
        id=tasks.ANCHOR,
        name=tasks.ANCHOR,
        misfire_grace_time=int(DIGEST_GRACE.total_seconds()),
        **common,
    )
    scheduler.add_job(
        tasks.retention,
        CronTrigger(hour=2, minute=30, timezone=LOCAL_TZ),
        id=tasks.RETENTION,
        name=tasks.RETENTION,
        misfire_grace_time=int(DIGEST_GRACE.total_seconds()),
        **common,
    )
    scheduler.add_listener(_log_missed, EVENT_JOB_MISSED)
    return scheduler


def _log_missed(event: JobExecutionEvent) -> None:
    log.warning("missed %s (was due at %s)", event.job_id, event.scheduled_run_time)


def is_digest_catch_up_time(now: datetime) -> bool:
    """Between 09:00 and the end of the digest's grace, Astana time: a scheduler that takes the lead then sends
    today's digest at once (the digest itself skips whoever already has it)."""
    local = now.astimezone(LOCAL_TZ)
    start = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return start <= local < start + DIGEST_GRACE


class SchedulerProcess:
    """Runs until stop(): heartbeat in this thread, jobs in the scheduler's pool; a clean stop waits for running jobs
    and hands the lead over."""

    def __init__(self, app: Flask, *, intervals: Intervals | None = None, holder: str | None = None) -> None:
        self.app = app
        self.intervals = intervals or Intervals.from_config(app.config)
        with app.app_context():
            engine = db.engine
        self.leadership = Leadership(
            engine, heartbeat_interval=timedelta(seconds=self.intervals.heartbeat), holder=holder
        )
        self.scheduler = build_scheduler(app, self.leadership, self.intervals)
        self._stopping = threading.Event()
        self._announced_standby = False

    def run(self) -> None:
        self.scheduler.start()
        log.info(
            "scheduler %s started: sweep every %gs, dispatch every %gs, heartbeat every %gs",
            self.leadership.holder,
            self.intervals.sweep,
            self.intervals.dispatch,
            self.intervals.heartbeat,
        )
        try:
            while not self._stopping.is_set():
                self.beat()
                self._stopping.wait(self.intervals.heartbeat)
        finally:
            log.info("scheduler %s stopping: waiting for running jobs", self.leadership.holder)
            self.scheduler.shutdown(wait=True)
            self.leadership.release()
            log.info("scheduler %s stopped", self.leadership.holder)

    def stop(self, *_args: object) -> None:
        self._stopping.set()

    def beat(self) -> None:
        was_leader = self.leadership.is_leader
        leads = self.leadership.tick(utcnow())
        if leads and not was_leader:
            log.info("leading as %s", self.leadership.holder)
            self._announced_standby = False
            self.catch_up()
        elif not leads and (was_leader or not self._announced_standby):
            log.info("standing by: %s leads", self.leadership.current_holder or "another scheduler")
            self._announced_standby = True

    def catch_up(self) -> None:
        """On taking the lead, run the sweep, the dispatch and the closing now: whatever came due while no scheduler
        led is caught up at once rather than at the next interval."""
        now = utcnow()
        for job_id in KICKED_AT_LEAD:
            self.scheduler.modify_job(job_id, next_run_time=now)
        if is_digest_catch_up_time(now):
            self.scheduler.modify_job(tasks.DIGEST, next_run_time=now)
