"""The citizen pages."""

from flask import Blueprint

bp = Blueprint("citizen", __name__)
