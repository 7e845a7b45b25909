"""Blueprints, error pages and response headers."""

from __future__ import annotations

from flask import Flask, Response, abort, g, has_request_context, jsonify, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from objections.extensions import db
from objections.web import labels, redirects, request_id
from objections.web.i18n import LANGUAGE_NAMES


def register_web(app: Flask) -> None:
    from objections.web import account, admin, api, auth, citizen, operator, public, reauth, supervisor  # noqa: F401

    for blueprint in (public.bp, auth.bp, account.bp, citizen.bp, operator.bp, supervisor.bp, admin.bp, api.bp):
        app.register_blueprint(blueprint)
    request_id.register(app)

    @app.context_processor
    def _inject() -> dict:
        language = str(get_locale()) if has_request_context() else "kk"
        return {"current_language": language, "language_names": LANGUAGE_NAMES}

    app.jinja_env.globals.update(
        outcome_label=lambda code: labels.label(labels.OUTCOME, code),
        ground_label=lambda code: labels.label(labels.GROUND, code),
        status_label=lambda code: labels.label(labels.STATUS, code),
        remedy_label=lambda code: labels.label(labels.REMEDY, code),
        standing_label=lambda code: labels.label(labels.STANDING, code),
        channel_label=lambda code: labels.label(labels.CHANNEL, code),
        labels=labels,
        has_endpoint=lambda endpoint: endpoint in app.view_functions,
        return_path=redirects.return_path,
    )

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        )
        if request.endpoint != "static":
            # Pages show personal data: neither the browser nor a proxy keeps a copy (back button after sign-out).
            response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    @app.before_request
    def _fresh_request_state() -> None:
        # Each request loads its user, CSRF token and locale anew. An app context shared by several requests
        # (the test client reuses one that is already pushed) must not carry the previous request's values over.
        for key in ("_login_user", "csrf_token", "_flask_babel"):
            g.pop(key, None)
        # No page's address holds a NUL: refused before any view could pass it to the database (PostgreSQL rejects
        # it). The API checks its own input and answers in its own words.
        if not request.path.startswith("/api/") and (
            "\x00" in request.path or any("\x00" in value for value in request.args.values())
        ):
            abort(404)

    @app.teardown_request
    def _rollback_on_error(exc: BaseException | None) -> None:
        if exc is not None:
            db.session.rollback()

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        # Keep the headers the exception carries (Allow on 405, Retry-After on 429, WWW-Authenticate on 401).
        headers = [
            (k, v) for k, v in exc.get_response().headers.items() if k.lower() not in ("content-type", "content-length")
        ]
        if isinstance(exc, CSRFError):
            request_id.log_csrf_failure(exc)
        if _wants_json():
            return jsonify({"error": exc.description}), exc.code, headers
        return render_template("errors/error.html", error=exc), exc.code, headers


def _wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
