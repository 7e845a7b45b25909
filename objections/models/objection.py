"""The objection aggregate: the objection, its timeline, notes, clarifications and attachments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from objections.models.base import Base, EncryptedText, UTCDateTime, utc_now
from objections.models.organization import Organization, ProcessingNotice
from objections.models.user import User

OPEN_STATUSES = ("received", "in_review", "decided")
CHANNELS = ("web", "api", "paper", "phone")


class ReferenceCounter(Base):
    """The last reference number issued per year, incremented atomically."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Objection(Base):
    __tablename__ = "objections"
    __table_args__ = (
        Index("ix_objections_org_status_deadline", "organization_id", "status", "deadline_at"),
        Index(
            "ix_objections_open_deadline",
            "deadline_at",
            sqlite_where=text("answered_at IS NULL"),
            postgresql_where=text("answered_at IS NULL"),
        ),
        Index("ix_objections_org_received", "organization_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    access_code_hash: Mapped[str] = mapped_column(String(64))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("processing_notices.id"))
    full_name: Mapped[str] = mapped_column(String(300))
    iin: Mapped[str] = mapped_column(EncryptedText)
    iin_index: Mapped[str] = mapped_column(String(64), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(2))
    decision_reference: Mapped[str | None] = mapped_column(String(120))
    decision_on: Mapped[date | None] = mapped_column(Date)
    grounds: Mapped[str] = mapped_column(Text)
    remedies: Mapped[list] = mapped_column(JSON, default=list)
    channel: Mapped[str] = mapped_column(String(8))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_day: Mapped[date] = mapped_column(Date)
    deadline_policy: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="received")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(32))
    ground: Mapped[str | None] = mapped_column(String(32))
    reasoning: Mapped[str | None] = mapped_column(Text)
    actions_taken: Mapped[str | None] = mapped_column(Text)
    answer_language: Mapped[str | None] = mapped_column(String(2))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("objections.id"))
    forwarded_to_id: Mapped[int | None] = mapped_column(ForeignKey("objections.id"))
    forwarded_from_id: Mapped[int | None] = mapped_column(ForeignKey("objections.id"))
    notified_channel: Mapped[str | None] = mapped_column(String(16))
    notified_by: Mapped[str | None] = mapped_column(String(200))
    answer_undelivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": row_version}

    organization: Mapped[Organization] = relationship()
    notice: Mapped[ProcessingNotice | None] = relationship()
    assignee: Mapped[User | None] = relationship()
    events: Mapped[list[ObjectionEvent]] = relationship(back_populates="objection", order_by="ObjectionEvent.seq")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ObjectionEvent(Base):
    """One entry of an objection's append-only timeline; each row chains the hash of the previous one."""

    __tablename__ = "objection_events"
    __table_args__ = (UniqueConstraint("objection_id", "seq", name="uq_event_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    actor_kind: Mapped[str] = mapped_column(String(16))  # subject, staff, system, api
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    is_public: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    objection: Mapped[Objection] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class InternalNote(Base):
    """A note between staff; never shown to the subject."""

    __tablename__ = "internal_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    author: Mapped[User] = relationship()


class Clarification(Base):
    """An operator's question to the subject and the subject's reply; the clock does not stop."""

    __tablename__ = "clarifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Attachment(Base):
    """A file the subject attached, stored outside static/ under a generated name."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class AnswerTemplate(Base):
    """An organisation's reusable answer text for a notice and outcome."""

    __tablename__ = "answer_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    notice_slug: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(200))
    reasoning: Mapped[str] = mapped_column(Text)
    actions_taken: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class IdempotencyRecord(Base):
    """The first response to a filing, replayed when the same key is sent again (a retry or a double click)."""

    __tablename__ = "idempotency_records"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"))
    access_code: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
