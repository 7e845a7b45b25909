"""The WSGI entry point: `app` for gunicorn and `flask --app wsgi`."""

import sys

from objections import create_app
from objections.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    sys.exit(f"configuration error: {exc}")
