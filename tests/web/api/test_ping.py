"""GET /api/v1/ping: the API's no-op, public and documented, answering without touching the database."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from objections.extensions import db


def test_ping_answers_ok_to_anyone_without_a_database_statement(app: Flask, client: FlaskClient) -> None:
    statements: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    response = client.get("/api/v1/ping")

    assert response.status_code == 200
    assert response.get_json() == {"ok": True}
    assert response.headers["Cache-Control"] == "no-store"
    assert statements == []


def test_ping_is_in_the_openapi_document_with_its_answer(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()

    operation = spec["paths"]["/api/v1/ping"]["get"]
    assert "security" not in operation
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"] == {
        "ok": {"title": "Ok", "type": "boolean"}
    }
