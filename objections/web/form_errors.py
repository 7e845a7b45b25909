"""Service error codes, as words in the page's language, beside the form fields they concern."""

from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm
from wtforms import Field

from objections.web import labels


def apply_errors(
    form: FlaskForm, errors: Mapping[str, list[str]], aliases: Mapping[str, str | None] | None = None
) -> list[str]:
    """Add each code's message to the field of its name (or of its alias); returns the messages no field could
    hold, for the page to show on its own."""
    unplaced: list[str] = []
    for name, messages in labels.error_messages(dict(errors)).items():
        target = (aliases or {}).get(name, name)
        field: Field | None = getattr(form, target, None) if target else None
        if isinstance(field, Field):
            field.errors = [*field.errors, *messages]
        else:
            unplaced.extend(messages)
    return unplaced
