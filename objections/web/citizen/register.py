"""The public register of automated-processing notices and the page of each notice."""

from __future__ import annotations

from flask import abort, render_template, request

from objections.domain.notices import in_language
from objections.domain.timefmt import format_local_date, local_date
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
        withdrawal = None
        if org_slug.isprintable() and notice_slug.isprintable():
            withdrawal = notices.find_withdrawal(db.session, org_slug, notice_slug)
        if withdrawal is None:
            abort(404)
        language = page_language()
        page = render_template(
            "citizen/notice_withdrawn.html",
            withdrawal=withdrawal,
            title=in_language(withdrawal.title, language) or notice_slug,
            withdrawn_on=format_local_date(local_date(withdrawal.withdrawn_at), language),
            language=language,
        )
        return page, 410
    return render_template("citizen/notice.html", notice=found, language=page_language())
