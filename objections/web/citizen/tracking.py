"""Tracking an objection: lookup by reference and access code or by signed link, the subject's page, withdrawal,
appeal, replies to clarification requests, attachments, the printable summary, and re-sending the link."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from objections.clock import utcnow
from objections.domain import lifecycle
from objections.domain.errors import IllegalTransition, NotFound, ValidationFailed
from objections.domain.permissions import Access
from objections.domain.timefmt import format_local_datetime
from objections.extensions import db, limiter
from objections.models import Objection
from objections.services import attachments, clarifications, intake, notify, presenters, review
from objections.services import tracking as tracking_service
from objections.web.authz import public, requires
from objections.web.citizen import bp
from objections.web.citizen.common import (
    configured_limit,
    grant,
    page_language,
    show_errors,
    subject_objection,
    to_lookup,
)
from objections.web.citizen_forms import AppealForm, ReplyForm, ResendForm, TrackForm, WithdrawForm
from objections.web.labels import error_messages
from objections.web.operator_display import time_left_text

STATUS_EXPLAINED = {
    "received": _l("The organisation has your objection. Nobody has started on it yet."),
    "in_review": _l("A member of the organisation's staff is considering your objection."),
    "decided": _l("The organisation has decided. The answer is on its way to you."),
    "answered": _l("The organisation has answered your objection. The answer is below."),
    "closed": _l("The objection is closed. The answer is below."),
    "withdrawn": _l("You withdrew this objection."),
}
EVENT_KINDS = {
    "received": _l("Objection received"),
    "assigned": _l("Taken up by the organisation's staff"),
    "clarification_requested": _l("The organisation asked you a question"),
    "clarification_replied": _l("You replied to the question"),
    "decided": _l("Decision taken"),
    "answered": _l("Answer sent to you"),
    "notified_offline": _l("Answer given to you by post, phone or in person"),
    "withdrawn": _l("You withdrew the objection"),
    "appealed": _l("You recorded an appeal"),
    "closed": _l("Closed"),
    "deadline_changed": _l("Deadline changed because the working calendar changed"),
    "forwarded_in": _l("Forwarded here by another organisation"),
}


@bp.route("/track", methods=["GET", "POST"])
@public
@limiter.limit(configured_limit("TRACKING_RATE_LIMIT", "20/minute"), methods=["POST"])
def track():  # type: ignore[no-untyped-def]
    form = TrackForm()
    if request.method == "GET":
        form.reference.data = request.args.get("reference", "")[:40]
        return render_template("citizen/track.html", form=form)
    if not form.validate():
        return render_template("citizen/track.html", form=form), 422
    objection = intake.find_by_reference(db.session, form.reference.data or "", form.access_code.data or "")
    if objection is None:
        # Alike for an unknown reference and a wrong code: nobody learns which references exist.
        form.access_code.data = ""
        return render_template("citizen/track.html", form=form, not_found=True), 404
    grant(objection.reference)
    return redirect(url_for("citizen.tracking", reference=objection.reference), 303)


@bp.get("/track/link/<token>")
@requires(Access.SUBJECT)
def track_link(token: str):  # type: ignore[no-untyped-def]
    reference = notify.read_tracking_token(token)
    objection = tracking_service.objection_by_reference(db.session, reference) if reference else None
    if objection is None:
        return render_template("citizen/link_invalid.html"), 404
    grant(objection.reference)
    return redirect(url_for("citizen.tracking", reference=objection.reference))


def may_appeal(objection: Objection, now: datetime) -> bool:
    """Offer the appeal once: after an answer, or once the deadline has passed without one; never if withdrawn."""
    if objection.appealed_at is not None or objection.status == lifecycle.Status.WITHDRAWN:
        return False
    return objection.answered_at is not None or now >= objection.deadline_at


def tracking_context(objection: Objection, now: datetime) -> dict:
    """Everything the subject's page and the printable summary show."""
    language = page_language()
    standing = presenters.standing_of(objection, now)
    time_left = standing.time_left
    return {
        "objection": objection,
        "language": language,
        "status_text": str(STATUS_EXPLAINED.get(objection.status, "")),
        "events": [
            (str(EVENT_KINDS.get(e.kind, e.kind)), format_local_datetime(e.at, language))
            for e in objection.events
            if e.is_public
        ],
        "received_text": format_local_datetime(objection.received_at, language),
        "deadline": presenters.deadline_view(db.session, objection, language),
        "standing": standing,
        # Whole days and hours, rounded down: never overstate the time left before a legal deadline.
        "time_left_text": time_left_text(standing) if time_left and time_left.total_seconds() > 0 else None,
        "answered_text": format_local_datetime(objection.answered_at, language) if objection.answered_at else None,
        "appealed_text": format_local_datetime(objection.appealed_at, language) if objection.appealed_at else None,
        "overdue_unanswered": objection.answered_at is None and now >= objection.deadline_at,
        "appeal_routes": notify.appeal_routes(language),
        "may_withdraw": lifecycle.can(objection.status, lifecycle.Action.WITHDRAW),
        "may_appeal": may_appeal(objection, now),
        "clarifications": [
            (c, format_local_datetime(c.asked_at, language))
            for c in tracking_service.clarifications_of(db.session, objection)
        ],
        "attachments": attachments.attachments_of(db.session, objection),
        "forwarded_to": tracking_service.forwarded_to(db.session, objection),
    }


def render_tracking(
    objection: Objection,
    status: int = 200,
    *,
    withdraw_form: WithdrawForm | None = None,
    reply_forms: dict[int, ReplyForm] | None = None,
):  # type: ignore[no-untyped-def]
    context = tracking_context(objection, utcnow())
    bound = reply_forms or {}
    context["withdraw_form"] = withdraw_form or WithdrawForm(formdata=None)
    context["appeal_form"] = AppealForm(formdata=None)
    context["reply_forms"] = {
        c.id: bound.get(c.id) or ReplyForm(prefix=f"c{c.id}", formdata=None)
        for c, _asked in context["clarifications"]
        if c.reply is None
    }
    return render_template("citizen/tracking.html", **context), status


def _back_to(objection: Objection) -> Response:
    return redirect(url_for("citizen.tracking", reference=objection.reference), 303)


@bp.get("/track/<reference>", endpoint="tracking")
@requires(Access.SUBJECT)
def tracking_page(reference: str):  # type: ignore[no-untyped-def]
    objection = subject_objection(reference)
    if objection is None:
        return to_lookup(reference)
    return render_tracking(objection)


@bp.post("/track/<reference>/withdraw")
@requires(Access.SUBJECT)
def withdraw(reference: str):  # type: ignore[no-untyped-def]
    objection = subject_objection(reference)
    if objection is None:
        return to_lookup(reference)
    form = WithdrawForm()
    if not form.validate():
        return render_tracking(objection, 422, withdraw_form=form)
    try:
        review.withdraw(db.session, objection, now=utcnow())
        db.session.commit()
    except IllegalTransition:
        db.session.rollback()
        flash(gettext("This objection can no longer be withdrawn: the organisation has already decided."), "error")
        return _back_to(objection)
    flash(gettext("You withdrew your objection. It is closed."), "success")
    return _back_to(objection)


@bp.post("/track/<reference>/appeal")
@requires(Access.SUBJECT)
def appeal(reference: str):  # type: ignore[no-untyped-def]
    objection = subject_objection(reference)
    if objection is None:
        return to_lookup(reference)
    try:
        review.appeal(db.session, objection, now=utcnow())
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        for messages in error_messages(exc.errors).values():
            for message in messages:
                flash(message, "error")
        return _back_to(objection)
    flash(gettext("Your appeal is recorded. Here is how to take it further, and a summary to attach."), "success")
    return redirect(url_for("citizen.summary", reference=objection.reference), 303)


@bp.post("/track/<reference>/clarifications/<int:clarification_id>/reply")
@requires(Access.SUBJECT)
def reply(reference: str, clarification_id: int):  # type: ignore[no-untyped-def]
    objection = subject_objection(reference)
    if objection is None:
        return to_lookup(reference)
    form = ReplyForm(prefix=f"c{clarification_id}")
    if not form.validate():
        return render_tracking(objection, 422, reply_forms={clarification_id: form})
    try:
        clarifications.reply_to_clarification(
            db.session, objection, clarification_id=clarification_id, reply=form.reply.data or "", now=utcnow()
        )
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        if "clarification_id" in exc.errors:
            abort(404)
        show_errors(form, exc.errors)
        return render_tracking(objection, 422, reply_forms={clarification_id: form})
    flash(gettext("Your reply has been sent to the organisation."), "success")
    return _back_to(objection)


@bp.get("/track/<reference>/summary")
@requires(Access.SUBJECT)
def summary(reference: str):  # type: ignore[no-untyped-def]
    objection = subject_objection(reference)
    if objection is None:
        return to_lookup(reference)
    now = utcnow()
    context = tracking_context(objection, now)
    context["printed_text"] = format_local_datetime(now, context["language"])
    return render_template("citizen/summary.html", **context)


@bp.get("/track/<reference>/attachments/<int:attachment_id>")
@requires(Access.SUBJECT)
def attachment(reference: str, attachment_id: int):  # type: ignore[no-untyped-def]
    objection = subject_objection(reference)
    if objection is None:
        abort(404)
    try:
        found = attachments.attachment_for(db.session, objection, attachment_id)
    except NotFound:
        abort(404)
    response = send_file(
        attachments.attachment_path(found),
        mimetype=found.content_type,
        as_attachment=True,
        download_name=attachments.download_name(found),
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/track/resend", methods=["GET", "POST"])
@public
@limiter.limit(configured_limit("RESEND_RATE_LIMIT", "5/minute"), methods=["POST"])
def resend():  # type: ignore[no-untyped-def]
    form = ResendForm()
    if request.method == "GET":
        form.reference.data = request.args.get("reference", "")[:40]
        return render_template("citizen/resend.html", form=form)
    if not form.validate():
        return render_template("citizen/resend.html", form=form), 422
    tracking_service.resend_tracking_link(
        db.session, reference=form.reference.data or "", email=form.email.data or "", now=utcnow()
    )
    db.session.commit()
    flash(
        gettext(
            "If the reference and the e-mail address belong to the same objection, we have sent its tracking link "
            "to that address. It may take a few minutes to arrive."
        ),
        "info",
    )
    return redirect(url_for("citizen.track"), 303)
