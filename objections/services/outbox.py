"""The outbox: many messages queued at once (for the sweep and the digest), and the outbox as administrators see it:
counts by status, the messages with filters, retry and resend (audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from objections.domain.errors import Conflict, NotFound
from objections.models import Notification, User
from objections.models.notification import NOTIFICATION_STATUSES
from objections.services.audit import record_audit

PAGE_SIZE = 50
RETRYABLE = ("dead", "pending")
_INSERTS: dict[str, Any] = {}


def message_row(
    *,
    key: str,
    recipient: str,
    kind: str,
    language: str,
    subject: str,
    body_text: str,
    body_html: str | None,
    now: datetime,
    objection_id: int | None = None,
    user_id: int | None = None,
) -> dict:
    """One pending outbox row, as notify.queue_message writes it."""
    return {
        "idempotency_key": key,
        "recipient": recipient,
        "kind": kind,
        "language": language,
        "subject": subject[:300],
        "body_text": body_text,
        "body_html": body_html,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "objection_id": objection_id,
        "user_id": user_id,
        "created_at": now,
    }


def insert_statement(session: Session) -> Any:
    """INSERT ... ON CONFLICT (idempotency_key) DO NOTHING on the outbox table, built once per dialect: a Core
    statement with bound parameters, so SQLAlchemy compiles it once and skips the ORM's per-row work."""
    name = session.get_bind().dialect.name
    statement = _INSERTS.get(name)
    if statement is None:
        dialect = postgresql if name == "postgresql" else sqlite
        statement = dialect.insert(Notification.__table__).on_conflict_do_nothing(index_elements=["idempotency_key"])  # type: ignore[arg-type]
        _INSERTS[name] = statement
    return statement


def insert_messages(session: Session, rows: list[dict]) -> set[str]:
    """Queue many messages in one compiled, batched INSERT that skips keys already queued: the keys actually
    inserted, so a key another process queued meanwhile is neither doubled nor counted."""
    if not rows:
        return set()
    statement = insert_statement(session).returning(Notification.__table__.c.idempotency_key)  # type: ignore[attr-defined]
    return set(session.execute(statement, rows).scalars())


def outbox_counts(session: Session) -> dict[str, int]:
    """Messages per status (pending, sending, sent, dead), zeros included."""
    counts = dict.fromkeys(NOTIFICATION_STATUSES, 0)
    for status, count in session.execute(select(Notification.status, func.count()).group_by(Notification.status)):
        counts[status] = count
    return counts


def failing_count(session: Session) -> int:
    """Pending messages that have failed at least once or wait for the configuration: the ones to look at."""
    return (
        session.scalar(
            select(func.count()).where(Notification.status == "pending", Notification.last_error.is_not(None))
        )
        or 0
    )


def message_kinds(session: Session) -> list[str]:
    return list(session.scalars(select(Notification.kind).distinct().order_by(Notification.kind)))


def list_messages(
    session: Session,
    *,
    status: str | None = None,
    kind: str | None = None,
    failing: bool = False,
    before_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> list[Notification]:
    """Newest first, `limit` at a time; `before_id` pages back."""
    statement = select(Notification).order_by(Notification.id.desc()).limit(limit)
    if status:
        statement = statement.where(Notification.status == status)
    if kind:
        statement = statement.where(Notification.kind == kind)
    if failing:
        statement = statement.where(Notification.last_error.is_not(None))
    if before_id is not None:
        statement = statement.where(Notification.id < before_id)
    return list(session.scalars(statement))


def _load(session: Session, message_id: int) -> Notification:
    message = session.get(Notification, message_id)
    if message is None:
        raise NotFound("no such message")
    return message


def retry_message(session: Session, *, actor: User, message_id: int, now: datetime) -> Notification:
    """A dead (or still waiting) message goes back to the queue for a fresh series of attempts, now."""
    message = _load(session, message_id)
    if message.status not in RETRYABLE:
        raise Conflict(f"a {message.status} message cannot be retried")
    previous = message.status
    message.status = "pending"
    message.attempts = 0
    message.next_attempt_at = now
    message.claimed_at = None
    message.last_error = None
    record_audit(
        session,
        "outbox_retried",
        now=now,
        actor=actor,
        payload={"notification_id": message.id, "kind": message.kind, "was": previous},
    )
    session.flush()
    return message


def resend_message(session: Session, *, actor: User, message_id: int, now: datetime) -> Notification:
    """Queue a copy of a sent message under a key (and so a Message-ID) of its own, so that the recipient's
    server does not discard it as the same message."""
    message = _load(session, message_id)
    if message.status != "sent":
        raise Conflict(f"a {message.status} message cannot be resent: retry it instead")
    prefix = f"{message.idempotency_key}:resend:"
    earlier = session.scalar(
        select(func.count()).where(Notification.idempotency_key.startswith(prefix, autoescape=True))
    )
    key = f"{prefix}{(earlier or 0) + 1}"
    row = message_row(
        key=key,
        recipient=message.recipient,
        kind=message.kind,
        language=message.language,
        subject=message.subject,
        body_text=message.body_text,
        body_html=message.body_html,
        now=now,
        objection_id=message.objection_id,
        user_id=message.user_id,
    )
    if not insert_messages(session, [row]):
        raise Conflict("the copy could not be queued")
    copy = session.scalar(select(Notification).where(Notification.idempotency_key == key))
    record_audit(
        session,
        "outbox_resent",
        now=now,
        actor=actor,
        payload={"notification_id": message.id, "copy_id": copy.id, "kind": message.kind},
    )
    session.flush()
    return copy
