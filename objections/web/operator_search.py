"""The queue's search box posts its text, so an IIN or a name never travels in a URL (and so never in a log)."""

from __future__ import annotations

from flask import redirect, request, session, url_for
from werkzeug.wrappers import Response

from objections.web.operator import bp, operator_required

SEARCH_KEY = "queue_search"
SEARCH_FLAG = "search"
FILTERS = ("status", "notice", "assignee", "channel", "received_from", "received_to", "breached", "undelivered")


@bp.post("/search", endpoint="search")
@operator_required
def search() -> Response:
    """Keep the search text in the signed session cookie and show the queue with the other filters in its URL."""
    query = {name: request.form[name] for name in FILTERS if request.form.get(name)}
    text = " ".join(request.form.get("q", "").split())[:300]
    if text:
        session[SEARCH_KEY] = text
        query[SEARCH_FLAG] = "1"
    else:
        session.pop(SEARCH_KEY, None)
    return redirect(url_for("operator.queue", **query), 303)


def saved_search() -> str | None:
    """The posted search text when the queue's URL asks for it (?search=1), else None."""
    return session.get(SEARCH_KEY, "") if request.args.get(SEARCH_FLAG) == "1" else None
