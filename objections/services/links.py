"""Absolute links for staff e-mails, built from the app's routes when they exist."""

from __future__ import annotations

from flask import current_app
from werkzeug.routing import BuildError

from objections.services.notify import absolute_url


def _path(endpoint: str, fallback: str, **values: str) -> str:
    try:
        return current_app.url_map.bind("").build(endpoint, values)
    except BuildError:
        return fallback


def case_url(reference: str) -> str:
    """The case in the operator workspace: /cases/<reference>."""
    return absolute_url(_path("operator.case_detail", f"/cases/{reference}", reference=reference))


def supervisor_case_url(reference: str) -> str:
    """Supervisors open cases read-only and masked on their own pages, not in the operator workspace."""
    return absolute_url(_path("supervisor.case", f"/supervisor/cases/{reference}", reference=reference))


def breach_log_url() -> str:
    return absolute_url(_path("supervisor.breaches", "/supervisor/breaches"))
