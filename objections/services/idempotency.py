"""Idempotent filing: the first response to a key is remembered, and a retry with the same key gets it back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from objections import crypto
from objections.domain.errors import Conflict
from objections.models import IdempotencyRecord, Objection
from objections.services.intake import Filed, ObjectionInput

KEY_MAX_LENGTH = 128


def scoped_key(scope: str, key: str) -> str:
    """The stored key: the channel's prefix keeps the web form's and the API's keys apart."""
    return f"{scope}:{key}"


@dataclass(frozen=True)
class Replay:
    objection: Objection
    access_code: str


def find_replay(session: Session, key: str, data: ObjectionInput) -> Replay | None:
    """The first filing made under `key`, or None when the key is new.
    A key reused for another subject's objection raises Conflict rather than hand out that objection's code."""
    record = session.get(IdempotencyRecord, key)
    if record is None:
        return None
    objection = session.get(Objection, record.objection_id)
    if objection is None:
        return None
    same_subject = objection.iin_index == crypto.keyring().blind_index(data.iin.strip())
    same_organisation = objection.organization.slug == (data.organization or "").strip()
    if not (same_subject and same_organisation):
        raise Conflict("this Idempotency-Key was already used for a different objection")
    return Replay(objection=objection, access_code=record.access_code)


def remember_filing(session: Session, key: str, filed: Filed, *, now: datetime) -> None:
    """Store the filing under `key` in the caller's transaction; a concurrent twin fails on the unique key."""
    session.add(
        IdempotencyRecord(key=key, objection_id=filed.objection.id, access_code=filed.access_code, created_at=now)
    )
    session.flush()
