"""The citizen pages: the notice register, the objection form and its receipt, tracking, withdrawal and appeal."""

from flask import Blueprint

bp = Blueprint("citizen", __name__)

# The modules below attach their views and error handlers to `bp` when imported.
from objections.web.citizen import errors, filing, register, tracking  # noqa: E402

__all__ = ["bp", "errors", "filing", "register", "tracking"]
