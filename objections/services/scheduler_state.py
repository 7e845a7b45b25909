"""The scheduler's records: the last run of each job, and which process leads (PostgreSQL advisory lock, or on SQLite
a lock row with a heartbeat that another process takes over once it is stale)."""

from __future__ import annotations

import logging
import os
import socket
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from objections.models import JobRun, SchedulerLock

log = logging.getLogger(__name__)

LOCK_NAME = "scheduler"
STALE_AFTER_BEATS = 3
ADVISORY_LOCK_KEY = zlib.crc32(b"objections-scheduler-leader")


def record_job_run(session: Session, name: str, *, now: datetime, result: dict[str, Any]) -> None:
    """Insert or update the job's one row: when it last completed and what it did."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(JobRun).values(name=name, last_run_at=now, last_result=result)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["name"], set_={"last_run_at": now, "last_result": statement.excluded.last_result}
        )
    )


def last_job_run(session: Session, name: str) -> JobRun | None:
    return session.scalar(select(JobRun).where(JobRun.name == name).execution_options(populate_existing=True))


def job_runs(session: Session) -> list[JobRun]:
    return list(session.scalars(select(JobRun).order_by(JobRun.name)))


@dataclass(frozen=True)
class LeaderStatus:
    holder: str | None
    heartbeat_at: datetime | None
    is_stale: bool


def leader_status(session: Session, *, now: datetime, heartbeat_interval: timedelta) -> LeaderStatus:
    """Who leads and whether its heartbeat is older than three beats (it has stopped or hangs)."""
    row = session.get(SchedulerLock, LOCK_NAME, populate_existing=True)
    if row is None:
        return LeaderStatus(holder=None, heartbeat_at=None, is_stale=True)
    return LeaderStatus(
        holder=row.holder,
        heartbeat_at=row.heartbeat_at,
        is_stale=now - row.heartbeat_at > STALE_AFTER_BEATS * heartbeat_interval,
    )


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Leadership:
    """One scheduler process leads; the others stand by. `tick()` is called every heartbeat interval."""

    def __init__(self, engine: Engine, *, heartbeat_interval: timedelta, holder: str | None = None) -> None:
        self.engine = engine
        self.holder = holder or process_name()
        self.heartbeat_interval = heartbeat_interval
        self.is_leader = False
        self.current_holder: str | None = None
        self._connection: Connection | None = None
        self._holds_lock = False

    @property
    def uses_advisory_lock(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def tick(self, now: datetime) -> bool:
        """Take, keep or lose the lead; returns whether this process leads now."""
        try:
            leads = self._tick_advisory(now) if self.uses_advisory_lock else self._tick_row(now)
        except DBAPIError as exc:
            log.warning("scheduler: leadership check failed (%s); standing by", exc.__class__.__name__)
            self._drop_connection()
            leads = False
        self.is_leader = leads
        return leads

    def release(self) -> None:
        """Give up the lead on a clean stop, so a standby process takes over at its next tick."""
        if self.is_leader:
            try:
                with Session(self.engine) as session, session.begin():
                    session.execute(
                        delete(SchedulerLock).where(
                            SchedulerLock.name == LOCK_NAME, SchedulerLock.holder == self.holder
                        )
                    )
            except DBAPIError as exc:
                log.warning("scheduler: could not clear the lock row (%s)", exc.__class__.__name__)
        self._drop_connection()
        self.is_leader = False

    def _tick_row(self, now: datetime) -> bool:
        # The transaction begins with BEGIN IMMEDIATE (see create_app), so two processes never both take the row.
        with Session(self.engine) as session, session.begin():
            row = session.get(SchedulerLock, LOCK_NAME)
            if row is None:
                session.add(SchedulerLock(name=LOCK_NAME, holder=self.holder, heartbeat_at=now))
                self.current_holder = self.holder
                return True
            if row.holder != self.holder:
                age = now - row.heartbeat_at
                if age <= STALE_AFTER_BEATS * self.heartbeat_interval:
                    self.current_holder = row.holder
                    return False
                log.warning(
                    "scheduler: taking over from %s, whose heartbeat is %d s old", row.holder, age.total_seconds()
                )
                row.holder = self.holder
            row.heartbeat_at = now
            self.current_holder = self.holder
            return True

    def _tick_advisory(self, now: datetime) -> bool:
        if self._connection is None:
            self._connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._holds_lock = False
        if self._holds_lock:
            self._connection.exec_driver_sql("SELECT 1")
        else:
            self._holds_lock = bool(self._connection.scalar(select(func.pg_try_advisory_lock(ADVISORY_LOCK_KEY))))
        if not self._holds_lock:
            with Session(self.engine) as session:
                row = session.get(SchedulerLock, LOCK_NAME)
                self.current_holder = row.holder if row else None
            return False
        # The advisory lock decides; the row only shows the holder and its heartbeat on the admin page.
        with Session(self.engine) as session, session.begin():
            statement = postgresql.insert(SchedulerLock).values(name=LOCK_NAME, holder=self.holder, heartbeat_at=now)
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["name"], set_={"holder": self.holder, "heartbeat_at": now}
                )
            )
        self.current_holder = self.holder
        return True

    def _drop_connection(self) -> None:
        # Closed for good rather than returned to the pool: closing the database session frees the advisory lock.
        connection, self._connection = self._connection, None
        self._holds_lock = False
        if connection is not None:
            connection.invalidate()
            connection.close()
