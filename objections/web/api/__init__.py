"""JSON API v1 (DESIGN.md "JSON API")."""

from flask import Blueprint

from objections.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The API authenticates by bearer token or access code, never by cookie, so a cross-site form gains nothing.
csrf.exempt(bp)

# The modules register their routes and error handlers on `bp`.
from objections.web.api import cases, docs, errors, public  # noqa: E402, F401
