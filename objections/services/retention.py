"""Retention: personal data of objections closed long ago is erased; the statistics and the timeline stay
(PD Law Art. 7(8): data only as long as the purpose needs it; event payloads carry no personal data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from objections.models import Attachment, Clarification, IdempotencyRecord, InternalNote, Objection
from objections.services import attachments as attachment_files
from objections.services.audit import record_audit

ERASED = "—"
BATCH = 500


@dataclass(frozen=True)
class RetentionResult:
    anonymised: int

    def as_dict(self) -> dict[str, int]:
        return {"anonymised": self.anonymised}


def anonymise_expired(session: Session, *, now: datetime, retention_years: int) -> RetentionResult:
    """Erase the personal data of objections closed more than `retention_years` ago, a batch at a time."""
    cutoff = now - timedelta(days=365 * retention_years + retention_years // 4)
    objections = session.scalars(
        select(Objection)
        .where(Objection.closed_at.is_not(None), Objection.closed_at <= cutoff, Objection.anonymised_at.is_(None))
        .limit(BATCH)
    ).all()
    for objection in objections:
        objection.full_name = ERASED
        objection.iin = ""
        objection.iin_index = ""
        objection.email = None
        objection.phone = None
        objection.decision_reference = None
        objection.grounds = ERASED
        objection.reasoning = ERASED if objection.reasoning else objection.reasoning
        objection.actions_taken = ERASED if objection.actions_taken else objection.actions_taken
        objection.notified_by = None
        objection.anonymised_at = now
        files = session.scalars(select(Attachment).where(Attachment.objection_id == objection.id)).all()
        attachment_files.discard_files(attachment_files.attachment_path(a) for a in files)
        for attachment in files:
            session.delete(attachment)
        session.execute(update(InternalNote).where(InternalNote.objection_id == objection.id).values(body=ERASED))
        session.execute(
            update(Clarification).where(Clarification.objection_id == objection.id).values(question=ERASED, reply=None)
        )
        for record in session.scalars(select(IdempotencyRecord).where(IdempotencyRecord.objection_id == objection.id)):
            session.delete(record)
    if objections:
        record_audit(session, "retention_anonymised", now=now, payload={"count": len(objections)})
    session.flush()
    return RetentionResult(anonymised=len(objections))
