"""Recomputing every chain: each objection's timeline, the security audit chain and the daily anchors."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from objections.models import AuditAnchor, AuditEvent, ObjectionEvent
from objections.services import audit, events


@dataclass
class VerifyReport:
    chains: int = 0
    rows: int = 0
    anchors: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _heads(session: Session, *, until: datetime | None = None) -> list[tuple[str, str]]:
    """(chain name, head hash) for every chain, as of `until` when given."""
    event_filter = [] if until is None else [ObjectionEvent.at <= until]
    last_seq = (
        select(ObjectionEvent.objection_id, func.max(ObjectionEvent.seq).label("seq"))
        .where(*event_filter)
        .group_by(ObjectionEvent.objection_id)
        .subquery()
    )
    rows = session.execute(
        select(ObjectionEvent.objection_id, ObjectionEvent.hash).join(
            last_seq,
            (ObjectionEvent.objection_id == last_seq.c.objection_id) & (ObjectionEvent.seq == last_seq.c.seq),
        )
    ).all()
    heads = [(f"objection:{row.objection_id}", row.hash) for row in rows]
    audit_filter = [] if until is None else [AuditEvent.at <= until]
    audit_head = session.scalar(select(AuditEvent.hash).where(*audit_filter).order_by(AuditEvent.id.desc()).limit(1))
    if audit_head:
        heads.append(("audit", audit_head))
    return sorted(heads)


def heads_digest(heads: list[tuple[str, str]]) -> str:
    return hashlib.sha256("\n".join(f"{name}={value}" for name, value in heads).encode()).hexdigest()


def write_anchor(session: Session, *, now: datetime) -> AuditAnchor:
    """Hash the heads of all chains, so that a deleted chain is noticed too."""
    heads = _heads(session, until=now)
    anchor = AuditAnchor(at=now, heads_hash=heads_digest(heads), chain_count=len(heads))
    session.add(anchor)
    session.flush()
    return anchor


def verify_all(session: Session) -> VerifyReport:
    """Recompute every row's hash; name the first broken row of each chain."""
    report = VerifyReport()
    current: int | None = None
    expected_prev = events.GENESIS
    expected_seq = 1
    broken: set[int] = set()
    for row in session.scalars(select(ObjectionEvent).order_by(ObjectionEvent.objection_id, ObjectionEvent.seq)):
        if row.objection_id != current:
            current, expected_prev, expected_seq = row.objection_id, events.GENESIS, 1
            report.chains += 1
        report.rows += 1
        if row.objection_id in broken:
            continue
        recomputed = events.event_hash(
            row.prev_hash,
            objection_id=row.objection_id,
            seq=row.seq,
            kind=row.kind,
            actor_kind=row.actor_kind,
            actor_id=row.actor_id,
            payload=row.payload,
            at=row.at,
        )
        problem = None
        if row.seq != expected_seq:
            problem = f"expected seq {expected_seq}, found {row.seq} (a row was deleted or inserted)"
        elif row.prev_hash != expected_prev:
            problem = "prev_hash does not match the previous row (a row was deleted or inserted)"
        elif recomputed != row.hash:
            problem = "content does not match its hash (the row was edited)"
        if problem:
            broken.add(row.objection_id)
            report.problems.append(
                f"objection_events id={row.id} (objection {row.objection_id}, seq {row.seq}): {problem}"
            )
        expected_prev, expected_seq = row.hash, row.seq + 1

    expected_prev = audit.GENESIS
    audit_rows = 0
    for row in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        audit_rows += 1
        recomputed = audit.audit_hash(
            row.prev_hash, kind=row.kind, actor_id=row.actor_id, payload=row.payload, at=row.at
        )
        if row.prev_hash != expected_prev:
            report.problems.append(
                f"audit_events id={row.id}: prev_hash does not match (a row was deleted or inserted)"
            )
            break
        if recomputed != row.hash:
            report.problems.append(f"audit_events id={row.id}: content does not match its hash (the row was edited)")
            break
        expected_prev = row.hash
    if audit_rows:
        report.chains += 1
        report.rows += audit_rows

    for anchor in session.scalars(select(AuditAnchor).order_by(AuditAnchor.id)):
        report.anchors += 1
        heads = _heads(session, until=anchor.at)
        if heads_digest(heads) != anchor.heads_hash:
            report.problems.append(
                f"audit_anchors id={anchor.id} ({anchor.at.isoformat()}): the heads of the chains differ from the "
                f"anchor ({len(heads)} chains now, {anchor.chain_count} then): a chain was deleted or changed"
            )
    return report
