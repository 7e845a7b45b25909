"""The operators' part of the API: list, read, assign, decide and record notification, within one organisation."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from flask import jsonify, request, url_for
from pydantic import StringConstraints

from objections.clock import utcnow
from objections.domain.calendar import LOCAL_TZ
from objections.domain.errors import ValidationFailed
from objections.extensions import db
from objections.models import Objection
from objections.security_log import actor_of, loggable_reference, security_event
from objections.services import access_log, case_listing, review
from objections.web.api import bp, case_output
from objections.web.api.auth import api_user, require_case_worker
from objections.web.api.case_schemas import (
    AssignIn,
    CaseDetail,
    CasePage,
    CaseQuery,
    CaseSummary,
    DecisionIn,
    NotifiedIn,
)
from objections.web.api.errors import ApiError, parse_body, parse_header, parse_query
from objections.web.api.openapi import Header, Reply, document
from objections.web.api.public import REFERENCE

IF_MATCH = Header(
    "If-Match",
    "The ETag of your last read: the change is refused with 412 if the objection changed since.",
    Annotated[str, StringConstraints(min_length=1, max_length=200)],
)
CASE_ERRORS = (401, 403, 404)
CHANGE_ERRORS = (400, 401, 403, 404, 409, 412, 413, 422)


def _load(reference: str) -> Objection:
    """The objection of the token's organisation; another organisation's is as unknown as a missing one."""
    found = REFERENCE.fullmatch(reference) and case_listing.find_case(db.session, actor=api_user(), reference=reference)
    if not found:
        security_event(
            "case_not_found", outcome="denied", **actor_of(api_user()), reference=loggable_reference(reference)
        )
        raise ApiError(404, "No objection with this reference in your organisation.")
    return found


def _check_precondition(objection: Objection) -> None:
    """If-Match, when sent, must name the objection's current ETag (or be *)."""
    if parse_header(IF_MATCH.name, IF_MATCH.adapter) is None:
        return
    if not request.if_match.contains(case_output.etag(objection)):
        raise ApiError(412, "The objection changed since you read it: read it again, then retry with its ETag.")


def _received_from(value: datetime | date | None) -> datetime | None:
    """A moment as given; a day from its 00:00 in Astana."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(value, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)


def _received_before(value: datetime | date | None) -> datetime | None:
    """The exclusive end of `received_to`: just after a moment, or the next day's 00:00 in Astana."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value + timedelta(microseconds=1)
    return _received_from(value + timedelta(days=1))


def _filters(query: CaseQuery) -> case_listing.CaseFilter:
    actor = api_user()
    assignee_id, unassigned = None, False
    if query.assignee == "me":
        assignee_id = actor.id
    elif query.assignee == "none":
        unassigned = True
    elif query.assignee is not None:
        colleague = case_listing.find_colleague(db.session, actor=actor, email=query.assignee)
        if colleague is None:
            raise ValidationFailed({"assignee": ["unknown"]})
        assignee_id = colleague.id
    return case_listing.CaseFilter(
        status=query.status.value if query.status else None,
        assignee_id=assignee_id,
        unassigned=unassigned,
        breached=query.breached,
        received_from=_received_from(query.received_from),
        received_before=_received_before(query.received_to),
    )


@bp.get("/cases")
@document(
    summary="Your organisation's objections, nearest deadline first",
    tag="cases",
    description="Paginated: follow `next` until it is null; every objection appears exactly once.",
    query=CaseQuery,
    replies={200: Reply("One page.", CasePage)},
    errors=(400, *CASE_ERRORS, 422),
    bearer=True,
)
@require_case_worker
def list_cases():  # type: ignore[no-untyped-def]
    query = parse_query(CaseQuery)
    filters, after, now = _filters(query), case_output.decode_cursor(query.cursor), utcnow()
    page = case_listing.list_cases(
        db.session, actor=api_user(), filters=filters, after=after, limit=query.limit, now=now
    )
    next_url = None
    if page.next is not None:
        given = {name: value for name, value in request.args.items() if name in CaseQuery.model_fields}
        next_url = url_for(
            "api.list_cases", _external=True, **{**given, "cursor": case_output.encode_cursor(page.next)}
        )
    body = CasePage(
        items=[CaseSummary(**case_output.summary(objection, now)) for objection in page.items], next=next_url
    )
    db.session.commit()
    return jsonify(body.model_dump(mode="json"))


@bp.get("/cases/<reference>")
@document(
    summary="One objection, with its timeline and an ETag",
    tag="cases",
    replies={200: Reply("The objection.", CaseDetail, headers=("ETag",))},
    errors=CASE_ERRORS,
    bearer=True,
)
@require_case_worker
def get_case(reference: str):  # type: ignore[no-untyped-def]
    objection = _load(reference)
    access_log.record_view(db.session, objection, actor=api_user(), via="api", now=utcnow())
    response = case_output.detail_response(objection)
    db.session.commit()
    return response


@bp.post("/cases/<reference>/assign")
@document(
    summary="Assign the objection to yourself or a colleague",
    tag="cases",
    body=AssignIn,
    headers=(IF_MATCH,),
    replies={200: Reply("Assigned.", CaseDetail, headers=("ETag",))},
    errors=CHANGE_ERRORS,
    bearer=True,
)
@require_case_worker
def assign_case(reference: str):  # type: ignore[no-untyped-def]
    body = parse_body(AssignIn)
    objection = _load(reference)
    _check_precondition(objection)
    actor = api_user()
    assignee = None
    if body.assignee is not None:
        assignee = case_listing.find_colleague(db.session, actor=actor, email=body.assignee)
        if assignee is None:
            raise ValidationFailed({"assignee": ["unknown"]})
    review.assign(db.session, objection, actor=actor, assignee=assignee, now=utcnow())
    db.session.commit()
    return case_output.detail_response(objection)


@bp.post("/cases/<reference>/decision")
@document(
    summary="Record the decision and, with notify, answer the subject by e-mail",
    tag="cases",
    description=(
        "With `notify` (the default) the answer is published on the tracking page and e-mailed in the same "
        "transaction: the subject is then notified. Send the ETag you read in If-Match so no update is lost."
    ),
    body=DecisionIn,
    headers=(IF_MATCH,),
    replies={200: Reply("Decided (and answered, with notify).", CaseDetail, headers=("ETag",))},
    errors=CHANGE_ERRORS,
    bearer=True,
)
@require_case_worker
def decide_case(reference: str):  # type: ignore[no-untyped-def]
    body = parse_body(DecisionIn)
    objection = _load(reference)
    _check_precondition(objection)
    actor, now = api_user(), utcnow()
    decision = review.DecisionInput(
        outcome=body.outcome.value,
        reasoning=body.reasoning,
        actions_taken=body.actions_taken,
        ground=body.ground.value if body.ground else None,
        language=body.language,
        duplicate_of=body.duplicate_of,
        forward_to=body.forward_to,
    )
    review.decide(db.session, objection, decision, actor=actor, now=now)
    if body.notify:
        try:
            review.answer_by_email(db.session, objection, actor=actor, now=now)
        except ValidationFailed as exc:
            errors = {"notify" if name == "email" else name: codes for name, codes in exc.errors.items()}
            raise ValidationFailed(errors) from None
    db.session.commit()
    return case_output.detail_response(objection)


@bp.post("/cases/<reference>/notified")
@document(
    summary="Record that the subject was told the answer by post, phone or in person",
    tag="cases",
    body=NotifiedIn,
    headers=(IF_MATCH,),
    replies={200: Reply("Answered.", CaseDetail, headers=("ETag",))},
    errors=CHANGE_ERRORS,
    bearer=True,
)
@require_case_worker
def record_notified(reference: str):  # type: ignore[no-untyped-def]
    body = parse_body(NotifiedIn)
    objection = _load(reference)
    _check_precondition(objection)
    review.record_offline_notification(
        db.session, objection, actor=api_user(), channel=body.channel, notified_at=body.at, by=body.by, now=utcnow()
    )
    db.session.commit()
    return case_output.detail_response(objection)
