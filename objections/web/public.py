"""Pages for everyone: the home page, the language switcher and /healthz."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select, text

from objections.extensions import db
from objections.models import JobRun
from objections.web.authz import public
from objections.web.i18n import LANGUAGE_COOKIE
from objections.web.redirects import local_target

bp = Blueprint("public", __name__)


@bp.get("/")
@public
def home():  # type: ignore[no-untyped-def]
    return render_template("public/home.html")


@bp.get("/healthz")
@public
def healthz():  # type: ignore[no-untyped-def]
    try:
        db.session.execute(text("SELECT 1"))
        runs = {run.name: run.last_run_at.isoformat() for run in db.session.scalars(select(JobRun))}
    except Exception as exc:  # noqa: BLE001 - any database failure means "not ready"
        current_app.logger.warning("healthz: database unavailable: %s", exc)
        return jsonify({"status": "error", "database": "unavailable"}), 503
    return jsonify(
        {
            "status": "ok",
            "database": "ok",
            "last_sweep_at": runs.get("sweep"),
            "last_dispatch_at": runs.get("dispatch"),
        }
    )


@bp.post("/language")
@public
def set_language():  # type: ignore[no-untyped-def]
    language = request.form.get("language", "")
    target = local_target(request.form.get("next")) or url_for("public.home")
    response = redirect(target)
    if language in current_app.config["LANGUAGES"]:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
