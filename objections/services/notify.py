"""Outbox messages: written in the caller's transaction, keyed so that none is queued twice."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from babel.support import Translations
from flask import current_app
from flask_babel import force_locale, get_translations, gettext
from itsdangerous import URLSafeTimedSerializer
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from objections.domain.deadlines import Deadline, format_deadline
from objections.models import Notification, Objection, Organization, User
from objections.services import outbox
from objections.services.presenters import DeadlineView, deadline_view

TRACKING_LINK_MAX_AGE = 90 * 24 * 3600


def _row(
    *,
    key: str,
    recipient: str,
    kind: str,
    language: str,
    subject: str,
    body_text: str,
    body_html: str | None,
    now: datetime,
    objection: Objection | None,
    user: User | None,
) -> dict[str, object]:
    """One pending outbox row (outbox.message_row) for a message about `objection`, to `user`."""
    return outbox.message_row(
        key=key,
        recipient=recipient,
        kind=kind,
        language=language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        now=now,
        objection_id=objection.id if objection else None,
        user_id=user.id if user else None,
    )


def queue_message(
    session: Session,
    *,
    key: str,
    recipient: str,
    kind: str,
    language: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    now: datetime,
    objection: Objection | None = None,
    user: User | None = None,
) -> bool:
    """Insert one outbox row unless its idempotency key exists already; True when a row was added."""
    row = _row(
        key=key,
        recipient=recipient,
        kind=kind,
        language=language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        now=now,
        objection=objection,
        user=user,
    )
    return _insert_one(session, row)


def _insert_one(session: Session, row: dict[str, object]) -> bool:
    statement = outbox.insert_statement(session).returning(Notification.__table__.c.id)  # type: ignore[attr-defined]
    return session.execute(statement, row).scalar_one_or_none() is not None


def queue_messages(session: Session, rows: list[dict[str, object]]) -> None:
    """Insert several outbox rows (built by `_row`) in one statement; a row whose key exists already is skipped."""
    if rows:
        session.execute(outbox.insert_statement(session), rows)


def tracking_token(reference: str) -> str:
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="tracking-link")
    return serializer.dumps({"reference": reference})


def read_tracking_token(token: str, *, max_age: int = TRACKING_LINK_MAX_AGE) -> str | None:
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="tracking-link")
    try:
        return serializer.loads(token, max_age=max_age)["reference"]
    except Exception:  # noqa: BLE001 - any bad, expired or tampered token is simply not a link
        return None


def absolute_url(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def organisation_recipients(session: Session, objection: Objection) -> list[tuple[str, str, User | None]]:
    """(address, language, user) for the assignee, or every operator of the organisation when unassigned,
    plus the organisation's contact address."""
    if objection.assignee is not None and objection.assignee.active:
        return _with_contact([objection.assignee], objection.organization)
    return team_recipients(session, objection.organization)


def team_recipients(session: Session, organization: Organization) -> list[tuple[str, str, User | None]]:
    """(address, language, user) for every active operator and admin of `organization`, plus its contact address:
    who hears of a new, unassigned objection."""
    users = session.scalars(_TEAM, {"organization_id": organization.id})
    return _with_contact(list(users), organization)


_TEAM = select(User).where(
    User.organization_id == bindparam("organization_id"), User.role.in_(("operator", "org_admin")), User.active
)


def _with_contact(users: list[User], organization: Organization) -> list[tuple[str, str, User | None]]:
    recipients: list[tuple[str, str, User | None]] = [(u.email, u.language, u) for u in users]
    contact = organization.contact_email
    if contact and contact not in {r[0] for r in recipients}:
        recipients.append((contact, "kk", None))
    return recipients


def deadline_views(deadline: Deadline, languages: Iterable[str]) -> dict[str, DeadlineView]:
    """The freshly computed deadline of a new objection as mails show it, in each of `languages`."""
    return {
        language: DeadlineView(
            deadline_at=deadline.deadline_at,
            deadline_text=format_deadline(deadline.last_day, language),
            explanation=deadline.explanation(language),
        )
        for language in set(languages)
    }


def appeal_routes(language: str) -> str:
    routes = current_app.config["APPEAL_ROUTES"]
    return routes.get(language) or routes["en"]


def _render(template: str, language: str, **context: object) -> tuple[str, str]:
    """mail/<template>.txt and .html in `language`."""
    with force_locale(language):
        return _render_in_locale(template, language, context)


def _render_in_locale(template: str, language: str, context: dict[str, object]) -> tuple[str, str]:
    # The compiled templates straight from the environment's cache: a mail needs none of the page context
    # processors (signed-in user, CSRF token) that render_template runs, only the language. The catalogue is
    # looked up once for both bodies instead of once per translated string.
    environment = current_app.jinja_env
    context = {"current_language": language, **_bound_gettext(get_translations()), **context}
    return (
        environment.get_template(f"mail/{template}.txt").render(context),
        environment.get_template(f"mail/{template}.html").render(context),
    )


def _bound_gettext(translations: Translations) -> dict[str, Callable[..., str]]:
    """`gettext` and `ngettext` for templates, bound to one catalogue; the same newstyle behaviour as the
    callables Flask-Babel installs (escaped under autoescape, always %-formatted)."""

    @pass_context
    def bound_gettext(context: Context, string: str, /, **variables: object) -> str:
        text = translations.ugettext(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 - the catalogue is trusted, as in Jinja's own i18n callables
        return text % variables

    @pass_context
    def bound_ngettext(context: Context, singular: str, plural: str, num: int, /, **variables: object) -> str:
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 - the catalogue is trusted, as in Jinja's own i18n callables
        return text % variables

    return {"gettext": bound_gettext, "ngettext": bound_ngettext}


def _rendered_row(
    *,
    template: str,
    kind: str,
    key: str,
    recipient: str,
    language: str,
    subject: Callable[[], str],
    now: datetime,
    objection: Objection | None = None,
    user: User | None = None,
    **context: object,
) -> dict[str, object]:
    """An outbox row with mail/<template>.txt, .html and the subject rendered in `language` (one locale switch)."""
    with force_locale(language):
        text, html = _render_in_locale(template, language, {"objection": objection, **context})
        subject_text = subject()
    return _row(
        key=key,
        recipient=recipient,
        kind=kind,
        language=language,
        subject=subject_text,
        body_text=text,
        body_html=html,
        now=now,
        objection=objection,
        user=user,
    )


def queue_rendered(
    session: Session,
    *,
    template: str,
    kind: str,
    key: str,
    recipient: str,
    language: str,
    subject: Callable[[], str],
    now: datetime,
    objection: Objection | None = None,
    user: User | None = None,
    **context: object,
) -> bool:
    """Render mail/<template>.txt and .html and the subject in `language`, and queue the message once by `key`."""
    row = _rendered_row(
        template=template,
        kind=kind,
        key=key,
        recipient=recipient,
        language=language,
        subject=subject,
        now=now,
        objection=objection,
        user=user,
        **context,
    )
    return _insert_one(session, row)


def queue_intake_messages(
    session: Session,
    objection: Objection,
    *,
    access_code: str,
    now: datetime,
    recipients: list[tuple[str, str, User | None]] | None = None,
    views: dict[str, DeadlineView] | None = None,
) -> None:
    """The subject's receipt and the organisation's "new objection" message, inserted in one statement.
    A caller that has read the recipients and built the deadline's views already passes them in."""
    if recipients is None:
        recipients = organisation_recipients(session, objection)
    rows = intake_message_rows(
        session,
        objection,
        access_code=access_code,
        now=now,
        recipients=recipients,
        views=views,
        link=tracking_link(objection.reference),
    )
    queue_messages(session, rows)


# Where a new objection's reference and tracking link go in messages drafted before the reference is issued:
# private-use characters, which no template text, translation or HTML escaping produces or changes.
REFERENCE_MARK = "\ue000reference\ue000"
LINK_MARK = "\ue000tracking-link\ue000"
_MARK = "\ue000"


def draft_intake_messages(
    objection: Objection,
    *,
    access_code: str,
    now: datetime,
    recipients: list[tuple[str, str, User | None]],
    views: dict[str, DeadlineView],
) -> list[dict[str, object]]:
    """The intake messages rendered for an objection whose reference is still REFERENCE_MARK, so that rendering
    happens before the write transaction; queue_drafted_messages() fills the reference in."""
    return intake_message_rows(
        None,
        objection,
        access_code=access_code,
        now=now,
        recipients=recipients,
        views=views,
        link=LINK_MARK,
    )


def queue_drafted_messages(
    session: Session,
    drafts: list[dict[str, object]],
    objection: Objection,
    *,
    render_again: Callable[[], list[dict[str, object]]],
) -> None:
    """Queue drafted intake messages with the objection's reference, link and id filled in. Should a template
    have altered a mark (a filter on the reference, say), the messages are rendered again by `render_again`."""
    reference, link = objection.reference, tracking_link(objection.reference)
    rows = [_filled(draft, reference, link, objection.id) for draft in drafts]
    if not rows or any(row is None for row in rows):
        rows = render_again()
    queue_messages(session, rows)  # type: ignore[arg-type]


def _filled(draft: dict[str, object], reference: str, link: str, objection_id: int) -> dict[str, object] | None:
    row = dict(draft, objection_id=objection_id)
    for field, escaped in (("idempotency_key", False), ("subject", False), ("body_text", False), ("body_html", True)):
        value = row[field]
        if not isinstance(value, str):
            continue
        value = value.replace(REFERENCE_MARK, str(escape(reference)) if escaped else reference)
        value = value.replace(LINK_MARK, str(escape(link)) if escaped else link)
        if _MARK in value:
            return None
        row[field] = value
    return row


def tracking_link(reference: str) -> str:
    """The signed link in the receipt that opens the objection's tracking page without typing the code."""
    return absolute_url(f"/track/link/{tracking_token(reference)}")


def intake_message_rows(
    session: Session | None,
    objection: Objection,
    *,
    access_code: str,
    now: datetime,
    recipients: list[tuple[str, str, User | None]],
    views: dict[str, DeadlineView] | None,
    link: str,
) -> list[dict[str, object]]:
    """The receipt (with the access code and `link`, the tracking link) and the "new objection" message for each
    of `recipients`, rendered in their languages, as outbox rows. Without `views` for a language, the deadline
    is read again through `session`."""
    views = dict(views or {})

    def view_in(language: str) -> DeadlineView:
        if language not in views:
            if session is None:
                raise LookupError(f"no deadline view in {language}")
            views[language] = deadline_view(session, objection, language)
        return views[language]

    reference = objection.reference
    rows = []
    if objection.email:
        rows.append(
            _rendered_row(
                template="receipt",
                kind="receipt",
                key=f"receipt:{reference}",
                recipient=objection.email,
                language=objection.language,
                now=now,
                objection=objection,
                subject=lambda: gettext("Your objection %(reference)s has been received", reference=reference),
                access_code=access_code,
                link=link,
                deadline=view_in(objection.language),
            )
        )
    case_link = absolute_url(f"/cases/{reference}")
    # The message names no recipient: it is rendered once per language and copied to each recipient, so a
    # filing costs the same for a team of two and a team of fifty.
    rendered: dict[str, dict[str, object]] = {}
    for address, language, user in recipients:
        if language not in rendered:
            view = view_in(language)
            rendered[language] = _rendered_row(
                template="new_objection",
                kind="new_objection",
                key="",
                recipient="",
                language=language,
                now=now,
                objection=objection,
                link=case_link,
                deadline=view,
                subject=lambda view=view: gettext(
                    "New objection %(reference)s: answer by %(deadline)s",
                    reference=reference,
                    deadline=view.deadline_text,
                ),
            )
        rows.append(
            dict(
                rendered[language],
                idempotency_key=f"new-objection:{reference}:{address}",
                recipient=address,
                user_id=user.id if user else None,
            )
        )
    return rows
