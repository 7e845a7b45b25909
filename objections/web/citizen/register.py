"""The public register of automated-processing notices and the page of each notice."""

from __future__ import annotations

from flask import abort, render_template, request

from objections.extensions import db
from objections.services import notices
from objections.web.authz import public
from objections.web.citizen import bp
from objections.web.citizen.common import page_language


@bp.get("/notices", endpoint="notices")
@public
def notice_register():  # type: ignore[no-untyped-def]
    query = request.args.get("q", "")[:200]
    language = page_language()
    entries = notices.list_register(db.session, language=language, query=query)
    return render_template("citizen/notices.html", entries=entries, query=query, language=language)


@bp.get("/notices/<org_slug>/<notice_slug>")
@public
def notice(org_slug: str, notice_slug: str):  # type: ignore[no-untyped-def]
    found = None
    if org_slug.isprintable() and notice_slug.isprintable():
        found = notices.find_notice(db.session, org_slug, notice_slug)
    if found is None:
        abort(404)
    return render_template("citizen/notice.html", notice=found, language=page_language())
