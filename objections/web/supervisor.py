"""The supervisor pages."""

from flask import Blueprint

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")
