"""Words shown to people for codes: statuses, outcomes, grounds, remedies, standings and error codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS = {
    "received": _l("Received"),
    "in_review": _l("In review"),
    "decided": _l("Decided"),
    "answered": _l("Answered"),
    "closed": _l("Closed"),
    "withdrawn": _l("Withdrawn"),
}
OUTCOME = {
    "upheld_processing_stopped": _l("Upheld: automated processing of your data stopped"),
    "upheld_decision_retaken": _l("Upheld: the decision was taken again with human participation"),
    "consent_withdrawn": _l("Consent withdrawn: automated processing stopped"),
    "partially_upheld": _l("Partially upheld"),
    "rejected": _l("Rejected"),
    "forwarded": _l("Forwarded to the organisation responsible"),
    "duplicate": _l("Duplicate of an earlier objection"),
}
GROUND = {
    "consent_given": _l("You gave consent to the automated processing"),
    "provided_by_law": _l("The automated processing is provided for by law"),
    "no_legal_effect": _l("The decision does not affect your rights or legitimate interests"),
    "not_automated": _l("The decision was not taken by automated processing"),
}
REMEDY = {
    "stop_automated_processing": _l("Stop automated processing of my data"),
    "human_review": _l("Take the decision again with human participation"),
    "withdraw_consent": _l("I withdraw my consent"),
    "explanation": _l("Explain the decision to me"),
    "other": _l("Other"),
}
STANDING = {
    "answered_on_time": _l("Answered on time"),
    "answered_late": _l("Answered late"),
    "overdue": _l("Overdue"),
    "due_today": _l("Due today"),
    "due_within_24h": _l("Due within 24 h"),
    "at_risk": _l("At risk"),
    "on_time": _l("On time"),
}
CHANNEL = {"web": _l("Web"), "api": _l("API"), "paper": _l("Paper"), "phone": _l("Phone")}
RISK = {"low": _l("Low risk"), "medium": _l("Medium risk"), "high": _l("High risk")}
AUTONOMY = {"assistive": _l("Assistive"), "semi_autonomous": _l("Semi-autonomous")}
ROLE = {
    "operator": _l("Operator"),
    "org_admin": _l("Organisation admin"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
}
# How a case was read, in its access log.
READ_VIA = {
    "web": _l("Case page"),
    "attachment": _l("Attachment download"),
    "supervisor": _l("Supervisor's masked view"),
    "api": _l("API"),
}
LEGAL_BASIS = {"consent": _l("Consent of the data subject"), "law": _l("A law")}
ERROR = {
    "required": _l("This field is required."),
    "unknown": _l("Choose one of the options offered."),
    "too_long": _l("This is too long."),
    "title_in_one_language": _l("Give the notice a title in at least one language."),
    "iin_digits": _l("An IIN has digits only."),
    "iin_length": _l("An IIN has exactly 12 digits."),
    "iin_checksum": _l("This IIN is not valid: please check the digits."),
    "invalid_email": _l("Enter an e-mail address like name@example.kz."),
    "invalid_phone": _l("Enter a phone number like +7 701 123 45 67."),
    "in_future": _l("This cannot be in the future."),
    "too_old": _l("This cannot be more than 30 days ago."),
    "consent_required": _l("We need your agreement to process the data of your objection."),
    "invalid_date": _l("Enter a date like 2026-03-20."),
    "only_for_rejected": _l("A ground is given only for a rejection."),
    "before_decision": _l("The notification cannot be before the decision."),
    "no_email_record_offline": _l("There is no e-mail address: record how the subject was notified instead."),
    "too_early": _l("You can complain of inaction only once the deadline has passed."),
    "withdrawn": _l("This objection was withdrawn."),
    "invalid": _l("This value is not valid."),
    "invalid_type": _l("This value has the wrong type."),
    "invalid_datetime": _l("Enter a date and time with its offset, like 2026-03-20T15:00:00+05:00."),
    "invalid_characters": _l("This contains characters that are not allowed."),
    "unknown_field": _l("This field is not part of the request."),
    "out_of_range": _l("This number is out of range."),
    "inactive": _l("This account is deactivated."),
    "wrong_password": _l("This is not your current password."),
    "same_password": _l("Choose a password other than the current one."),
    "one_time_password_expired": _l(
        "This one-time password has expired. Ask your administrator (or your organisation's admin) for a new one."
    ),
    "second_factor_reset": _l(
        "This account's second factor was reset and not set up again: only an administrator can give it a new password."
    ),
    "own_role": _l("You cannot change your own role."),
    "own_account": _l("You cannot deactivate your own account."),
    "too_short": _l("Use at least 12 characters."),
    "common": _l("This password is too common: choose another."),
    "guessable": _l(
        "This password is easy to guess (a common word, name, date, keyboard pattern or your own e-mail): "
        "add unrelated words or characters."
    ),
    "taken": _l("This is already in use."),
    "too_many_files": _l("Attach at most 3 files."),
    "file_too_large": _l("Each file may be at most 5 MB."),
    "file_type": _l("Attach a PDF, JPEG or PNG file: this file is none of them."),
    "notice_other_organization": _l("This processing belongs to another organisation: choose one of its own."),
    "confirm_required": _l("Tick the box to confirm."),
    "control_characters": _l("Remove the invisible control characters from this text."),
    "same_organisation": _l("Choose another organisation: an objection cannot be forwarded to your own."),
    "already_replied": _l("This question has been answered already."),
    "case_closed": _l("This objection is closed, so it takes no more replies."),
    "range_order": _l("The end of the period must be on or after its start."),
    "range_too_long": _l("Choose a period of at most ten years."),
    "only_for_organisation_staff": _l("Only operators and organisation admins belong to an organisation."),
    "slug_format": _l("Use lowercase Latin letters, digits and hyphens, like dala-bank."),
    "bin_digits": _l("A BIN has digits only."),
    "bin_length": _l("A BIN has exactly 12 digits."),
    "bin_checksum": _l("This BIN is not valid: please check the digits."),
    "target_hours_range": _l("Enter a whole number of hours from 1 to 71, or leave it empty."),
}


def label(table: dict, code: str | None) -> str:
    return str(table.get(code, code or ""))


def error_messages(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {name: [str(ERROR.get(code, code)) for code in codes] for name, codes in errors.items()}
