"""Security properties checked across the whole app: IIN never stored in clear, headers on every page, CSRF on
every form."""

from __future__ import annotations

from pathlib import Path

import pytest

from objections.extensions import db
from tests.builders import make_notice, make_objection, make_organization

SECRET_IIN = "880315300511"


def test_the_iin_is_never_in_clear_in_the_database_file(app, session, now, database_path: Path) -> None:
    organization = make_organization(session)
    make_objection(session, organization=organization, received_at=now, iin=SECRET_IIN)
    session.commit()
    session.close()
    db.engine.dispose()  # the last connection to close checkpoints the WAL into the file
    files = [database_path, *database_path.parent.glob(database_path.name + "-*")]
    for path in files:
        assert SECRET_IIN.encode() not in path.read_bytes(), path.name
        assert SECRET_IIN.encode("utf-16-le") not in path.read_bytes(), path.name
    assert any(b"Aigerim Test" in path.read_bytes() for path in files)  # the file is really read: the name is there


def _get_routes(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static":
            yield rule.rule


def test_every_page_carries_the_security_headers(app, session) -> None:
    make_notice(session, make_organization(session))
    session.commit()
    client = app.test_client()
    checked = 0
    for path in _get_routes(app):
        response = client.get(path)
        csp = response.headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp, path
        assert response.headers.get("X-Content-Type-Options") == "nosniff", path
        assert response.headers.get("Referrer-Policy"), path
        checked += 1
    assert checked >= 10


@pytest.fixture
def config_overrides() -> dict:
    return {"WTF_CSRF_ENABLED": True}


def test_every_form_post_is_refused_without_a_csrf_token(app) -> None:
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        values = {
            name: (
                "OB-2026-000001"
                if name == "reference"
                else "x"
                if name == "token"
                else "activate"
                if name == "action"
                else 1
            )
            for name in rule.arguments
        }
        path = rule.build(values)[1]
        response = client.post(path, data={"anything": "1"})
        assert response.status_code == 400, (path, response.status_code)
        checked += 1
    assert checked >= 15


def test_an_address_with_a_nul_is_not_found_before_any_view_reads_it(app, client) -> None:
    for path in ("/cases/notices/%00", "/notices?q=a%00b", "/track?reference=OB%00", "/notices/x%00/y"):
        assert client.get(path).status_code == 404, path
