"""A second step before an action that takes something away (an account, a second factor, a register entry): the
first POST answers with a page that says what will happen and sends the same form back with `confirmed=yes`.

Works without JavaScript and reads well with a screen reader; the CSRF token and the re-authentication rule apply
to the confirming POST as to any other."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext

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


def account_action_question(email: str, action: str) -> dict[str, str]:
    """The question before deactivating a staff account or resetting its second factor (admins and org admins)."""
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
    return {
        "question": gettext("Deactivate %(email)s?", email=email),
        "consequence": gettext(
            "They are signed out everywhere at once and cannot sign in until the account is reactivated. Cases "
            "assigned to them stay assigned until someone reassigns them; meanwhile their reminders go to the "
            "whole team."
        ),
        "button": gettext("Deactivate"),
    }
