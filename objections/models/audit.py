"""The security audit chain, daily anchors, and the scheduler's lock and job records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from objections.models.base import Base, UTCDateTime


class AuditEvent(Base):
    """An administrative or security action; rows chain the previous row's hash."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditAnchor(Base):
    """A daily hash over the heads of every chain, so a deleted chain is noticed too."""

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    heads_hash: Mapped[str] = mapped_column(String(64))
    chain_count: Mapped[int] = mapped_column(default=0)


class JobRun(Base):
    """The last run of each scheduled job, for /healthz and the admin pages."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_result: Mapped[dict] = mapped_column(JSON, default=dict)


class SchedulerLock(Base):
    """On SQLite, the scheduler leader's lock row with a heartbeat."""

    __tablename__ = "scheduler_locks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)
