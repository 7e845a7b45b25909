"""The admin pages: the scheduler's status and the outbox, with retry and resend."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, Form, SelectField

from objections.clock import utcnow
from objections.domain.errors import Conflict, NotFound
from objections.domain.permissions import Access
from objections.domain.timefmt import format_local_datetime
from objections.extensions import db
from objections.models.notification import NOTIFICATION_STATUSES
from objections.services import dispatch, outbox
from objections.services.scheduler_state import job_runs, leader_status
from objections.web.authz import requires

bp = Blueprint("admin", __name__, url_prefix="/admin")

HEARTBEAT_SECONDS = 10.0
OUTBOX_STATUS = {
    "pending": _l("Waiting to be sent"),
    "sending": _l("Being sent"),
    "sent": _l("Sent"),
    "dead": _l("Failed for good"),
}
MESSAGE_KINDS = {
    "receipt": _l("Receipt to the subject"),
    "tracking_link": _l("Tracking link to the subject"),
    "new_objection": _l("New objection to the organisation"),
    "clarification": _l("Clarification request to the subject"),
    "clarification_reply": _l("Subject's reply to the organisation"),
    "answer": _l("Answer to the subject"),
    "reminder": _l("Reminder before the deadline"),
    "breach": _l("Breach notice"),
    "digest": _l("Morning digest"),
    "credentials_changed": _l("Sign-in details changed"),
}
JOB_NAMES = {
    "sweep": _l("Reminders and breach notices"),
    "dispatch": _l("Sending the outbox"),
    "digest": _l("Morning digest"),
    "close": _l("Closing answered objections"),
    "audit_anchor": _l("Anchoring the audit chains"),
    "retention": _l("Anonymising old objections"),
}
# What a job's last result counts, in words; keys for the job's own bookkeeping (where the sweep resumes) are not
# shown.
JOB_RESULT_LABELS = {
    "examined": _l("objections examined"),
    "reminders": _l("reminders queued"),
    "breaches": _l("breach notices queued"),
    "sent": _l("sent"),
    "retried": _l("to be retried"),
    "dead": _l("given up"),
    "reclaimed": _l("taken over from a stopped dispatcher"),
    "waiting": _l("waiting for the mail server settings"),
    "day": _l("day"),
    "queued": _l("digests queued"),
    "nothing_to_report": _l("staff with nothing to report"),
    "closed": _l("closed"),
    "anchor": _l("anchor"),
    "chains": _l("chains"),
    "anonymised": _l("anonymised"),
}
HIDDEN_RESULT_KEYS = frozenset({"event_floor", "event_seen"})
# The dispatcher's own reasons, stored in English in the outbox row, shown in the page's language.
DISPATCH_REASONS = {
    dispatch.NO_SMTP: _l("SMTP_URL is not set: the message waits in the outbox until it is."),
    dispatch.RECLAIMED: _l(
        "The dispatcher stopped while sending this message; it is sent again (it may arrive twice)."
    ),
}


@bp.app_template_global("outbox_error_text")
def outbox_error_text(error: str | None) -> str:
    """A message's last error: the dispatcher's own reasons translated, a mail server's answer as it came."""
    if not error:
        return "—"
    return str(DISPATCH_REASONS.get(error, error))


def job_result_text(result: dict | None) -> str:
    """ "objections examined: 12, reminders queued: 2" in the page's language."""
    return ", ".join(
        f"{JOB_RESULT_LABELS.get(key, key)}: {value}"
        for key, value in (result or {}).items()
        if key not in HIDDEN_RESULT_KEYS
    )


class OutboxFilter(Form):
    """Read from the query string: filtering changes nothing."""

    status = SelectField(_l("Status"), validate_choice=False)
    kind = SelectField(_l("Kind of message"), validate_choice=False)
    failing = BooleanField(_l("Only messages with an error"))


def _language() -> str:
    return str(get_locale() or "kk")


def _local(moment: datetime | None) -> str:
    return format_local_datetime(moment, _language()) if moment else "—"


@bp.app_template_global("outbox_status_label")
def outbox_status_label(status: str) -> str:
    return str(OUTBOX_STATUS.get(status, status))


@bp.app_template_global("message_kind_label")
def message_kind_label(kind: str) -> str:
    return str(MESSAGE_KINDS.get(kind, kind))


@bp.get("/", endpoint="index")
@requires(Access.ADMINISTRATION)
def index():  # type: ignore[no-untyped-def]
    now = utcnow()
    heartbeat = timedelta(seconds=float(current_app.config.get("SCHEDULER_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)))
    return render_template(
        "admin/index.html",
        leader=leader_status(db.session, now=now, heartbeat_interval=heartbeat),
        runs=job_runs(db.session),
        counts=outbox.outbox_counts(db.session),
        failing=outbox.failing_count(db.session),
        smtp_configured=bool(current_app.config.get("SMTP_URL")),
        job_names=JOB_NAMES,
        job_result_text=job_result_text,
        local=_local,
    )


@bp.get("/outbox", endpoint="outbox")
@requires(Access.ADMINISTRATION)
def outbox_page():  # type: ignore[no-untyped-def]
    form = OutboxFilter(request.args)
    form.status.choices = [("", gettext("Any status")), *((s, str(OUTBOX_STATUS[s])) for s in NOTIFICATION_STATUSES)]
    form.kind.choices = [
        ("", gettext("Any kind")),
        *((k, message_kind_label(k)) for k in outbox.message_kinds(db.session)),
    ]
    status = form.status.data if form.status.data in NOTIFICATION_STATUSES else None
    before = request.args.get("before", type=int)
    messages = outbox.list_messages(
        db.session, status=status, kind=form.kind.data or None, failing=bool(form.failing.data), before_id=before
    )
    older = None
    if len(messages) == outbox.PAGE_SIZE:
        args = {k: v for k, v in request.args.items() if k != "before"}
        older = url_for("admin.outbox", before=messages[-1].id, **args)
    return render_template(
        "admin/outbox.html",
        form=form,
        messages=messages,
        older=older,
        counts=outbox.outbox_counts(db.session),
        smtp_configured=bool(current_app.config.get("SMTP_URL")),
        local=_local,
    )


def _back() -> str:
    target = request.form.get("next", "")
    if target.startswith("/admin/") and not target.startswith("//"):
        return target
    return url_for("admin.outbox")


@bp.post("/outbox/<int:message_id>/retry", endpoint="retry_message")
@requires(Access.ADMINISTRATION)
def retry_message(message_id: int):  # type: ignore[no-untyped-def]
    try:
        outbox.retry_message(db.session, actor=current_user, message_id=message_id, now=utcnow())
    except NotFound:
        db.session.rollback()
        flash(gettext("There is no such message."), "error")
        return redirect(_back(), 303)
    except Conflict:
        db.session.rollback()
        flash(gettext("Only a failed or waiting message can be retried."), "error")
        return redirect(_back(), 303)
    db.session.commit()
    flash(gettext("Message %(id)s is queued again and will be sent at the next dispatch.", id=message_id), "info")
    return redirect(_back(), 303)


@bp.post("/outbox/<int:message_id>/resend", endpoint="resend_message")
@requires(Access.ADMINISTRATION)
def resend_message(message_id: int):  # type: ignore[no-untyped-def]
    try:
        copy = outbox.resend_message(db.session, actor=current_user, message_id=message_id, now=utcnow())
    except NotFound:
        db.session.rollback()
        flash(gettext("There is no such message."), "error")
        return redirect(_back(), 303)
    except Conflict:
        db.session.rollback()
        flash(gettext("Only a sent message can be resent."), "error")
        return redirect(_back(), 303)
    db.session.commit()
    flash(gettext("A copy of message %(id)s is queued as message %(copy)s.", id=message_id, copy=copy.id), "info")
    return redirect(_back(), 303)


from objections.web import admin_calendar, admin_organizations, admin_users  # noqa: E402,F401 - their routes join this blueprint
