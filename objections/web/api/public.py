"""The public part of the API: the register of organisations and notices, filing, and tracking with the code."""

from __future__ import annotations

import re
from typing import Annotated

from flask import current_app, jsonify, request, url_for
from flask_babel import force_locale
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy.exc import IntegrityError

from objections import READ_ONLY
from objections.clock import utcnow
from objections.domain.deadlines import format_deadline
from objections.domain.permissions import Access
from objections.extensions import db, limiter
from objections.models import Objection, ProcessingNotice
from objections.models.organization import NOTICE_TEXT_FIELDS
from objections.services import idempotency, intake, notify
from objections.services.public_register import published_register
from objections.web import labels
from objections.web.api import bp
from objections.web.api.errors import ApiError, parse_body, parse_header
from objections.web.api.openapi import Header, Reply, document
from objections.web.api.schemas import (
    DecisionOut,
    LocalizedText,
    NoticeOut,
    ObjectionIn,
    OrganizationOut,
    PublicEvent,
    Receipt,
    Register,
    Tracking,
)
from objections.web.authz import public, requires

REFERENCE = re.compile(r"OB-\d{4}-\d{6,9}", re.IGNORECASE)
IDEMPOTENCY_KEY = Header(
    "Idempotency-Key",
    "Any unique string per objection (a UUID, say): a retry with the same key returns the first response.",
    Annotated[
        str,
        StringConstraints(min_length=1, max_length=idempotency.KEY_MAX_LENGTH - len("api:"), pattern=r"^[\x21-\x7e]+$"),
    ],
)
IDEMPOTENCY_KEY_ADAPTER = IDEMPOTENCY_KEY.adapter  # built once: a TypeAdapter costs more to build than to use
ACCESS_CODE = Header(
    "X-Access-Code",
    "The access code given with the receipt, e.g. ABCD-EFGH-IJKL-MNOP-QRST.",
    Annotated[str, StringConstraints(min_length=1, max_length=64)],
    required=True,
)


def _filing_limit() -> str:
    return current_app.config.get("API_FILING_RATE_LIMIT", "60 per minute")


def _tracking_limit() -> str:
    return current_app.config.get("API_TRACKING_RATE_LIMIT", "30 per minute")


def _texts(values: dict | None) -> LocalizedText:
    values = values or {}
    return LocalizedText(**{language: values.get(language, "") for language in ("kk", "ru", "en")})


def _notice(notice: ProcessingNotice) -> NoticeOut:
    texts = {name: _texts(getattr(notice, name)) for name in NOTICE_TEXT_FIELDS}
    return NoticeOut(
        slug=notice.slug,
        version=notice.version,
        legal_basis=notice.legal_basis,
        risk_class=notice.risk_class,
        autonomy_class=notice.autonomy_class,
        published_at=notice.created_at,
        **texts,
    )


@bp.get("/organizations")
@public
@document(
    summary="The public register: organisations and their published notices",
    tag="public",
    replies={200: Reply("Every active organisation with its current published notices.", Register)},
)
def list_organizations():  # type: ignore[no-untyped-def]
    register = Register(
        items=[
            OrganizationOut(
                slug=organization.slug,
                name=LocalizedText(kk=organization.name_kk, ru=organization.name_ru, en=organization.name_en),
                notices=[_notice(notice) for notice in notices],
            )
            for organization, notices in published_register(db.session)
        ]
    )
    return jsonify(register.model_dump(mode="json"))


class Pong(BaseModel):
    """The no-op endpoint's answer."""

    model_config = ConfigDict(extra="forbid")

    ok: bool


@bp.get("/ping")
@public
@document(
    summary="A no-op: answers at once, touching no database",
    tag="public",
    description=(
        "For clients and load balancers that want to know the API is reachable, and the ceiling against which "
        "the other endpoints are measured (`make bench`). `GET /healthz` also checks the database."
    ),
    replies={200: Reply("The API is reachable.", Pong)},
)
def ping():  # type: ignore[no-untyped-def]
    return jsonify({"ok": True})


def _receipt(objection: Objection, access_code: str, *, replayed: bool):  # type: ignore[no-untyped-def]
    return _receipt_response(_receipt_body(objection, access_code), objection.reference, replayed=replayed)


def _receipt_body(objection: Objection, access_code: str) -> dict:
    return Receipt(
        reference=objection.reference,
        access_code=access_code,
        status=objection.status,
        received_at=objection.received_at,
        deadline_at=objection.deadline_at,
        last_day=objection.last_day,
    ).model_dump(mode="json")


def _receipt_response(body: dict, reference: str, *, replayed: bool):  # type: ignore[no-untyped-def]
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = url_for("api.track_objection", reference=reference, _external=True)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _begin_read_transaction() -> None:
    """Run the checks in a read-only transaction (on SQLite one that takes no write lock)."""
    session = db.session()
    if not session.in_transaction():
        session.connection(execution_options={READ_ONLY: True})


def _end_read_transaction() -> None:
    """Commit the checks' read-only transaction, keeping what it loaded. The write that follows is then a
    transaction of its own, as short as it can be: on SQLite a writing transaction holds the database's one write
    lock, and on PostgreSQL the reference counter's row is locked from its increment to the commit."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


@bp.post("/objections")
@public
@document(
    summary="File an objection",
    tag="public",
    description=(
        "Validated as the web form is. Send an `Idempotency-Key` so that a retry after a lost response returns "
        "the first response (same reference and access code) instead of filing twice."
    ),
    body=ObjectionIn,
    headers=(IDEMPOTENCY_KEY,),
    replies={
        201: Reply(
            "Filed; keep the access code: it is shown only once.", Receipt, headers=("Location", "Idempotent-Replayed")
        )
    },
    errors=(400, 409, 413, 422, 429),
)
@limiter.limit(_filing_limit)
def file_objection():  # type: ignore[no-untyped-def]
    body = parse_body(ObjectionIn)
    key = parse_header(IDEMPOTENCY_KEY.name, IDEMPOTENCY_KEY_ADAPTER)
    data = intake.ObjectionInput(**{**body.model_dump(), "remedies": [remedy.value for remedy in body.remedies]})
    stored_key = idempotency.scoped_key("api", key) if key else None
    _begin_read_transaction()
    if stored_key and (replay := idempotency.find_replay(db.session, stored_key, data)):
        return _receipt(replay.objection, replay.access_code, replayed=True)
    now = utcnow()
    prepared = intake.prepare_filing(
        db.session, data, channel="api", now=now, policy=current_app.config["DEADLINE_POLICY"]
    )
    _end_read_transaction()
    filed = intake.record_filing(db.session, prepared, now=now)
    try:
        if stored_key:
            idempotency.remember_filing(db.session, stored_key, filed, now=now)
        receipt = _receipt_body(filed.objection, filed.access_code)  # before the commit, which expires the row
        db.session.commit()
    except IntegrityError:
        # The same key in a concurrent request won the race: answer with its filing, as a retry would get.
        db.session.rollback()
        if stored_key is None or (replay := idempotency.find_replay(db.session, stored_key, data)) is None:
            raise
        return _receipt(replay.objection, replay.access_code, replayed=True)
    return _receipt_response(receipt, receipt["reference"], replayed=False)


def _tracking(objection: Objection, language: str) -> Tracking:
    decision = None
    if objection.answered_at is not None and objection.outcome:
        decision = DecisionOut(
            outcome=objection.outcome,
            outcome_label=labels.label(labels.OUTCOME, objection.outcome),
            ground=objection.ground,
            ground_label=labels.label(labels.GROUND, objection.ground) if objection.ground else None,
            reasoning=objection.reasoning or "",
            actions_taken=objection.actions_taken or "",
        )
    return Tracking(
        reference=objection.reference,
        organization=objection.organization.slug,
        notice=objection.notice.slug if objection.notice else None,
        status=objection.status,
        received_at=objection.received_at,
        deadline_at=objection.deadline_at,
        last_day=objection.last_day,
        deadline_text=format_deadline(objection.last_day, language),
        answered_at=objection.answered_at,
        decision=decision,
        appeal_routes=notify.appeal_routes(language),
        timeline=[PublicEvent(kind=event.kind, at=event.at) for event in objection.events if event.is_public],
    )


@bp.get("/objections/<reference>")
@requires(Access.SUBJECT)
@document(
    summary="Track an objection with its access code",
    tag="public",
    description=(
        "An unknown reference and a wrong code get the same 404, so neither can be told apart. Texts follow "
        "Accept-Language (kk, ru, en), else the objection's language."
    ),
    headers=(ACCESS_CODE,),
    replies={200: Reply("The subject's view of the objection.", Tracking)},
    errors=(400, 404, 429),
)
@limiter.limit(_tracking_limit)
def track_objection(reference: str):  # type: ignore[no-untyped-def]
    code = parse_header(ACCESS_CODE.name, ACCESS_CODE.adapter)
    if code is None:
        raise ApiError(400, "Send the access code in the X-Access-Code header.")
    objection = intake.find_by_reference(db.session, reference, code) if REFERENCE.fullmatch(reference) else None
    if objection is None:
        raise ApiError(404, "No objection matches this reference and access code.")
    language = request.accept_languages.best_match(current_app.config["LANGUAGES"]) or objection.language
    with force_locale(language):
        body = _tracking(objection, language)
        return jsonify(body.model_dump(mode="json"))
