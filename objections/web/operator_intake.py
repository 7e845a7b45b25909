"""Registering objections received on paper or by phone, and the organisation's answer templates."""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from objections.clock import utcnow
from objections.domain.errors import Conflict, NotFound, ValidationFailed
from objections.extensions import db
from objections.services import casework, intake, presenters
from objections.web.operator import actor, bp, notice_choices, operator_required, org_admin_required, page_language
from objections.web.operator_forms import (
    ConfirmForm,
    PaperObjectionForm,
    TemplateForm,
    apply_errors,
    local_minute,
    to_utc,
)


def _paper_page(form: PaperObjectionForm, status: int = 200) -> tuple[str, int]:
    return render_template("operator/new_paper.html", form=form), status


@bp.route("/new", methods=["GET", "POST"], endpoint="new_paper")
@operator_required
def new_paper() -> Response | tuple[str, int]:
    user, now = actor(), utcnow()
    form = PaperObjectionForm()
    form.setup(notice_choices(user))
    if request.method == "GET":
        form.channel.data = "paper"
        form.received_at.data = local_minute(now)
        form.language.data = page_language()
        form.form_key.data = secrets.token_urlsafe(16)
        return _paper_page(form)
    if not form.validate_on_submit():
        return _paper_page(form, 422)
    key = form.form_key.data or secrets.token_urlsafe(16)
    data = intake.ObjectionInput(
        organization="",
        full_name=form.full_name.data or "",
        iin=form.iin.data or "",
        language=form.language.data or "",
        grounds=form.grounds.data or "",
        remedies=list(form.remedies.data or []),
        consent=bool(form.consent.data),
        notice=form.notice.data or None,
        email=form.email.data or None,
        phone=form.phone.data or None,
        decision_reference=form.decision_reference.data or None,
        decision_date=form.decision_date.data,
    )
    try:
        casework.register_paper_objection(
            db.session,
            data,
            actor=user,
            channel=form.channel.data or "",
            received_at=to_utc(form.received_at.data),
            key=key,
            now=now,
            policy=current_app.config["DEADLINE_POLICY"],
        )
    except ValidationFailed as exc:
        db.session.rollback()
        for message in apply_errors(form, exc.errors):
            flash(message, "error")
        return _paper_page(form, 422)
    except Conflict:
        db.session.rollback()
        flash(gettext("This form was already used for another objection. Start a new registration."), "error")
        form.form_key.data = secrets.token_urlsafe(16)
        return _paper_page(form, 409)
    db.session.commit()
    return redirect(url_for("operator.paper_receipt", key=key), 303)


@bp.get("/new/<key>", endpoint="paper_receipt")
@operator_required
def paper_receipt(key: str) -> str:
    """The reference and access code to pass on to the subject by post or phone."""
    try:
        filed = casework.paper_receipt(db.session, actor=actor(), key=key)
    except NotFound:
        abort(404)
    objection = filed.objection
    return render_template(
        "operator/paper_receipt.html",
        objection=objection,
        access_code=filed.access_code,
        deadline=presenters.deadline_view(db.session, objection, page_language()),
    )


def _template_form(formdata: object = None) -> TemplateForm:
    form = TemplateForm(formdata=formdata)
    form.setup(notice_choices(actor()))
    return form


def _template_data(form: TemplateForm) -> casework.TemplateInput:
    return casework.TemplateInput(
        title=form.title.data or "",
        outcome=form.outcome.data or "",
        language=form.language.data or "",
        reasoning=form.reasoning.data or "",
        actions_taken=form.actions_taken.data or "",
        notice_slug=form.notice_slug.data or None,
    )


def _templates_page(form: TemplateForm, status: int = 200) -> tuple[str, int]:
    user = actor()
    return (
        render_template(
            "operator/templates.html",
            form=form,
            templates=casework.templates_of(db.session, user.organization_id or 0),
            notices=dict(notice_choices(user)),
            delete_form=ConfirmForm(formdata=None),
        ),
        status,
    )


@bp.route("/templates", methods=["GET", "POST"], endpoint="templates")
@org_admin_required
def templates() -> Response | tuple[str, int]:
    form = _template_form(request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.language.data = page_language()
        return _templates_page(form)
    if not form.validate_on_submit():
        return _templates_page(form, 422)
    try:
        casework.create_template(db.session, actor=actor(), data=_template_data(form), now=utcnow())
    except ValidationFailed as exc:
        db.session.rollback()
        for message in apply_errors(form, exc.errors):
            flash(message, "error")
        return _templates_page(form, 422)
    db.session.commit()
    flash(gettext("The template is saved."), "info")
    return redirect(url_for("operator.templates"), 303)


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"], endpoint="edit_template")
@org_admin_required
def edit_template(template_id: int) -> Response | tuple[str, int]:
    user = actor()
    try:
        template = casework.template_for(db.session, template_id, organization_id=user.organization_id)
    except NotFound:
        abort(404)
    form = _template_form(request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.process(obj=template)
        form.setup(notice_choices(user))
        form.notice_slug.data = template.notice_slug or ""
    elif form.validate_on_submit():
        try:
            casework.update_template(db.session, template.id, actor=user, data=_template_data(form), now=utcnow())
        except ValidationFailed as exc:
            db.session.rollback()
            for message in apply_errors(form, exc.errors):
                flash(message, "error")
        else:
            db.session.commit()
            flash(gettext("The template is saved."), "info")
            return redirect(url_for("operator.templates"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("operator/template_edit.html", form=form, template=template), status


@bp.post("/templates/<int:template_id>/delete", endpoint="delete_template")
@org_admin_required
def delete_template(template_id: int) -> Response:
    user = actor()
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        casework.delete_template(db.session, template_id, actor=user, now=utcnow())
    except NotFound:
        abort(404)
    db.session.commit()
    flash(gettext("The template is deleted."), "info")
    return redirect(url_for("operator.templates"), 303)
