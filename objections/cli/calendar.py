"""Calendar overrides: add, remove, list (audited; open deadlines recomputed)."""

from flask.cli import AppGroup

calendar_cli = AppGroup("calendar", help="Working-calendar overrides.")
