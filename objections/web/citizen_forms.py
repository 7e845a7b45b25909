"""Forms of the citizen pages: they check shape (lengths, a date's format); the services check the rules."""

from __future__ import annotations

import re
import secrets
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, DateInput, ListWidget

from objections.domain.outcomes import Remedy
from objections.services.intake import NAME_MAX, ObjectionInput
from objections.web.i18n import LANGUAGE_NAMES
from objections.web.labels import ERROR, REMEDY

NONCE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
REPLY_MAX = 5000


def _too_long(limit: int) -> Length:
    return Length(max=limit, message=ERROR["too_long"])


def _required() -> InputRequired:
    return InputRequired(message=ERROR["required"])


def _single_line(_form: FlaskForm, field: Field) -> None:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in field.data or ""):
        raise ValidationError(str(ERROR["control_characters"]))


def _text(_form: FlaskForm, field: Field) -> None:
    if any((ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 127 for ch in field.data or ""):
        raise ValidationError(str(ERROR["control_characters"]))


def _visible(value: str | None) -> str:
    return "".join(ch for ch in value or "" if ord(ch) >= 32 and ord(ch) != 127)


def parse_date(value: str | None) -> date | None:
    """A YYYY-MM-DD date, or None for an empty or malformed value."""
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _iso_date(_form: FlaskForm, field: Field) -> None:
    if (field.data or "").strip() and parse_date(field.data) is None:
        raise ValidationError(str(ERROR["invalid_date"]))


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ObjectionForm(FlaskForm):
    nonce = HiddenField()
    organization = SelectField(_l("Organisation"), validate_choice=False, validators=[_single_line])
    notice = SelectField(_l("Which automated processing"), validate_choice=False, validators=[_single_line])
    full_name = StringField(_l("Full name"), validators=[_too_long(NAME_MAX), _single_line])
    iin = StringField(_l("IIN (individual identification number)"), validators=[_too_long(20), _single_line])
    email = EmailField(_l("E-mail"), validators=[_too_long(254), _single_line])
    phone = TelField(_l("Phone (optional)"), validators=[_too_long(32), _single_line])
    language = SelectField(
        _l("Language of the answer"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
        validate_choice=False,
    )
    decision_reference = StringField(
        _l("Number or reference of the decision (optional)"), validators=[_too_long(120), _single_line]
    )
    decision_date = StringField(_l("Date of the decision (optional)"), widget=DateInput(), validators=[_iso_date])
    grounds = TextAreaField(_l("What happened, and why you object"), validators=[_text])
    remedies = MultiCheckboxField(
        _l("What you ask the organisation to do"),
        choices=[SelectChoice(remedy.value, REMEDY[remedy.value]) for remedy in Remedy],
        validate_choice=False,
    )
    consent = BooleanField(_l("I agree to the processing of the personal data in this objection"))
    attachments = MultipleFileField(_l("Attachments (optional)"))

    def valid_nonce(self) -> str | None:
        value = self.nonce.data or ""
        return value if NONCE_PATTERN.fullmatch(value) else None

    def notice_parts(self) -> tuple[str, str | None]:
        """(organisation slug, notice slug) from the selects; a notice's value is "organisation:notice"."""
        organization = (self.organization.data or "").strip()
        organization_of_notice, _, notice = (self.notice.data or "").partition(":")
        if not organization:
            organization = organization_of_notice
        return organization, (notice or None)

    def notice_of_other_organization(self) -> bool:
        organization_of_notice, _, notice = (self.notice.data or "").partition(":")
        chosen = (self.organization.data or "").strip()
        return bool(notice and chosen and organization_of_notice != chosen)

    def objection_input(self) -> ObjectionInput:
        """The input for the intake service. Control characters are dropped so that checking a refused form
        never sends them to the database; a form with any is refused by its own validators and never filed."""
        organization, notice = self.notice_parts()
        return ObjectionInput(
            organization=_visible(organization),
            notice=_visible(notice) or None,
            full_name=_visible(self.full_name.data),
            iin=_visible(self.iin.data),
            email=_visible(self.email.data) or None,
            phone=_visible(self.phone.data) or None,
            language=_visible(self.language.data),
            decision_reference=_visible(self.decision_reference.data).strip() or None,
            decision_date=parse_date(self.decision_date.data),
            grounds=self.grounds.data or "",
            remedies=[code for code in (self.remedies.data or []) if isinstance(code, str)],
            consent=bool(self.consent.data),
        )


class TrackForm(FlaskForm):
    reference = StringField(_l("Reference"), validators=[_required(), _too_long(40), _single_line])
    access_code = StringField(_l("Access code"), validators=[_required(), _too_long(64), _single_line])


class ResendForm(FlaskForm):
    reference = StringField(_l("Reference"), validators=[_required(), _too_long(40), _single_line])
    email = EmailField(
        _l("The e-mail address you gave in the objection"), validators=[_required(), _too_long(254), _single_line]
    )


class WithdrawForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand that withdrawing closes my objection"),
        validators=[InputRequired(message=ERROR["confirm_required"])],
    )


class AppealForm(FlaskForm):
    """Only the CSRF token: recording an appeal needs no further input."""


class ReplyForm(FlaskForm):
    reply = TextAreaField(_l("Your reply"), validators=[_required(), _too_long(REPLY_MAX), _text])
