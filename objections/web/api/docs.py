"""The OpenAPI document as JSON, and the same document as a readable page rendered on the server."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import current_app, jsonify, render_template
from markupsafe import Markup, escape

from objections.web.api import bp
from objections.web.api.openapi import Reply, document, openapi_document
from objections.web.authz import public

SCHEMA_PREFIX = "#/components/schemas/"


def _schema_name(schema: dict[str, Any] | None) -> str | None:
    ref = (schema or {}).get("$ref", "")
    return ref.removeprefix(SCHEMA_PREFIX) if ref.startswith(SCHEMA_PREFIX) else None


def _prose(text: str) -> Markup:
    """A description as HTML: escaped, with its `code` spans (the markdown OpenAPI allows) set as code."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))  # noqa: S704 - escaped above


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            operations.append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation["summary"],
                    "description": _prose(operation.get("description", "")),
                    "tag": operation["tags"][0],
                    "bearer": "security" in operation,
                    "parameters": [
                        {
                            **parameter,
                            "description": _prose(parameter.get("description", "")),
                            "schema_text": _pretty(parameter["schema"]),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "body": _schema_name(body),
                    "responses": [
                        {
                            "status": status,
                            "description": _prose(reply["description"]),
                            "media_types": list(reply.get("content", {})),
                            "schema": _schema_name(next(iter(reply.get("content", {}).values()), {}).get("schema")),
                            "headers": list(reply.get("headers", {})),
                        }
                        for status, reply in operation["responses"].items()
                    ],
                }
            )
    return operations


@bp.get("/openapi.json")
@public
@document(
    summary="This API's OpenAPI 3.1 document",
    tag="meta",
    replies={200: Reply("The document.", schema={"type": "object"})},
)
def openapi_json():  # type: ignore[no-untyped-def]
    return jsonify(openapi_document(current_app._get_current_object()))  # type: ignore[attr-defined]


@bp.get("/docs")
@public
@document(
    summary="This API's reference, as a page",
    tag="meta",
    replies={200: Reply("The reference.", media_type="text/html", schema={"type": "string"})},
)
def docs():  # type: ignore[no-untyped-def]
    spec = openapi_document(current_app._get_current_object())  # type: ignore[attr-defined]
    schemas = [(name, _pretty(schema)) for name, schema in sorted(spec["components"]["schemas"].items())]
    operations = _operations(spec)
    tags = [
        {
            **tag,
            "description": _prose(tag["description"]),
            "operations": [o for o in operations if o["tag"] == tag["name"]],
        }
        for tag in spec["tags"]
    ]
    return render_template(
        "api/docs.html", spec=spec, description=_prose(spec["info"]["description"]), tags=tags, schemas=schemas
    )
