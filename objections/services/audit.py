"""The security audit chain: administrative and security actions, each row chained to the previous."""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from objections.models import AuditEvent, User

GENESIS = "0" * 64
# On PostgreSQL, appending to the chain takes this transaction-scoped advisory lock, so two transactions never read
# the same last row and chain to it twice. SQLite needs none: every write transaction there begins IMMEDIATE.
CHAIN_LOCK_KEY = zlib.crc32(b"objections-audit-chain")


def audit_hash(prev_hash: str, *, kind: str, actor_id: int | None, payload: dict[str, Any], at: datetime) -> str:
    body = json.dumps(
        {"kind": kind, "actor_id": actor_id, "payload": payload, "at": at.isoformat()},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def record_audit(
    session: Session, kind: str, *, now: datetime, actor: User | None = None, payload: dict[str, Any] | None = None
) -> AuditEvent:
    payload = dict(payload or {})
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(CHAIN_LOCK_KEY)))
    last = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    prev = last or GENESIS
    actor_id = actor.id if actor else None
    row = AuditEvent(
        kind=kind,
        actor_id=actor_id,
        payload=payload,
        at=now,
        prev_hash=prev,
        hash=audit_hash(prev, kind=kind, actor_id=actor_id, payload=payload, at=now),
    )
    session.add(row)
    session.flush()
    return row
