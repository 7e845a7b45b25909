"""Forms of the operator workspace: they check shape only; the services check the rules."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import InputRequired, Length, Optional

from objections.domain.calendar import LOCAL_TZ
from objections.domain.outcomes import Ground, Outcome, Remedy
from objections.services import queue
from objections.services.review import OFFLINE_CHANNELS
from objections.web import form_errors, labels
from objections.web.i18n import LANGUAGE_NAMES

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def options(pairs: object) -> list[SelectChoice]:
    """(value, label) pairs as the select options WTForms expects."""
    return [SelectChoice(str(value), label) for value, label in pairs]  # type: ignore[attr-defined]


def language_choices() -> list[SelectChoice]:
    return options(LANGUAGE_NAMES.items())


def outcome_choices() -> list[SelectChoice]:
    return options([("", _l("Choose the outcome"))] + [(o.value, labels.OUTCOME[o.value]) for o in Outcome])


def ground_choices() -> list[SelectChoice]:
    return options([("", _l("No ground (not a rejection)"))] + [(g.value, labels.GROUND[g.value]) for g in Ground])


def to_utc(local: datetime | None) -> datetime | None:
    """A moment typed on the Astana clock (a datetime-local input) as aware UTC."""
    return None if local is None else local.replace(tzinfo=LOCAL_TZ).astimezone(UTC)


def local_minute(moment: datetime) -> datetime:
    """The moment on the Astana clock, to the minute, as a datetime-local input shows it."""
    return moment.astimezone(LOCAL_TZ).replace(tzinfo=None, second=0, microsecond=0)


class QueueFilterForm(FlaskForm):
    """The queue's filters, read from the query string (a GET form, so no CSRF token)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=300)])
    status = SelectField(_l("Status"), default=queue.OPEN, validators=[Optional()])
    notice = SelectField(_l("Notice"), default="", validators=[Optional()])
    assignee = SelectField(
        _l("Assigned to"),
        choices=options([("all", _l("Anyone")), ("mine", _l("Me")), ("unassigned", _l("Nobody"))]),
        default="all",
        validators=[Optional()],
    )
    channel = SelectField(_l("Channel"), default="", validators=[Optional()])
    received_from = DateField(_l("Received from"), validators=[Optional()])
    received_to = DateField(_l("Received until"), validators=[Optional()])
    breached = BooleanField(_l("Breached only"))
    undelivered = BooleanField(_l("Answer not delivered only"))

    def setup(self, notices: list[tuple[str, str]]) -> None:
        self.status.choices = options(
            [
                (queue.OPEN, _l("Open (received, in review, decided)")),
                *labels.STATUS.items(),
                (queue.ALL, _l("All")),
            ]
        )
        self.notice.choices = options([("", _l("Any notice")), *notices])
        self.channel.choices = options([("", _l("Any channel")), *labels.CHANNEL.items()])

    def filters(self) -> queue.QueueFilters:
        def valid(field: SelectField, fallback: str) -> str:
            values = {choice.value for choice in field.choices or []}
            return field.data if field.data in values else fallback

        return queue.QueueFilters(
            status=valid(self.status, queue.OPEN),
            notice=valid(self.notice, "") or None,
            assignee=valid(self.assignee, "all"),
            channel=valid(self.channel, "") or None,
            received_from=self.received_from.data,
            received_to=self.received_to.data,
            breached=bool(self.breached.data),
            undelivered=bool(self.undelivered.data),
            search=(self.q.data or "").strip()[:300],
        )


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Assign to"), validators=[InputRequired()])


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Internal note"), validators=[InputRequired(), Length(max=5000)])


class ClarificationForm(FlaskForm):
    question = TextAreaField(_l("Question to the subject"), validators=[InputRequired(), Length(max=2000)])


class DecisionForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), validators=[Optional()])
    ground = SelectField(_l("Ground for the rejection"), validators=[Optional()])
    reasoning = TextAreaField(_l("Reasoning"), validators=[Optional(), Length(max=5000)])
    actions_taken = TextAreaField(_l("Actions taken"), validators=[Optional(), Length(max=5000)])
    duplicate_of = StringField(_l("Reference of the earlier objection"), validators=[Optional(), Length(max=20)])
    forward_to = SelectField(_l("Organisation responsible"), validators=[Optional()])
    language = SelectField(_l("Language of the answer"), choices=language_choices(), validators=[InputRequired()])
    row_version = IntegerField(widget=widgets.HiddenInput(), validators=[Optional()])
    previewed = HiddenField()

    def setup(self, organisations: list[tuple[str, str]]) -> None:
        self.outcome.choices = outcome_choices()
        self.ground.choices = ground_choices()
        self.forward_to.choices = options([("", _l("Not forwarded")), *organisations])

    def digest(self) -> str:
        """A fingerprint of the answer as typed: "Decide and notify" acts only on the answer last previewed."""
        fields = [self.outcome, self.ground, self.reasoning, self.actions_taken, self.duplicate_of]
        values = [(f.data or "").strip() for f in fields] + [self.forward_to.data or "", self.language.data or ""]
        return hashlib.sha256(json.dumps(values).encode()).hexdigest()


NOTIFIED_BY = {"post": _l("By post"), "phone": _l("By phone"), "in_person": _l("In person")}


class OfflineNotificationForm(FlaskForm):
    channel = SelectField(
        _l("How the subject was told"),
        choices=options((code, NOTIFIED_BY[code]) for code in OFFLINE_CHANNELS),
        validators=[InputRequired()],
    )
    notified_at = DateTimeLocalField(
        _l("When (Astana time)"), format=LOCAL_MINUTE, validators=[InputRequired(message=_l("Enter a date and time."))]
    )
    by = StringField(_l("By whom"), validators=[InputRequired(), Length(max=200)])


class ForwardForm(FlaskForm):
    to_organization = SelectField(_l("Organisation responsible"), validators=[InputRequired()])
    reasoning = TextAreaField(
        _l("Why it is not ours (sent to the subject)"), validators=[InputRequired(), Length(max=5000)]
    )
    language = SelectField(_l("Language of the answer"), choices=language_choices(), validators=[InputRequired()])
    row_version = IntegerField(widget=widgets.HiddenInput(), validators=[Optional()])


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PaperObjectionForm(FlaskForm):
    channel = SelectField(
        _l("Received"),
        choices=options([("paper", _l("On paper")), ("phone", _l("By phone"))]),
        validators=[InputRequired()],
    )
    received_at = DateTimeLocalField(
        _l("Moment of receipt stamped on it (Astana time)"),
        format=LOCAL_MINUTE,
        validators=[InputRequired(message=_l("Enter a date and time."))],
    )
    notice = SelectField(_l("Notice concerned"), validators=[Optional()])
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=300)])
    iin = StringField(_l("IIN"), validators=[Optional(), Length(max=20)])
    email = StringField(_l("E-mail (optional)"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=32)])
    language = SelectField(_l("Language of the subject"), choices=language_choices(), validators=[InputRequired()])
    decision_reference = StringField(_l("Reference of the decision (optional)"), validators=[Optional()])
    decision_date = DateField(_l("Date of the decision (optional)"), validators=[Optional()])
    grounds = TextAreaField(_l("What happened and why they object"), validators=[Optional()])
    remedies = MultiCheckboxField(_l("What they ask for"), validators=[Optional()])
    consent = BooleanField(_l("The subject agreed to the processing of the objection's own data"))
    form_key = HiddenField()

    def setup(self, notices: list[tuple[str, str]]) -> None:
        self.notice.choices = options([("", _l("Other automated processing")), *notices])
        self.remedies.choices = options((r.value, labels.REMEDY[r.value]) for r in Remedy)


class TemplateForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    notice_slug = SelectField(_l("Notice"), validators=[Optional()])
    outcome = SelectField(_l("Outcome"), validators=[Optional()])
    language = SelectField(_l("Language"), choices=language_choices(), validators=[InputRequired()])
    reasoning = TextAreaField(_l("Reasoning"), validators=[Optional(), Length(max=5000)])
    actions_taken = TextAreaField(_l("Actions taken"), validators=[Optional(), Length(max=5000)])

    def setup(self, notices: list[tuple[str, str]]) -> None:
        self.notice_slug.choices = options([("", _l("Any notice")), *notices])
        self.outcome.choices = outcome_choices()


class ConfirmForm(FlaskForm):
    """A button alone: the CSRF token is the whole form."""


# Service field names that differ from the form's.
FIELD_ALIASES = {"at": "notified_at", "reply": "body", "attachments": None}


def apply_errors(form: FlaskForm, errors: dict[str, list[str]]) -> list[str]:
    """Put service error codes beside the form's fields; returns the messages no field could hold."""
    return form_errors.apply_errors(form, errors, FIELD_ALIASES)
