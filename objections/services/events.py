"""Appending to an objection's timeline, each row chained to the previous one's hash."""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from objections.models import Objection, ObjectionEvent, User

GENESIS = "0" * 64
CHAIN_LOCK_CLASS = zlib.crc32(b"objections-case-chain") & 0x7FFFFFFF  # the first key of (class, objection id)
# Kinds the subject sees on the tracking page; the rest are for staff only.
PUBLIC_KINDS = frozenset(
    {
        "received",
        "assigned",
        "clarification_requested",
        "clarification_replied",
        "decided",
        "answered",
        "notified_offline",
        "withdrawn",
        "appealed",
        "closed",
        "deadline_changed",
        "forwarded_in",
    }
)


def event_hash(
    prev_hash: str,
    *,
    objection_id: int,
    seq: int,
    kind: str,
    actor_kind: str,
    actor_id: int | None,
    payload: dict[str, Any],
    at: datetime,
) -> str:
    body = json.dumps(
        {
            "objection_id": objection_id,
            "seq": seq,
            "kind": kind,
            "actor_kind": actor_kind,
            "actor_id": actor_id,
            "payload": payload,
            "at": at.isoformat(),
        },
        sort_keys=True,
        ensure_ascii=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


_LAST_LINK = (
    select(ObjectionEvent.seq, ObjectionEvent.hash)
    .where(ObjectionEvent.objection_id == bindparam("objection_id"))
    .order_by(ObjectionEvent.seq.desc())
    .limit(1)
)


def append_event(
    session: Session,
    objection: Objection,
    kind: str,
    *,
    now: datetime,
    actor: User | None = None,
    actor_kind: str | None = None,
    payload: dict[str, Any] | None = None,
    first: bool = False,
) -> ObjectionEvent:
    """Add one timeline entry in the caller's transaction. Payloads carry references, not personal data.
    `first`: the objection was inserted in this very transaction, so its chain is empty and no other transaction
    can see it yet: the entry opens the chain without looking for, or waiting on, an earlier one."""
    if objection.id is None:
        session.flush()
    if first:
        last = None
    elif session.get_bind().dialect.name == "postgresql":
        # Appends to one case's chain take turns until their transactions end, so two of them (a decision and a
        # supervisor's reading, say) never claim the same place. SQLite's write transactions already take turns.
        session.execute(select(func.pg_advisory_xact_lock(CHAIN_LOCK_CLASS, objection.id)))
    if not first:
        last = session.execute(_LAST_LINK, {"objection_id": objection.id}).first()
    seq = (last.seq + 1) if last else 1
    prev = last.hash if last else GENESIS
    kind_of_actor = actor_kind or ("staff" if actor is not None else "system")
    payload = dict(payload or {})
    at = now.replace(microsecond=now.microsecond)
    event = ObjectionEvent(
        objection_id=objection.id,
        seq=seq,
        kind=kind,
        actor_kind=kind_of_actor,
        actor_id=actor.id if actor else None,
        payload=payload,
        is_public=kind in PUBLIC_KINDS,
        at=at,
        prev_hash=prev,
        hash=event_hash(
            prev,
            objection_id=objection.id,
            seq=seq,
            kind=kind,
            actor_kind=kind_of_actor,
            actor_id=actor.id if actor else None,
            payload=payload,
            at=at,
        ),
    )
    session.add(event)
    session.flush()
    return event
