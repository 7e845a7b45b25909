"""A second step before an action that takes something away (an account, a second factor, a register entry): the
first POST answers with a page that says what will happen and sends the same form back with `confirmed=yes`.

Works without JavaScript and reads well with a screen reader; the CSRF token and the re-authentication rule apply
to the confirming POST as to any other."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext
from sqlalchemy.orm import Session

from objections.models import User
from objections.services.organizations import answering_staff

CONFIRMED = "confirmed"


def ask_first(*, question: str, consequence: str, button: str, cancel_url: str) -> tuple[str, int] | None:
    """None when this POST is the confirmed one; otherwise the page that asks, posting the same fields again."""
    if request.form.get(CONFIRMED) == "yes":
        return None
    fields = [(name, value) for name, value in request.form.items(multi=True) if name not in ("csrf_token", CONFIRMED)]
    page = render_template(
        "confirm.html",
        question=question,
        consequence=consequence,
        button=button,
        action=request.path,
        fields=fields,
        cancel_url=cancel_url,
    )
    return page, 200


def account_action_needs_asking(action: str, *, on_self: bool) -> bool:
    """Whether a staff-account action asks first: all but reactivation, except the ones the services refuse on
    one's own account anyway (deactivating oneself, a one-time password for oneself); a second-factor reset always."""
    return action == "reset_second_factor" or (action != "activate" and not on_self)


def account_action_question(email: str, action: str, *, last_to_answer_for: str | None = None) -> dict[str, str]:
    """The question before deactivating a staff account, resetting its second factor or making it a one-time
    password (admins and org admins). `last_to_answer_for`: the name of the active organisation whose objections
    nobody else could answer once this account is deactivated."""
    if action == "new_password":
        return {
            "question": gettext("Give %(email)s a new one-time password?", email=email),
            "consequence": gettext(
                "Their present password stops working and their sessions end. You are shown a one-time password to "
                "hand over in person or by phone, never by e-mail; it works for seven days, and at the next sign-in "
                "they choose their own. Their second factor stays as it is."
            ),
            "button": gettext("Make a one-time password"),
        }
    if action == "reset_second_factor":
        return {
            "question": gettext("Reset the second factor of %(email)s?", email=email),
            "consequence": gettext(
                "They are signed out at once, their authenticator app stops working for this account, and they set "
                "up a new one at the next sign-in. Do this when they lost their phone or app."
            ),
            "button": gettext("Reset second factor"),
        }
    consequence = gettext(
        "They are signed out everywhere at once and cannot sign in until the account is reactivated. Cases "
        "assigned to them stay assigned until someone reassigns them; meanwhile their reminders go to the "
        "whole team."
    )
    if last_to_answer_for:
        consequence += " " + gettext(
            "They are the last person who can answer the objections of %(organization)s: invite someone else first, "
            "or new objections will wait with nobody to consider them within the three-day term.",
            organization=last_to_answer_for,
        )
    return {
        "question": gettext("Deactivate %(email)s?", email=email),
        "consequence": consequence,
        "button": gettext("Deactivate"),
    }


def last_to_answer_for(session: Session, user: User, language: str) -> str | None:
    """The organisation's name when `user` is the only active member able to answer the objections of an active
    organisation, else None."""
    organization = user.organization
    if not (user.active and user.is_staff_of_organization and organization is not None and organization.active):
        return None
    if answering_staff(session, organization.id) > 1:
        return None
    return organization.name(language)
