"""The OpenAPI document: valid 3.1, generated from the routes and models, and readable as a page."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV31SpecValidator

from objections.web.api import bp
from objections.web.api.openapi import build_document
from objections.web.api.schemas import ObjectionIn


@pytest.fixture
def spec(client: FlaskClient) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.json


def test_the_document_is_valid_openapi_3_1(spec: dict) -> None:
    assert spec["openapi"].startswith("3.1")
    validate(spec, cls=OpenAPIV31SpecValidator)


def test_the_document_lists_every_route_and_method_of_the_blueprint(app: Flask, spec: dict) -> None:
    routes = {
        (re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(f"{bp.name}.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, methods in spec["paths"].items() for method in methods}

    assert documented == routes
    assert {
        ("/api/v1/organizations", "get"),
        ("/api/v1/objections", "post"),
        ("/api/v1/objections/{reference}", "get"),
        ("/api/v1/cases", "get"),
        ("/api/v1/cases/{reference}", "get"),
        ("/api/v1/cases/{reference}/assign", "post"),
        ("/api/v1/cases/{reference}/decision", "post"),
        ("/api/v1/cases/{reference}/notified", "post"),
    } <= routes


def test_request_bodies_come_from_the_models_the_views_validate_with(spec: dict) -> None:
    operation = spec["paths"]["/api/v1/objections"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]

    assert set(schema["properties"]) == set(ObjectionIn.model_fields)
    assert set(schema["required"]) == {name for name, field in ObjectionIn.model_fields.items() if field.is_required()}
    assert schema["additionalProperties"] is False
    remedies = spec["components"]["schemas"]["Remedy"]["enum"]
    assert remedies == ["stop_automated_processing", "human_review", "withdraw_consent", "explanation", "other"]


def test_operator_endpoints_declare_the_bearer_scheme_and_the_errors_they_answer(spec: dict) -> None:
    assert spec["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearerToken"]["description"],
    }
    decision = spec["paths"]["/api/v1/cases/{reference}/decision"]["post"]
    assert decision["security"] == [{"bearerToken": []}]
    assert {"200", "401", "404", "409", "412", "422"} <= set(decision["responses"])
    assert "ETag" in decision["responses"]["200"]["headers"]
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in decision["parameters"])
    filing = spec["paths"]["/api/v1/objections"]["post"]
    assert "security" not in filing
    assert {"201", "400", "413", "422", "429"} <= set(filing["responses"])


def test_an_undocumented_route_fails_the_build(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(app.view_functions["api.list_cases"], "openapi_operation")
    with pytest.raises(LookupError, match=r"api\.list_cases"):
        build_document(app)


def test_the_docs_page_renders_every_operation_without_scripts_or_outside_resources(
    client: FlaskClient, spec: dict
) -> None:
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for path, methods in spec["paths"].items():
        for method in methods:
            assert f"{method.upper()} {path}" in page
    for name in spec["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']https?://""", page)
