"""The outbox dispatcher: claim due messages, hand each to the SMTP server, record each result at once.

Unlike other services this one commits: the claim and every message's result are short transactions of their own,
so a crash between the server's acceptance and the row's update resends at most that one message and loses none.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, func, or_, select, update
from sqlalchemy.orm import Session

from objections.models import Notification, Objection
from objections.services import review
from objections.services.events import append_event
from objections.services.mailer import (
    DeliveryFailed,
    Mailer,
    OutgoingMessage,
    SmtpMailer,
    SmtpUrlError,
    parse_smtp_url,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)
"""A row left in 'sending' longer than this belonged to a dispatcher that died: it is sent again."""
BATCH_SIZE = 10
"""Claimed together: even at the 20 s SMTP timeout a batch ends well within the lease."""
RUN_LIMIT = 500
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
NO_SMTP = "SMTP_URL is not set: the message waits in the outbox until it is."
WARN_EVERY = timedelta(minutes=10)
_last_warning: list = [None, None]  # (count, moment) of the last "waiting" warning in this process
RECLAIMED = "The dispatcher stopped while sending this message; it is sent again (it may arrive twice)."


@dataclass
class DispatchResult:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    reclaimed: int = 0
    waiting: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def mailer_from_config(config: Mapping[str, Any]) -> tuple[Mailer | None, str | None]:
    """The SMTP mailer SMTP_URL describes, or None and the reason messages have to wait."""
    url = config.get("SMTP_URL")
    if not url:
        return None, NO_SMTP
    try:
        settings = parse_smtp_url(url)
    except SmtpUrlError as exc:
        return None, f"{exc}: the message waits in the outbox until it is fixed."
    return SmtpMailer(settings, mail_from=config.get("MAIL_FROM") or "objections@localhost"), None


def backoff_delay(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """Exponential from one minute, capped at an hour, with equal jitter (half fixed, half random) so that
    messages that failed together do not all come back together."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(attempts - 1, 0))
    return ceiling / 2 + ceiling / 2 * (rng or random).random()


def reclaim_stale(session: Session, *, now: datetime, lease: timedelta = LEASE) -> int:
    """Put messages stuck in 'sending' for longer than the lease back in the queue."""
    statement = (
        update(Notification)
        .where(Notification.status == "sending", Notification.claimed_at < now - lease)
        .values(status="pending", next_attempt_at=now, last_error=RECLAIMED)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount


def hold_for_configuration(session: Session, *, reason: str, now: datetime) -> int:
    """Without a usable SMTP_URL nothing is sent or dropped: pending messages record why they wait, and the log
    says so when the number waiting changes, and every ten minutes."""
    session.execute(
        update(Notification)
        .where(
            Notification.status == "pending", or_(Notification.last_error.is_(None), Notification.last_error != reason)
        )
        .values(last_error=reason)
        .execution_options(synchronize_session=False)
    )
    waiting = session.scalar(select(func.count()).where(Notification.status == "pending")) or 0
    last_count, last_at = _last_warning
    if waiting and (waiting != last_count or last_at is None or now - last_at >= WARN_EVERY):
        log.warning("outbox: %d message(s) waiting: %s", waiting, reason)
        _last_warning[:] = [waiting, now]
    return waiting


def claim_due(session: Session, *, now: datetime, limit: int) -> list[Row]:
    """Mark up to `limit` due messages 'sending' and return them. On SQLite the transaction already began with
    BEGIN IMMEDIATE, so no other dispatcher reads them in between; on PostgreSQL SKIP LOCKED passes over rows
    another dispatcher is claiming."""
    due = (
        select(Notification.id)
        .where(Notification.status == "pending", Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Materialised, so the locked rows are chosen once: a plain IN (... LIMIT ... SKIP LOCKED) subquery may be
        # run again for each row and claim more than `limit`.
        claimable = due.with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED")
        chosen = select(claimable.c.id).scalar_subquery()
    else:
        chosen = due.scalar_subquery()
    statement = (
        update(Notification)
        .where(Notification.id.in_(chosen), Notification.status == "pending")
        .values(status="sending", claimed_at=now, attempts=Notification.attempts + 1)
        .returning(
            Notification.id,
            Notification.idempotency_key,
            Notification.recipient,
            Notification.subject,
            Notification.body_text,
            Notification.body_html,
            Notification.language,
            Notification.kind,
            Notification.objection_id,
            Notification.attempts,
        )
        .execution_options(synchronize_session=False)
    )
    return sorted(session.execute(statement).all(), key=lambda row: row.id)


def dispatch_due(
    session: Session,
    *,
    mailer: Mailer | None,
    clock: Callable[[], datetime],
    unavailable_reason: str | None = NO_SMTP,
    batch_size: int = BATCH_SIZE,
    limit: int = RUN_LIMIT,
    max_attempts: int = MAX_ATTEMPTS,
    lease: timedelta = LEASE,
    rng: random.Random | None = None,
) -> DispatchResult:
    """Send up to `limit` due messages in claimed batches. The run spans real time, so each claim and each
    result is stamped by `clock` when it happens. Commits after every step."""
    result = DispatchResult()
    result.reclaimed = reclaim_stale(session, now=clock(), lease=lease)
    session.commit()
    if mailer is None:
        result.waiting = hold_for_configuration(session, reason=unavailable_reason or NO_SMTP, now=clock())
        session.commit()
        return result
    handled = 0
    try:
        while handled < limit:
            batch = claim_due(session, now=clock(), limit=min(batch_size, limit - handled))
            session.commit()
            if not batch:
                break
            for row in batch:
                _deliver(session, mailer, row, clock=clock, max_attempts=max_attempts, rng=rng, result=result)
                session.commit()
            handled += len(batch)
    finally:
        mailer.close()
    return result


def _deliver(
    session: Session,
    mailer: Mailer,
    row: Row,
    *,
    clock: Callable[[], datetime],
    max_attempts: int,
    rng: random.Random | None,
    result: DispatchResult,
) -> None:
    message = OutgoingMessage(
        key=row.idempotency_key,
        recipient=row.recipient,
        subject=row.subject,
        body_text=row.body_text,
        body_html=row.body_html,
        language=row.language,
    )
    try:
        mailer.send(message, now=clock())
    except DeliveryFailed as failure:
        now = clock()
        if failure.permanent or row.attempts >= max_attempts:
            _bury(session, row, reason=failure.reason, now=now)
            result.dead += 1
            log.warning("outbox: message %d is dead after %d attempt(s): %s", row.id, row.attempts, failure.reason)
        else:
            _postpone(session, row, reason=failure.reason, now=now, rng=rng)
            result.retried += 1
            log.info("outbox: message %d will be retried: %s", row.id, failure.reason)
        return
    now = clock()
    session.execute(
        update(Notification)
        .where(Notification.id == row.id, Notification.status != "sent")
        .values(status="sent", sent_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )
    result.sent += 1
    if row.kind == "answer" and row.objection_id is not None:
        objection = session.get(Objection, row.objection_id)
        if objection is not None and objection.answer_undelivered_at is not None:
            objection.answer_undelivered_at = None
            append_event(session, objection, "answer_delivered", now=now, payload={"notification_id": row.id})


def _postpone(session: Session, row: Row, *, reason: str, now: datetime, rng: random.Random | None) -> None:
    session.execute(
        update(Notification)
        .where(Notification.id == row.id, Notification.status == "sending")
        .values(status="pending", next_attempt_at=now + backoff_delay(row.attempts, rng=rng), last_error=reason)
        .execution_options(synchronize_session=False)
    )


def _bury(session: Session, row: Row, *, reason: str, now: datetime) -> None:
    """A dead answer flags its objection: the subject has to be notified by other means."""
    session.execute(
        update(Notification)
        .where(Notification.id == row.id, Notification.status == "sending")
        .values(status="dead", last_error=reason)
        .execution_options(synchronize_session=False)
    )
    if row.kind == "answer":
        notification = session.get(Notification, row.id)
        if notification is not None:
            review.flag_undelivered_answer(session, notification, now=now)
            session.flush()
