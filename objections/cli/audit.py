"""Verification of the audit chains and writing of the daily anchor."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from objections.clock import utcnow
from objections.extensions import db
from objections.services.audit_verify import verify_all, write_anchor

audit_cli = AppGroup("audit", help="The audit chains.")


@audit_cli.command("verify", help="Recompute every chain and anchor; name the first broken row.")
def audit_verify() -> None:
    report = verify_all(db.session)
    for problem in report.problems:
        click.echo(f"BROKEN: {problem}")
    click.echo(
        f"{report.chains} chains, {report.rows} rows, {report.anchors} anchors checked: "
        + ("all intact." if report.ok else f"{len(report.problems)} problem(s).")
    )
    if not report.ok:
        sys.exit(1)


@audit_cli.command("anchor", help="Write an anchor over the heads of all chains now.")
def audit_anchor() -> None:
    anchor = write_anchor(db.session, now=utcnow())
    db.session.commit()
    click.echo(f"Anchor {anchor.id} over {anchor.chain_count} chains: {anchor.heads_hash}")
