"""Outbox messages: written in the caller's transaction, keyed so that none is queued twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from objections.models import Notification, Objection, User

TRACKING_LINK_MAX_AGE = 90 * 24 * 3600


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
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Notification)
        .values(
            idempotency_key=key,
            recipient=recipient,
            kind=kind,
            language=language,
            subject=subject[:300],
            body_text=body_text,
            body_html=body_html,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            objection_id=objection.id if objection else None,
            user_id=user.id if user else None,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(Notification.id)
    )
    return session.execute(statement).scalar_one_or_none() is not None


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
        users = [objection.assignee]
    else:
        users = list(
            session.scalars(
                select(User).where(
                    User.organization_id == objection.organization_id,
                    User.role.in_(("operator", "org_admin")),
                    User.active,
                )
            )
        )
    recipients = [(u.email, u.language, u) for u in users]
    contact = objection.organization.contact_email
    if contact and contact not in {r[0] for r in recipients}:
        recipients.append((contact, "kk", None))
    return recipients


def appeal_routes(language: str) -> str:
    routes = current_app.config["APPEAL_ROUTES"]
    return routes.get(language) or routes["en"]


def _render(template: str, language: str, **context: object) -> tuple[str, str]:
    with force_locale(language):
        return (
            render_template(f"mail/{template}.txt", **context),
            render_template(f"mail/{template}.html", **context),
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
    text, html = _render(template, language, objection=objection, **context)
    with force_locale(language):
        subject_text = subject()
    return queue_message(
        session,
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


def queue_intake_messages(session: Session, objection: Objection, *, access_code: str, now: datetime) -> None:
    """The subject's receipt and the organisation's "new objection" message."""
    from objections.services.presenters import deadline_view

    if objection.email:
        queue_rendered(
            session,
            template="receipt",
            kind="receipt",
            key=f"receipt:{objection.reference}",
            recipient=objection.email,
            language=objection.language,
            now=now,
            objection=objection,
            subject=lambda: gettext("Your objection %(reference)s has been received", reference=objection.reference),
            access_code=access_code,
            link=absolute_url(f"/track/link/{tracking_token(objection.reference)}"),
            deadline=deadline_view(session, objection, objection.language),
        )
    for address, language, user in organisation_recipients(session, objection):
        view = deadline_view(session, objection, language)
        queue_rendered(
            session,
            template="new_objection",
            kind="new_objection",
            key=f"new-objection:{objection.reference}:{address}",
            recipient=address,
            language=language,
            now=now,
            objection=objection,
            user=user,
            link=absolute_url(f"/cases/{objection.reference}"),
            deadline=view,
            subject=lambda view=view: gettext(
                "New objection %(reference)s: answer by %(deadline)s",
                reference=objection.reference,
                deadline=view.deadline_text,
            ),
        )
