"""Actions on a case from its file: assign, note, ask for clarification, record a notification, forward."""

from __future__ import annotations

from flask import request
from flask_babel import gettext
from werkzeug.wrappers import Response

from objections.clock import utcnow
from objections.domain import lifecycle
from objections.extensions import db
from objections.models import Objection
from objections.services import casework, clarifications, review
from objections.web.operator import (
    actor,
    assign_form_for,
    bp,
    case_for,
    forward_form_for,
    operator_required,
    page_language,
    perform,
    render_case,
)
from objections.web.operator_forms import ClarificationForm, NoteForm, OfflineNotificationForm, to_utc


@bp.post("/<reference>/assign")
@operator_required
def assign(reference: str) -> Response | tuple[str, int]:
    user = actor()
    objection = case_for(reference, user)
    form = assign_form_for(user, request.form)
    if not form.validate_on_submit():
        return render_case(objection, 422, assign_form=form)
    target = (
        None
        if form.assignee.data == "me"
        else casework.find_colleague(db.session, user.organization_id or 0, int(form.assignee.data))
    )
    return perform(
        objection,
        lambda: review.assign(db.session, objection, actor=user, assignee=target, now=utcnow()),
        gettext("The case is assigned to %(name)s.", name=(target or user).full_name or (target or user).email),
        assign_form=form,
    )


@bp.post("/<reference>/notes")
@operator_required
def add_note(reference: str) -> Response | tuple[str, int]:
    user = actor()
    objection = case_for(reference, user)
    form = NoteForm()
    if not form.validate_on_submit():
        return render_case(objection, 422, note_form=form)
    return perform(
        objection,
        lambda: casework.add_note(db.session, objection, actor=user, body=form.body.data or "", now=utcnow()),
        gettext("The note is added. The subject never sees internal notes."),
        note_form=form,
    )


@bp.post("/<reference>/clarifications")
@operator_required
def request_clarification(reference: str) -> Response | tuple[str, int]:
    user = actor()
    objection = case_for(reference, user)
    form = ClarificationForm()
    if not form.validate_on_submit():
        return render_case(objection, 422, clarify_form=form)
    sent = (
        gettext("The question is sent to the subject by e-mail and shown on their tracking page.")
        if objection.email
        else gettext("The question is shown on the subject's tracking page; they gave no e-mail, so call or write.")
    )
    return perform(
        objection,
        lambda: clarifications.request_clarification(
            db.session, objection, actor=user, question=form.question.data or "", now=utcnow()
        ),
        sent + " " + gettext("The deadline does not stop."),
        clarify_form=form,
    )


@bp.post("/<reference>/notified")
@operator_required
def record_notification(reference: str) -> Response | tuple[str, int]:
    user = actor()
    objection = case_for(reference, user)
    form = OfflineNotificationForm()
    if not form.validate_on_submit():
        return render_case(objection, 422, notify_form=form)
    record = (
        review.record_notification_after_failed_email
        if objection.answer_undelivered_at is not None
        else review.record_offline_notification
    )
    return perform(
        objection,
        lambda: record(
            db.session,
            objection,
            actor=user,
            channel=form.channel.data or "",
            notified_at=to_utc(form.notified_at.data),  # type: ignore[arg-type]
            by=form.by.data or "",
            now=utcnow(),
        ),
        gettext("The notification is recorded: the subject has the answer."),
        notify_form=form,
    )


@bp.post("/<reference>/forward")
@operator_required
def forward(reference: str) -> Response | tuple[str, int]:
    user = actor()
    objection = case_for(reference, user)
    form = forward_form_for(user, objection, request.form)
    if not form.validate_on_submit():
        return render_case(objection, 422, forward_form=form)
    result: dict[str, Objection] = {}

    def run() -> None:
        result["new"] = casework.forward_objection(
            db.session,
            objection,
            actor=user,
            to_organization=form.to_organization.data or "",
            reasoning=form.reasoning.data or "",
            language=form.language.data,
            expected_version=form.row_version.data,
            now=utcnow(),
        )

    def told() -> str:
        new = result["new"]
        message = gettext(
            "Forwarded to %(organisation)s, registered there as %(reference)s.",
            organisation=new.organization.name(page_language()),
            reference=new.reference,
        )
        if objection.status == lifecycle.Status.ANSWERED:
            return message + " " + gettext("The subject is answered by e-mail.")
        return message + " " + gettext("Tell the subject by post or phone, then record it below.")

    return perform(objection, run, told, forward_form=form)
