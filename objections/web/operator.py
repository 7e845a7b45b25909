"""The operator pages."""

from flask import Blueprint

bp = Blueprint("operator", __name__, url_prefix="/cases")
