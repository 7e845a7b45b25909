"""Filing an objection: validation, deadline, reference, access code, timeline and outbox in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from objections import crypto
from objections.domain.deadlines import Deadline
from objections.domain.errors import ValidationFailed
from objections.domain.iin import iin_problem
from objections.domain.outcomes import Remedy
from objections.models import Objection, Organization, ProcessingNotice, User
from objections.services import notify
from objections.services.deadlines import compute_deadline
from objections.services.events import append_event
from objections.services.presenters import DeadlineView
from objections.services.references import next_reference

LANGUAGES = ("kk", "ru", "en")
GROUNDS_MAX = 5000
NAME_MAX = 300
PAPER_BACKDATE_LIMIT = timedelta(days=30)


# Built once: a filing runs these on every request, and building a statement costs more than running it.
_ACTIVE_ORGANIZATION = select(Organization).where(Organization.slug == bindparam("slug"), Organization.active)
_CURRENT_NOTICE = select(ProcessingNotice).where(
    ProcessingNotice.organization_id == bindparam("organization_id"),
    ProcessingNotice.slug == bindparam("slug"),
    ProcessingNotice.is_current,
    ProcessingNotice.published,
)


@dataclass
class ObjectionInput:
    """What a subject (or an operator registering a paper or phone objection) submits."""

    organization: str
    full_name: str
    iin: str
    language: str
    grounds: str
    remedies: list[str] = field(default_factory=list)
    consent: bool = False
    notice: str | None = None
    email: str | None = None
    phone: str | None = None
    decision_reference: str | None = None
    decision_date: date | None = None


@dataclass(frozen=True)
class Filed:
    objection: Objection
    access_code: str


def _clean(value: str | None) -> str:
    return (value or "").strip()


def validate_input(
    session: Session, data: ObjectionInput, *, email_required: bool, now: datetime
) -> tuple[Organization, ProcessingNotice | None, str | None]:
    """Check every field; raise ValidationFailed with {field: [code]} naming each problem."""
    errors: dict[str, list[str]] = {}
    organization = session.scalar(_ACTIVE_ORGANIZATION, {"slug": _clean(data.organization)})
    if organization is None:
        errors["organization"] = ["required" if not _clean(data.organization) else "unknown"]
    notice = None
    if _clean(data.notice) and organization is not None:
        notice = session.scalar(_CURRENT_NOTICE, {"organization_id": organization.id, "slug": _clean(data.notice)})
        if notice is None:
            errors["notice"] = ["unknown"]
    name = _clean(data.full_name)
    if len(name) < 2:
        errors["full_name"] = ["required"]
    elif len(name) > NAME_MAX:
        errors["full_name"] = ["too_long"]
    iin = _clean(data.iin)
    if not iin:
        errors["iin"] = ["required"]
    elif problem := iin_problem(iin):
        errors["iin"] = [f"iin_{problem}"]
    email = _clean(data.email) or None
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = ["invalid_email"]
    elif email_required:
        errors["email"] = ["required"]
    phone = _clean(data.phone)
    if phone:
        digits = sum(ch.isdigit() for ch in phone)
        if not (5 <= digits <= 15) or any(not (ch.isdigit() or ch in "+-() ") for ch in phone):
            errors["phone"] = ["invalid_phone"]
    if data.language not in LANGUAGES:
        errors["language"] = ["unknown"]
    if data.decision_reference and len(data.decision_reference) > 120:
        errors["decision_reference"] = ["too_long"]
    if data.decision_date and data.decision_date > now.date() + timedelta(days=1):
        errors["decision_date"] = ["in_future"]
    grounds = _clean(data.grounds)
    if not grounds:
        errors["grounds"] = ["required"]
    elif len(grounds) > GROUNDS_MAX:
        errors["grounds"] = ["too_long"]
    valid_remedies = {r.value for r in Remedy}
    if not data.remedies:
        errors["remedies"] = ["required"]
    elif any(r not in valid_remedies for r in data.remedies):
        errors["remedies"] = ["unknown"]
    if data.consent is not True:
        errors["consent"] = ["consent_required"]
    if errors:
        raise ValidationFailed(errors)
    return organization, notice, email  # type: ignore[return-value]


@dataclass(frozen=True)
class PreparedFiling:
    """A checked filing with everything read and computed that needs no write: the part that can run before the
    write transaction, so that the write itself stays short."""

    channel: str
    actor: User | None
    forwarded_from: Objection | None
    received_at: datetime
    deadline: Deadline
    access_code: str
    recipients: list[tuple[str, str, User | None]]
    views: dict[str, DeadlineView]
    objection: Objection  # not yet added to the session; its reference is notify.REFERENCE_MARK
    drafts: list[dict[str, object]]  # its messages, rendered around that mark


def prepare_filing(
    session: Session,
    data: ObjectionInput,
    *,
    channel: str,
    now: datetime,
    policy: str,
    actor: User | None = None,
    received_at: datetime | None = None,
    forwarded_from: Objection | None = None,
) -> PreparedFiling:
    """Validate, compute the deadline and the access code, and read who is to be told; writes nothing.
    Art. 19-1(3): the term runs from the day of receipt."""
    paper = channel in ("paper", "phone")
    organization, notice, email = validate_input(
        session, data, email_required=not paper and not forwarded_from, now=now
    )
    if received_at is None or not paper:
        received_at = now
    elif received_at > now:
        raise ValidationFailed({"received_at": ["in_future"]})
    elif received_at < now - PAPER_BACKDATE_LIMIT:
        raise ValidationFailed({"received_at": ["too_old"]})
    deadline = compute_deadline(session, received_at, policy)
    access_code = crypto.new_access_code()
    keys = crypto.keyring()
    iin = data.iin.strip()
    recipients = notify.team_recipients(session, organization)
    languages = [language for _address, language, _user in recipients]
    if email:
        languages.append(data.language)
    views = notify.deadline_views(deadline, languages)
    objection = Objection(
        reference=notify.REFERENCE_MARK,
        access_code_hash=keys.hash_secret(crypto.normalise_access_code(access_code)),
        organization_id=organization.id,
        notice_id=notice.id if notice else None,
        full_name=data.full_name.strip(),
        iin=iin,
        iin_index=keys.blind_index(iin),
        email=email,
        phone=_clean(data.phone) or None,
        language=data.language,
        decision_reference=_clean(data.decision_reference) or None,
        decision_on=data.decision_date,
        grounds=data.grounds.strip(),
        remedies=sorted(set(data.remedies)),
        channel=channel,
        received_at=received_at,
        deadline_at=deadline.deadline_at,
        last_day=deadline.last_day,
        deadline_policy=deadline.policy.value,
        status="received",
        forwarded_from_id=forwarded_from.id if forwarded_from else None,
        created_at=now,
    )
    objection.organization = organization
    objection.notice = notice
    return PreparedFiling(
        channel=channel,
        actor=actor,
        forwarded_from=forwarded_from,
        received_at=received_at,
        deadline=deadline,
        access_code=access_code,
        recipients=recipients,
        views=views,
        objection=objection,
        drafts=notify.draft_intake_messages(
            objection, access_code=access_code, now=now, recipients=recipients, views=views
        ),
    )


def record_filing(session: Session, prepared: PreparedFiling, *, now: datetime) -> Filed:
    """Write a prepared filing: its reference, the objection, a "received" event and its outbox messages. Only
    this part runs in the write transaction (on SQLite it holds the database's one write lock)."""
    deadline, channel, forwarded_from = prepared.deadline, prepared.channel, prepared.forwarded_from
    objection = prepared.objection
    views, drafts = prepared.views, prepared.drafts
    # The calendar is read again inside the write: an override saved since the checks (which recomputes only the
    # objections already written) must still count for this one.
    current = compute_deadline(session, prepared.received_at, deadline.policy.value)
    if (current.deadline_at, current.last_day) != (deadline.deadline_at, deadline.last_day):
        deadline = current
        objection.deadline_at, objection.last_day = current.deadline_at, current.last_day
        views = notify.deadline_views(current, views)
        drafts = []  # rendered with the earlier deadline: rendered again below
    objection.reference = next_reference(session, prepared.received_at.year)
    session.add(objection)
    session.flush()
    payload: dict = {"channel": channel, "deadline_at": deadline.deadline_at.isoformat()}
    if channel in ("paper", "phone"):
        payload["stamped_received_at"] = prepared.received_at.isoformat()
    if forwarded_from is not None:
        payload["forwarded_from"] = forwarded_from.reference
    actor = prepared.actor
    append_event(
        session,
        objection,
        "received",
        now=now,
        actor=actor,
        actor_kind="staff" if actor else ("api" if channel == "api" else "subject"),
        payload=payload,
        first=True,
    )
    notify.queue_drafted_messages(
        session,
        drafts,
        objection,
        render_again=lambda: notify.intake_message_rows(
            session,
            objection,
            access_code=prepared.access_code,
            now=now,
            recipients=prepared.recipients,
            views=views,
            link=notify.tracking_link(objection.reference),
        ),
    )
    return Filed(objection=objection, access_code=prepared.access_code)


def file_objection(
    session: Session,
    data: ObjectionInput,
    *,
    channel: str,
    now: datetime,
    policy: str,
    actor: User | None = None,
    received_at: datetime | None = None,
    forwarded_from: Objection | None = None,
) -> Filed:
    """Record a new objection with its deadline, a "received" event and its outbox messages.
    Art. 19-1(3): the term runs from the day of receipt."""
    prepared = prepare_filing(
        session,
        data,
        channel=channel,
        now=now,
        policy=policy,
        actor=actor,
        received_at=received_at,
        forwarded_from=forwarded_from,
    )
    return record_filing(session, prepared, now=now)


def find_by_reference(session: Session, reference: str, access_code: str) -> Objection | None:
    """The objection when both reference and code match; None alike for an unknown reference and a wrong code."""
    objection = session.scalar(select(Objection).where(Objection.reference == reference.strip().upper()))
    keys = crypto.keyring()
    code = crypto.normalise_access_code(access_code)
    if objection is None:
        keys.secret_matches(code, "0" * 64)  # same work either way
        return None
    return objection if keys.secret_matches(code, objection.access_code_hash) else None
