"""Verification of the audit chains."""

from flask.cli import AppGroup

audit_cli = AppGroup("audit", help="The audit chains.")
