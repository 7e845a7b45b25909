"""The decision page: outcome, reasons and actions, a preview of exactly what the subject receives, then
"Decide and notify" in one transaction."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from objections.clock import utcnow
from objections.domain.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from objections.extensions import db
from objections.models import Objection
from objections.services import casework, presenters, review
from objections.services.answers import RenderedAnswer
from objections.web import labels
from objections.web.operator import (
    CONFLICT_MESSAGE,
    DECIDED_MESSAGE,
    actor,
    bp,
    case_for,
    note_reading,
    operator_required,
    organisation_choices,
    page_language,
)
from objections.web.operator_display import time_left_text
from objections.web.operator_forms import DecisionForm, apply_errors


def _decision_form(objection: Objection, formdata: object = None) -> DecisionForm:
    form = DecisionForm(formdata=formdata)
    form.setup(organisation_choices(actor()))
    return form


def _render(
    objection: Objection, form: DecisionForm, *, preview: RenderedAnswer | None = None, status: int = 200
) -> tuple[str, int]:
    now = utcnow()
    standing = presenters.standing_of(objection, now)
    return (
        render_template(
            "operator/decision.html",
            objection=objection,
            form=form,
            preview=preview,
            templates=casework.templates_for_case(db.session, objection),
            standing=standing,
            time_left=time_left_text(standing),
            deadline=presenters.deadline_view(db.session, objection, page_language()),
            can_decide=review.can_decide(objection),
        ),
        status,
    )


def _input(form: DecisionForm) -> review.DecisionInput:
    return review.DecisionInput(
        outcome=form.outcome.data or "",
        reasoning=form.reasoning.data or "",
        actions_taken=form.actions_taken.data or "",
        ground=form.ground.data or None,
        language=form.language.data or None,
        duplicate_of=(form.duplicate_of.data or "").strip() or None,
        forward_to=form.forward_to.data or None,
    )


@bp.route("/<reference>/decision", methods=["GET", "POST"])
@operator_required
def decision(reference: str) -> Response | tuple[str, int]:
    user = actor()
    objection = case_for(reference, user)
    if request.method == "GET":
        note_reading(objection)
        form = _decision_form(objection)
        form.language.data = objection.language
        form.row_version.data = objection.row_version
        if template_id := request.args.get("template", type=int):
            try:
                template = casework.template_for(db.session, template_id, organization_id=user.organization_id)
            except NotFound:
                abort(404)
            form.outcome.data = template.outcome
            form.reasoning.data = template.reasoning
            form.actions_taken.data = template.actions_taken
            form.language.data = template.language
        return _render(objection, form)
    form = _decision_form(objection, request.form)
    if not form.validate_on_submit():
        return _render(objection, form, status=422)
    data = _input(form)
    previewed = form.previewed.data == form.digest()
    try:
        if request.form.get("action") != "decide" or not previewed:
            if request.form.get("action") == "decide":
                flash(gettext("The answer changed after the preview: check this preview, then decide."), "error")
            preview = review.preview_answer(db.session, objection, data)
            form.previewed.data = form.digest()
            return _render(objection, form, preview=preview)
        emailed = review.decide_and_notify(
            db.session, objection, data, actor=user, expected_version=form.row_version.data, now=utcnow()
        )
    except ValidationFailed as exc:
        db.session.rollback()
        for message in apply_errors(form, exc.errors):
            flash(message, "error")
        return _render(objection, form, status=422)
    except IllegalTransition:
        db.session.rollback()
        flash(str(DECIDED_MESSAGE), "error")
        return _render(objection, form, status=409)
    except Conflict:
        db.session.rollback()
        flash(str(CONFLICT_MESSAGE), "error")
        form.row_version.data = objection.row_version
        form.row_version.raw_data = [str(objection.row_version)]  # a bound field renders what was posted
        form.previewed.data = ""
        return _render(objection, form, status=409)
    db.session.commit()
    outcome = labels.label(labels.OUTCOME, objection.outcome)
    if emailed:
        flash(gettext("Decided (%(outcome)s): the answer is published and its e-mail queued.", outcome=outcome), "info")
    else:
        flash(
            gettext(
                "Decided (%(outcome)s). The subject gave no e-mail: print the letter or call, then record how they "
                "were told.",
                outcome=outcome,
            ),
            "info",
        )
    return redirect(url_for("operator.case_detail", reference=objection.reference), 303)
