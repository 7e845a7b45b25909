"""JSON errors for the API, its request limits, and the parsing of bodies, queries and headers into its models."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Response, current_app, jsonify, request
from flask_babel import force_locale
from pydantic import BaseModel, TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from objections.domain.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from objections.extensions import db
from objections.web import labels
from objections.web.api import bp

M = TypeVar("M", bound=BaseModel)

# pydantic's error types -> the message codes of labels.ERROR, so the API words a problem as the forms do.
PYDANTIC_CODES = {
    "missing": "required",
    "too_short": "required",
    "string_too_short": "required",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "literal_error": "unknown",
    "enum": "unknown",
    "extra_forbidden": "unknown_field",
    "string_pattern_mismatch": "invalid_characters",
    "date_type": "invalid_date",
    "date_parsing": "invalid_date",
    "date_from_datetime_parsing": "invalid_date",
    "date_from_datetime_inexact": "invalid_date",
    "invalid_date": "invalid_date",
    "datetime_type": "invalid_datetime",
    "datetime_parsing": "invalid_datetime",
    "datetime_from_date_parsing": "invalid_datetime",
    "timezone_aware": "invalid_datetime",
    "invalid_datetime": "invalid_datetime",
    "string_type": "invalid_type",
    "bool_type": "invalid_type",
    "bool_parsing": "invalid_type",
    "int_type": "invalid_type",
    "int_parsing": "invalid_type",
    "list_type": "invalid_type",
    "greater_than_equal": "out_of_range",
    "less_than_equal": "out_of_range",
}
HEADERS_KEPT = ("Allow", "Retry-After", "WWW-Authenticate")
# The largest valid body (grounds of 5,000 characters, Cyrillic at two bytes each) fits with room to spare.
MAX_BODY_BYTES = 64 * 1024


class ApiError(Exception):
    """An error the API answers with `{"error": message}` and `status`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def api_language() -> str:
    """The language of messages: the request's Accept-Language among ours, else English."""
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "en"


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    db.session.rollback()
    response = jsonify({"error": message})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def validation_response(errors: dict[str, list[str]]) -> Response:
    db.session.rollback()
    with force_locale(api_language()):
        response = jsonify({"errors": labels.error_messages(errors)})
    response.status_code = 422
    return response


def _codes(exc: PydanticValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "body"
        code = PYDANTIC_CODES.get(error["type"], "invalid")
        if code not in errors.setdefault(name, []):
            errors[name].append(code)
    return errors


def parse_body(model: type[M]) -> M:
    """The JSON body as `model`: 400 when it is not a JSON object, 422 naming each field that is wrong."""
    raw = request.get_data(cache=True)
    try:
        return model.model_validate_json(raw or b"")
    except PydanticValidationError as exc:
        if any(error["type"] in ("json_invalid", "json_type") or not error["loc"] for error in exc.errors()):
            raise ApiError(400, "The body must be a JSON object.") from None
        raise ValidationFailed(_codes(exc)) from None


def parse_query(model: type[M]) -> M:
    """The query string as `model`; a parameter given twice counts by its first value."""
    try:
        return model.model_validate({name: request.args.get(name) for name in request.args})
    except PydanticValidationError as exc:
        raise ValidationFailed(_codes(exc)) from None


def parse_header(name: str, adapter: TypeAdapter[Any]) -> Any:
    """An optional header checked against its declared schema; 400 naming the header when it does not fit."""
    value = request.headers.get(name)
    if value is None:
        return None
    try:
        return adapter.validate_python(value)
    except PydanticValidationError:
        raise ApiError(400, f"The {name} header is malformed.") from None


@bp.before_request
def _limit_body_size() -> None:
    request.max_content_length = current_app.config.get("API_MAX_BODY_BYTES", MAX_BODY_BYTES)


@bp.after_request
def _not_stored(response: Response) -> Response:
    # Receipts carry access codes and cases personal data: no cache along the way may keep them.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Response:
    return error_response(exc.status, exc.message, exc.headers)


@bp.errorhandler(ValidationFailed)
def _validation_failed(exc: ValidationFailed) -> Response:
    return validation_response(exc.errors)


@bp.errorhandler(IllegalTransition)
def _illegal_transition(exc: IllegalTransition) -> Response:
    return error_response(409, f"The objection is {exc.state}: it cannot {exc.action} now.")


@bp.errorhandler(Conflict)
def _conflict(exc: Conflict) -> Response:
    message = str(exc)
    return error_response(409, message[:1].upper() + message[1:] + ".")


@bp.errorhandler(StaleDataError)
def _stale(_exc: StaleDataError) -> Response:
    return error_response(409, "The objection was changed meanwhile: read it again and retry.")


@bp.errorhandler(NotFound)
def _not_found(_exc: NotFound) -> Response:
    return error_response(404, "Not found.")


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    kept = {name: value for name, value in exc.get_headers() if name in HEADERS_KEPT}
    if exc.code == 429:
        return error_response(429, f"Too many requests ({exc.description}): try again later.", kept)
    return error_response(exc.code or 500, exc.description or exc.name, kept)
