"""The operator workspace: the queue, the case file and every action on a case, for one organisation's staff."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from objections.clock import utcnow
from objections.domain import lifecycle
from objections.domain.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from objections.domain.permissions import Access
from objections.domain.timefmt import format_local_date, format_local_datetime, local_date
from objections.extensions import db
from objections.models import Objection, User
from objections.security_log import actor_of, loggable_reference, security_event
from objections.services import access_log, answers, attachments, casework, presenters, queue, review
from objections.web import labels
from objections.web.authz import requires
from objections.web.operator_display import queue_row, time_left_text, timeline
from objections.web.operator_forms import (
    NOTIFIED_BY,
    AssignForm,
    ClarificationForm,
    ForwardForm,
    NoteForm,
    OfflineNotificationForm,
    QueueFilterForm,
    apply_errors,
    local_minute,
    options,
)

bp = Blueprint("operator", __name__, url_prefix="/cases")
STAFF_ROLES = ("operator", "org_admin")
CONFLICT_MESSAGE = _l(
    "Someone else changed this case while you were working on it, so nothing was saved. "
    "Its current state is shown below: check it before you try again."
)
STATE_MESSAGE = _l("This case is now “%(status)s”, which does not allow that. Nothing was changed.")
DECIDED_MESSAGE = _l(
    "This case was decided meanwhile: someone else changed this case, or the form was sent twice. "
    "Nothing was changed: its current state is shown below."
)


def operator_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """A signed-in operator or organisation admin of an organisation (the one authorisation layer, web/authz.py)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user.organization_id is None:
            security_event("access_denied", outcome="denied", **actor_of(current_user), rule="own_organisation")
            abort(403)
        return view(*args, **kwargs)

    return requires(Access.ORGANISATION)(wrapped)


def org_admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """An organisation admin of an organisation."""
    return requires(Access.ORGANISATION_ADMIN)(operator_required(view))


def actor() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def case_for(reference: str, user: User) -> Objection:
    """The only way the workspace loads a case: by reference within the user's organisation, else 404."""
    try:
        return queue.case_for(db.session, reference, organization_id=user.organization_id)
    except NotFound:
        # Another organisation's case and a case that does not exist look alike, to the user and in the log.
        security_event("case_not_found", outcome="denied", **actor_of(user), reference=loggable_reference(reference))
        abort(404)


def page_language() -> str:
    return str(get_locale())


def organisation_choices(user: User) -> list[tuple[str, str]]:
    language = page_language()
    return [(o.slug, o.name(language)) for o in casework.forward_targets(db.session, user.organization_id or 0)]


def notice_choices(user: User) -> list[tuple[str, str]]:
    language = page_language()
    return [(n.slug, n.text("title", language)) for n in casework.published_notices(db.session, user.organization_id)]


@bp.get("/", endpoint="queue")
@operator_required
def show_queue() -> str:
    user, now = actor(), utcnow()
    formdata = request.args.copy()
    if (text := operator_search.saved_search()) is not None and "q" not in formdata:
        formdata["q"] = text
    form = QueueFilterForm(formdata=formdata)
    form.setup(notice_choices(user))
    form.validate()
    page = queue.list_cases(
        db.session,
        organization_id=user.organization_id or 0,
        user_id=user.id,
        filters=form.filters(),
        now=now,
        after=request.args.get("after"),
        before=request.args.get("before"),
    )
    rows = [queue_row(objection, now, page_language()) for objection in page.items]
    args = {k: v for k, v in request.args.items() if k not in ("after", "before")}
    return render_template(
        "operator/queue.html",
        form=form,
        page=page,
        rows=rows,
        args=args,
        counters=queue.counters(db.session, organization_id=user.organization_id or 0, now=now),
        language=page_language(),
    )


def assign_form_for(user: User, formdata: Any = None) -> AssignForm:
    form = AssignForm(formdata=formdata)
    form.assignee.choices = options(
        [("me", gettext("Me"))]
        + [(u.id, u.full_name or u.email) for u in casework.colleagues(db.session, user.organization_id or 0)]
    )
    return form


def forward_form_for(user: User, objection: Objection, formdata: Any = None) -> ForwardForm:
    form = ForwardForm(formdata=formdata)
    form.to_organization.choices = options(organisation_choices(user))
    if formdata is None:
        form.language.data = objection.language
        form.row_version.data = objection.row_version
    return form


def render_case(objection: Objection, status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    """The case file, with any form the request posted kept as typed beside its errors."""
    user, now, language = actor(), utcnow(), page_language()
    forms.setdefault("assign_form", assign_form_for(user))
    forms.setdefault("note_form", NoteForm(formdata=None))
    forms.setdefault("clarify_form", ClarificationForm(formdata=None))
    forms.setdefault("forward_form", forward_form_for(user, objection))
    if "notify_form" not in forms:
        forms["notify_form"] = OfflineNotificationForm(formdata=None)
        forms["notify_form"].notified_at.data = local_minute(now)
    linked = {
        key: db.session.get(Objection, getattr(objection, f"{key}_id"))
        for key in ("duplicate_of", "forwarded_to", "forwarded_from")
        if getattr(objection, f"{key}_id")
    }
    page = render_template(
        "operator/case.html",
        objection=objection,
        standing=presenters.standing_of(objection, now),
        deadline=presenters.deadline_view(db.session, objection, language),
        time_left=time_left_text(presenters.standing_of(objection, now)),
        received_text=format_local_datetime(objection.received_at, language),
        timeline=timeline(db.session, objection, language),
        notes=casework.notes_of(db.session, objection),
        clarifications=casework.clarifications_of(db.session, objection),
        attachments=attachments.attachments_of(db.session, objection),
        linked=linked,
        can_assign=lifecycle.can(objection.status, lifecycle.Action.ASSIGN),
        can_decide=review.can_decide(objection),
        can_notify=lifecycle.can(objection.status, lifecycle.Action.NOTIFY),
        needs_renotify=objection.answer_undelivered_at is not None,
        notified_labels=NOTIFIED_BY,
        local=lambda moment: format_local_datetime(moment, language, with_weekday=False),
        readings=access_log.readings(db.session, objection) if user.role == "org_admin" else None,
        **forms,
    )
    return page, status


def _state_message(objection: Objection) -> str:
    return str(STATE_MESSAGE) % {"status": labels.label(labels.STATUS, objection.status)}


def perform(
    objection: Objection, action: Callable[[], Any], success: Callable[[], str] | str, **forms: FlaskForm
) -> Response | tuple[str, int]:
    """Run one service call and commit, or roll back and show why: 422 for bad input, 409 when the case's state
    or a colleague's change stands in the way."""
    form = next(iter(forms.values()), None)
    try:
        action()
    except ValidationFailed as exc:
        db.session.rollback()
        for message in apply_errors(form, exc.errors) if form else labels.error_messages(exc.errors):
            flash(message, "error")
        return render_case(objection, 422, **forms)
    except IllegalTransition:
        db.session.rollback()
        flash(_state_message(objection), "error")
        return render_case(objection, 409, **forms)
    except (Conflict, StaleDataError):
        db.session.rollback()
        flash(str(CONFLICT_MESSAGE), "error")
        return render_case(objection, 409, **forms)
    message = success() if callable(success) else success
    db.session.commit()
    flash(message, "info")
    return redirect(url_for("operator.case_detail", reference=objection.reference), 303)


@bp.get("/<reference>")
@operator_required
def case_detail(reference: str) -> tuple[str, int]:
    objection = case_for(reference, actor())
    note_reading(objection)
    return render_case(objection)


def note_reading(objection: Objection, via: str = "web") -> None:
    """Log that the signed-in staff member is reading the case (the access log), and commit that entry."""
    access_log.record_view(db.session, objection, actor=actor(), via=via, now=utcnow())
    db.session.commit()


@bp.get("/<reference>/attachments/<int:attachment_id>")
@operator_required
def attachment(reference: str, attachment_id: int) -> Response:
    objection = case_for(reference, actor())
    try:
        found = attachments.attachment_for(db.session, objection, attachment_id)
    except NotFound:
        abort(404)
    path, content_type, name = attachments.attachment_path(found), found.content_type, found.original_name
    note_reading(objection, via="attachment")
    return send_file(
        path,
        mimetype=content_type,
        as_attachment=True,
        download_name=name,
    )


@bp.get("/<reference>/letter")
@operator_required
def letter(reference: str) -> tuple[str, int]:
    """The answer as a letter to post: exactly the e-mail's content, in the answer's language, to print."""
    objection = case_for(reference, actor())
    if objection.outcome is None:
        flash(gettext("There is no decision yet, so there is no letter to print."), "error")
        return render_case(objection, 409)
    note_reading(objection)
    language = objection.answer_language or objection.language
    rendered = answers.render_answer(answers.content_of(db.session, objection, language), language)
    with force_locale(language):
        body = render_template(
            "operator/letter_body.html",
            objection=objection,
            answer=rendered,
            dated=format_local_date(local_date(utcnow()), language),
        )
    return render_template("operator/letter.html", objection=objection, body=body, language=language), 200


from objections.web import (  # noqa: E402,F401 - their routes join this blueprint
    operator_actions,
    operator_decision,
    operator_intake,
    operator_notices,
    operator_search,
    operator_team,
)
