"""The queue's search box posts its text, so an IIN or a name never travels in a URL (and so never in a log)."""

from __future__ import annotations

import base64
import re

from cryptography.exceptions import InvalidTag
from flask import redirect, request, session, url_for
from werkzeug.wrappers import Response

from objections import crypto
from objections.web.operator import bp, operator_required

SEARCH_KEY = "queue_search"
SEARCH_FLAG = "search"
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
FILTERS = ("status", "notice", "assignee", "channel", "received_from", "received_to", "breached", "undelivered")


@bp.post("/search", endpoint="search")
@operator_required
def search() -> Response:
    """Keep the search text in the signed session cookie and show the queue with the other filters in its URL."""
    query = {name: request.form[name] for name in FILTERS if request.form.get(name)}
    text = " ".join(CONTROL.sub(" ", request.form.get("q", "")).split())[:300]
    if text:
        # The session cookie is signed, not secret: the text (an IIN, a name) goes in it encrypted with DATA_KEY.
        session[SEARCH_KEY] = base64.urlsafe_b64encode(crypto.keyring().encrypt(text)).decode()
        query[SEARCH_FLAG] = "1"
    else:
        session.pop(SEARCH_KEY, None)
    return redirect(url_for("operator.queue", **query), 303)


def saved_search() -> str | None:
    """The posted search text when the queue's URL asks for it (?search=1), else None; "" when the session holds
    none (or one it cannot read, such as one sealed with a key since rotated)."""
    if request.args.get(SEARCH_FLAG) != "1":
        return None
    try:
        return crypto.keyring().decrypt(base64.urlsafe_b64decode(session.get(SEARCH_KEY, "")))
    except (ValueError, TypeError, InvalidTag):
        return ""
