"""The objection form and its receipt: one transaction per filing, and a double click files once."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from objections.clock import utcnow
from objections.domain.errors import ValidationFailed
from objections.domain.permissions import Access
from objections.domain.timefmt import format_local_datetime
from objections.extensions import db, limiter
from objections.models import IdempotencyRecord, Objection
from objections.services import attachments, intake, notices, notify, presenters
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
from objections.web.citizen_forms import ObjectionForm, new_nonce

RECEIPT_KEY = "receipt_key"


def objection_form() -> ObjectionForm:
    """The form bound to the request, with the organisations and notices of the register as its choices."""
    language = page_language()
    form = ObjectionForm()
    form.organization.choices = [SelectChoice("", gettext("Choose the organisation"))] + [
        SelectChoice(o.slug, o.name(language)) for o in notices.active_organizations(db.session, language)
    ]
    register = sorted(
        notices.published_notices(db.session, language), key=lambda n: n.organization.name(language).casefold()
    )
    form.notice.choices = [SelectChoice("", gettext("Other automated processing, or I do not know"))] + [
        SelectChoice(
            f"{n.organization.slug}:{n.slug}", n.text("title", language), optgroup=n.organization.name(language)
        )
        for n in register
    ]
    if not form.valid_nonce():
        form.nonce.data = new_nonce()
    return form


def render_form(form: ObjectionForm, status: int = 200, message: str | None = None):  # type: ignore[no-untyped-def]
    return render_template("citizen/objection_form.html", form=form, message=message), status


@bp.route("/objections/new", methods=["GET", "POST"])
@public
@limiter.limit(configured_limit("FILING_RATE_LIMIT", "10/minute"), methods=["POST"])
def new_objection():  # type: ignore[no-untyped-def]
    form = objection_form()
    if request.method == "GET":
        organization = request.args.get("organization", "")[:64]
        notice = request.args.get("notice", "")[:64]
        form.organization.data = organization
        form.notice.data = f"{organization}:{notice}" if notice else ""
        form.language.data = page_language()
        return render_form(form)
    form.validate()
    data = form.objection_input()
    codes: dict[str, list[str]] = {}
    if form.notice_of_other_organization():
        codes["notice"] = ["notice_other_organization"]
    try:
        checked = attachments.check_uploads([(f.filename or "", f.stream) for f in form.attachments.data or []])
    except ValidationFailed as exc:
        codes.update(exc.errors)
        checked = []
    try:
        if codes or form.errors:
            intake.validate_input(db.session, data, email_required=True, now=utcnow())
        else:
            record = _file_once(f"web:{form.nonce.data}", data, checked)
    except ValidationFailed as exc:
        codes = {**exc.errors, **codes}
    if codes or form.errors:
        show_errors(form, codes)
        return render_form(form, 422)
    reference = db.session.get(Objection, record.objection_id).reference  # type: ignore[union-attr]
    grant(reference)
    session[RECEIPT_KEY] = record.key
    return redirect(url_for("citizen.receipt", reference=reference), 303)


def _file_once(key: str, data: intake.ObjectionInput, checked: list[attachments.CheckedFile]) -> IdempotencyRecord:
    """File the objection, its attachments and the idempotency record in one transaction; a second submission of
    the same form (same key) gets the first one's record. Files written for a failed transaction are removed."""
    existing = db.session.get(IdempotencyRecord, key)
    if existing is not None:
        return existing
    now = utcnow()
    written = []
    try:
        filed = intake.file_objection(
            db.session, data, channel="web", now=now, policy=current_app.config["DEADLINE_POLICY"]
        )
        written = attachments.store_attachments(db.session, filed.objection, checked, now=now)
        record = IdempotencyRecord(
            key=key, objection_id=filed.objection.id, access_code=filed.access_code, created_at=now
        )
        db.session.add(record)
        db.session.flush()
        db.session.commit()
        return record
    except IntegrityError:
        # The same form was sent twice at once and the other request committed first: answer with its filing.
        db.session.rollback()
        attachments.discard_files(written)
        first = db.session.get(IdempotencyRecord, key)
        if first is None:
            raise
        return first
    except BaseException:
        db.session.rollback()
        attachments.discard_files(written)
        raise


@bp.get("/objections/<reference>/receipt")
@requires(Access.SUBJECT)
def receipt(reference: str):  # type: ignore[no-untyped-def]
    objection = subject_objection(reference)
    if objection is None:
        return to_lookup(reference)
    # The access code is shown on the first view after filing only; the session holds the key, not the code.
    key = session.pop(RECEIPT_KEY, None)
    record = db.session.get(IdempotencyRecord, key) if key else None
    access_code = record.access_code if record is not None and record.objection_id == objection.id else None
    language = page_language()
    return render_template(
        "citizen/receipt.html",
        objection=objection,
        access_code=access_code,
        received_text=format_local_datetime(objection.received_at, language),
        deadline=presenters.deadline_view(db.session, objection, language),
        tracking_link=url_for("citizen.track_link", token=notify.tracking_token(objection.reference), _external=True),
        language=language,
    )
