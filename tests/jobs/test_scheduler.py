"""The scheduler as designed: fixed job ids and deliberate options, the digest at 09:00 Astana time, leadership
that one process holds while others stand by, and no scheduler started by the app factory."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from objections import create_app
from objections.domain.deadlines import LOCAL_TZ
from objections.extensions import db
from objections.jobs import tasks
from objections.jobs.scheduler import Intervals, SchedulerProcess, build_scheduler, is_digest_catch_up_time
from objections.models import SchedulerLock
from objections.services.scheduler_state import Leadership, leader_status
from tests.conftest import app_config

INTERVALS = Intervals(sweep=60, dispatch=20, heartbeat=10)
BEAT = timedelta(seconds=10)


class Leading:
    is_leader = True
    current_holder = "me"


def test_each_job_has_a_fixed_id_and_deliberate_options(app: Flask) -> None:
    scheduler = build_scheduler(app, Leading(), INTERVALS)
    jobs = {job.id: job for job in scheduler.get_jobs()}

    assert set(jobs) == {"sweep", "dispatch", "digest", "close", "audit_anchor", "retention"}
    assert {job_id: job.func for job_id, job in jobs.items()} == {
        "sweep": tasks.sweep,
        "dispatch": tasks.dispatch,
        "digest": tasks.digest,
        "close": tasks.close_answered,
        "audit_anchor": tasks.audit_anchor,
        "retention": tasks.retention,
    }
    for job in jobs.values():
        assert job.coalesce is True, job.id
        assert job.max_instances == 1, job.id
        assert job.args[0] is app
    # A late sweep, dispatch or closing still runs (their work derives from the database); a digest more than
    # six hours late is stale.
    assert {job_id: job.misfire_grace_time for job_id, job in jobs.items()} == {
        "sweep": None,
        "dispatch": None,
        "close": None,
        "digest": 6 * 3600,
        "audit_anchor": 6 * 3600,
        "retention": 6 * 3600,
    }
    assert isinstance(jobs["sweep"].trigger, IntervalTrigger)
    assert jobs["sweep"].trigger.interval == timedelta(seconds=60)
    assert jobs["dispatch"].trigger.interval == timedelta(seconds=20)
    assert jobs["close"].trigger.interval == timedelta(hours=1)


def test_the_digest_fires_at_nine_in_astana(app: Flask, now: datetime) -> None:
    trigger = build_scheduler(app, Leading(), INTERVALS).get_job("digest").trigger
    assert isinstance(trigger, CronTrigger)
    # Monday 16 March 2026, 11:00 in Astana: the next digest is Tuesday at 09:00 there, 04:00 UTC.
    fire = trigger.get_next_fire_time(None, now)
    assert fire.astimezone(LOCAL_TZ).replace(tzinfo=None) == datetime(2026, 3, 17, 9, 0)
    assert fire == datetime.fromisoformat("2026-03-17T04:00Z")


@pytest.mark.parametrize(
    ("local_time", "catch_up"),
    [("08:59", False), ("09:00", True), ("14:59", True), ("15:00", False), ("23:00", False)],
)
def test_a_scheduler_taking_the_lead_sends_a_missed_digest_until_mid_afternoon(local_time: str, catch_up: bool) -> None:
    moment = datetime.fromisoformat(f"2026-03-16T{local_time}").replace(tzinfo=LOCAL_TZ)
    assert is_digest_catch_up_time(moment) is catch_up


def test_the_app_factory_starts_no_scheduler(tmp_path: Path, database_url: str) -> None:
    create_app(app_config(tmp_path, database_url))
    assert not [t for t in threading.enumerate() if t.name == "APScheduler"]


def test_the_intervals_come_from_configuration_and_the_command_line(app: Flask) -> None:
    assert Intervals.from_config(app.config) == Intervals(sweep=60, dispatch=20, heartbeat=10)
    assert Intervals.from_config(app.config, sweep=1, heartbeat=None) == Intervals(sweep=1, dispatch=20, heartbeat=10)


@pytest.mark.sqlite_only
def test_on_sqlite_one_process_leads_and_another_takes_over_once_its_heartbeat_is_stale(
    app: Flask, now: datetime
) -> None:
    first = Leadership(db.engine, heartbeat_interval=BEAT, holder="first")
    second = Leadership(db.engine, heartbeat_interval=BEAT, holder="second")

    assert first.tick(now) is True
    assert second.tick(now + BEAT) is False
    assert second.current_holder == "first"
    assert first.tick(now + 2 * BEAT) is True
    # Three beats without a heartbeat are tolerated, not more.
    assert second.tick(now + 5 * BEAT) is False
    assert second.tick(now + 5 * BEAT + timedelta(seconds=1)) is True
    assert first.tick(now + 6 * BEAT) is False
    assert first.current_holder == "second"
    status = leader_status(db.session, now=now + 6 * BEAT, heartbeat_interval=BEAT)
    assert (status.holder, status.is_stale) == ("second", False)
    assert leader_status(db.session, now=now + 10 * BEAT, heartbeat_interval=BEAT).is_stale


@pytest.mark.sqlite_only
def test_on_sqlite_a_clean_stop_hands_the_lead_over_at_once(app: Flask, now: datetime) -> None:
    first = Leadership(db.engine, heartbeat_interval=BEAT, holder="first")
    second = Leadership(db.engine, heartbeat_interval=BEAT, holder="second")
    assert first.tick(now)
    assert not second.tick(now)
    first.release()
    assert db.session.get(SchedulerLock, "scheduler") is None
    db.session.rollback()  # on SQLite even a read holds the write lock until it ends
    assert second.tick(now + timedelta(seconds=1)) is True


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.mark.postgres
def test_on_postgresql_the_advisory_lock_decides_and_frees_itself_when_the_leader_goes(
    postgres_engine: Engine, now: datetime
) -> None:
    first = Leadership(postgres_engine, heartbeat_interval=BEAT, holder="first")
    second = Leadership(postgres_engine, heartbeat_interval=BEAT, holder="second")
    try:
        assert first.tick(now) is True
        assert second.tick(now) is False
        # No staleness on PostgreSQL: the lock lives as long as the leader's connection.
        assert second.tick(now + 100 * BEAT) is False
        assert second.current_holder == "first"
        assert first.tick(now + 100 * BEAT) is True
        first._drop_connection()  # the leader's process dies: the server frees its lock
        assert second.tick(now + 101 * BEAT) is True
        assert first.tick(now + 101 * BEAT) is False
    finally:
        first.release()
        second.release()


def test_taking_the_lead_runs_the_sweep_and_the_dispatch_at_once(app: Flask, now: datetime) -> None:
    process = SchedulerProcess(app, intervals=INTERVALS, holder="leader")
    process.scheduler.start(paused=True)
    try:
        before = datetime.now(LOCAL_TZ)
        process.beat()
        assert process.leadership.is_leader
        for job_id in ("sweep", "dispatch", "close"):
            assert process.scheduler.get_job(job_id).next_run_time <= datetime.now(LOCAL_TZ), job_id
        assert process.scheduler.get_job("sweep").next_run_time >= before - timedelta(seconds=1)
    finally:
        process.scheduler.shutdown(wait=False)
        process.leadership.release()
