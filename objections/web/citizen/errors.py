"""Friendly answers on the citizen pages: a stale form token, an oversized upload, a change made meanwhile by staff,
and a crafted request a rule refused."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import RequestEntityTooLarge

from objections.domain.errors import DomainError
from objections.extensions import db
from objections.web.citizen import bp
from objections.web.citizen.filing import objection_form, render_form
from objections.web.citizen_forms import ResendForm, TrackForm
from objections.web.request_id import log_csrf_failure


@bp.errorhandler(CSRFError)
def csrf_failed(exc: CSRFError):  # type: ignore[no-untyped-def]
    """A missing or stale form token: show the same form again with what was typed (files cannot be kept)."""
    log_csrf_failure(exc)
    message = gettext(
        "Nothing was sent: the page was open too long, or your browser did not send its security token. "
        "Check what you entered and send it again."
    )
    if request.endpoint == "citizen.new_objection":
        if any(f.filename for f in request.files.getlist("attachments")):
            message += " " + gettext("Attach your files again.")
        return render_form(objection_form(), 400, message)
    if request.endpoint == "citizen.track":
        form = TrackForm()
        form.access_code.data = ""
        return render_template("citizen/track.html", form=form, message=message), 400
    if request.endpoint == "citizen.resend":
        return render_template("citizen/resend.html", form=ResendForm(), message=message), 400
    reference = (request.view_args or {}).get("reference")
    back = url_for("citizen.tracking", reference=reference) if reference else url_for("public.home")
    return render_template("citizen/csrf_failed.html", message=message, back=back), 400


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
    return render_template("citizen/too_large.html"), 413


@bp.errorhandler(DomainError)
def refused(exc: DomainError):  # type: ignore[no-untyped-def]
    """A rule refused something no page offers (a crafted request): nothing was changed."""
    db.session.rollback()
    current_app.logger.warning("citizen request refused by a rule: %s", exc)
    flash(gettext("That could not be done."), "error")
    return redirect(url_for("public.home"), 303)


@bp.errorhandler(StaleDataError)
def changed_meanwhile(_exc: StaleDataError):  # type: ignore[no-untyped-def]
    """Staff changed the objection while the subject acted on it: nothing of the subject's change was saved."""
    db.session.rollback()
    flash(gettext("The objection changed while you were looking at it. Nothing was saved: please look again."), "error")
    reference = (request.view_args or {}).get("reference")
    return redirect(url_for("citizen.tracking", reference=reference) if reference else url_for("public.home"), 303)
