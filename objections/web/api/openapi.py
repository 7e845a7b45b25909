"""The OpenAPI 3.1 document, generated from the API's routes and the pydantic models its views use."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from objections.web.api import bp
from objections.web.api.schemas import ErrorBody, ValidationErrorBody

REF = "#/components/schemas/{model}"
BEARER = "bearerToken"
F = TypeVar("F", bound=Callable[..., Any])

ERRORS = {
    400: "The body is not a JSON object, or a query parameter or header is malformed.",
    401: "No valid bearer token: missing, unknown, revoked, or its user is deactivated.",
    403: "The token's user has no access to objections (only operators and organisation admins have).",
    404: "Not found, or not visible to the caller.",
    409: "The objection's state does not allow this now, or an Idempotency-Key was reused for another objection.",
    412: "If-Match does not match the objection's current ETag: someone changed it since you read it.",
    413: "The body is too large.",
    422: "Some fields are wrong; `errors` maps each field name to its messages.",
    429: "Too many requests from this address; try again later.",
}
RESPONSE_HEADERS = {
    "ETag": {"description": "The objection's version; send it back in If-Match.", "required": True},
    "Location": {"description": "The new objection's tracking URL.", "required": True},
    "Idempotent-Replayed": {"description": "`true` when this is the replay of an earlier response.", "required": False},
}
PATH_PARAMETERS = {
    "reference": {
        "description": "The objection's reference, e.g. OB-2026-000001.",
        "schema": {"type": "string", "examples": ["OB-2026-000001"]},
    },
}


@dataclass(frozen=True)
class Header:
    """A request header the operation reads, with the type it is checked against at run time."""

    name: str
    description: str
    type_: Any
    required: bool = False

    @property
    def adapter(self) -> TypeAdapter[Any]:
        return TypeAdapter(self.type_)


@dataclass(frozen=True)
class Reply:
    description: str
    model: type[BaseModel] | None = None
    headers: tuple[str, ...] = ()
    media_type: str = "application/json"
    schema: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    replies: Mapping[int, Reply]
    description: str = ""
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    headers: tuple[Header, ...] = ()
    errors: tuple[int, ...] = ()
    bearer: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)


def document(**kwargs: Any) -> Callable[[F], F]:
    """Attach the operation's description to a view; the document is built from these and the URL map."""

    def attach(view: F) -> F:
        view.openapi_operation = Operation(**kwargs)  # type: ignore[attr-defined]
        return view

    return attach


def api_operations(app: Flask) -> list[tuple[str, str, str, Operation]]:
    """(path template, method, endpoint, operation) for every route of the API blueprint."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(f"{bp.name}."):
            continue
        view = app.view_functions[rule.endpoint]
        operation = getattr(view, "openapi_operation", None)
        if operation is None:
            raise LookupError(f"{rule.endpoint} has no OpenAPI description: decorate it with @document")
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((path, method.lower(), rule.endpoint, operation))
    return sorted(found)


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema without pydantic's `| None` branch and title: a parameter is absent, never null."""
    schema = {k: v for k, v in schema.items() if k not in ("title", "default") or (k == "default" and v is not None)}
    branches = [branch for branch in schema.pop("anyOf", []) if branch != {"type": "null"}]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches
    return schema


def _query_parameters(model_schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    required = set(model_schema.get("required", ()))
    parameters = []
    for name, schema in model_schema["properties"].items():
        schema = _without_null(schema)
        description = schema.pop("description", "")
        parameters.append(
            {"name": name, "in": "query", "required": name in required, "description": description, "schema": schema}
        )
    return parameters


def _reply(reply: Reply, refs: Mapping[tuple[type, str], Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"description": reply.description}
    if reply.model is not None:
        out["content"] = {reply.media_type: {"schema": refs[(reply.model, "serialization")]}}
    elif reply.schema is not None:
        out["content"] = {reply.media_type: {"schema": dict(reply.schema)}}
    if reply.headers:
        out["headers"] = {
            name: {
                "description": RESPONSE_HEADERS[name]["description"],
                "required": RESPONSE_HEADERS[name]["required"],
                "schema": {"type": "string"},
            }
            for name in reply.headers
        }
    return out


def build_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every route of the API blueprint."""
    operations = api_operations(app)
    wanted: dict[tuple[type, str], None] = {
        (ErrorBody, "serialization"): None,
        (ValidationErrorBody, "serialization"): None,
    }
    for _path, _method, _endpoint, operation in operations:
        if operation.body is not None:
            wanted[(operation.body, "validation")] = None
        if operation.query is not None:
            wanted[(operation.query, "validation")] = None
        for reply in operation.replies.values():
            if reply.model is not None:
                wanted[(reply.model, "serialization")] = None
    refs, top = models_json_schema(list(wanted), ref_template=REF)  # type: ignore[arg-type]
    components = dict(top.get("$defs", {}))
    query_schemas = {}
    for (model, mode), ref in refs.items():
        if any(op.query is model for *_rest, op in operations) and mode == "validation":
            query_schemas[model] = components.pop(ref["$ref"].rsplit("/", 1)[-1])

    paths: dict[str, dict[str, Any]] = {}
    for path, method, endpoint, operation in operations:
        parameters = [
            {"name": name, "in": "path", "required": True, **PATH_PARAMETERS[name]}
            for name in re.findall(r"{([^}]+)}", path)
        ]
        if operation.query is not None:
            parameters.extend(_query_parameters(query_schemas[operation.query]))
        parameters.extend(
            {
                "name": header.name,
                "in": "header",
                "required": header.required,
                "description": header.description,
                "schema": header.adapter.json_schema(ref_template=REF),
            }
            for header in operation.headers
        )
        responses = {str(status): _reply(reply, refs) for status, reply in sorted(operation.replies.items())}
        for status in sorted(operation.errors):
            model = ValidationErrorBody if status == 422 else ErrorBody
            responses[str(status)] = {
                "description": ERRORS[status],
                "content": {"application/json": {"schema": refs[(model, "serialization")]}},
            }
        entry: dict[str, Any] = {
            "operationId": endpoint.split(".", 1)[1],
            "summary": operation.summary,
            "tags": [operation.tag],
            "responses": responses,
        }
        if operation.description:
            entry["description"] = operation.description
        if parameters:
            entry["parameters"] = parameters
        if operation.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[(operation.body, "validation")]}},
            }
        if operation.bearer:
            entry["security"] = [{BEARER: []}]
        entry.update(operation.extra)
        paths.setdefault(path, {})[method] = entry

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Objection desk API",
            "version": "1.0.0",
            "summary": "Objections to automated processing of personal data (Art. 19-1, Personal Data Law).",
            "description": (
                "File and track objections, and answer them from an organisation's own systems. "
                'Timestamps are ISO 8601 with an offset. Errors are JSON: 422 `{"errors": {field: [message]}}`, '
                'otherwise `{"error": message}`. Messages follow Accept-Language (kk, ru, en; English by default).'
            ),
        },
        "tags": [
            {"name": "public", "description": "For subjects and the apps that file on their behalf; no account."},
            {"name": "cases", "description": "For an organisation's operators, with a personal bearer token."},
            {"name": "meta", "description": "This description."},
        ],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                BEARER: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal token: `flask --app wsgi users token EMAIL` prints a new one.",
                }
            },
        },
    }


def openapi_document(app: Flask) -> dict[str, Any]:
    """The document, built once per application."""
    cached = app.extensions.get("api_openapi")
    if cached is None:
        cached = app.extensions["api_openapi"] = build_document(app)
    return cached
