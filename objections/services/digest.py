"""The morning digest (09:00 Astana time): operators get their organisation's objections due today or tomorrow and
those overdue; supervisors get the last day's breaches and the cases at risk. One per person per day."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from flask import render_template
from flask_babel import force_locale, gettext
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from objections.domain.deadlines import end_of_day_at, format_deadline
from objections.domain.standing import Standing
from objections.domain.timefmt import format_local_date, local_date
from objections.models import Notification, Objection, User
from objections.models.objection import OPEN_STATUSES
from objections.services import outbox
from objections.services.links import breach_log_url, case_url, supervisor_case_url
from objections.services.presenters import standing_of

DIGEST_JOB = "digest"
LIST_LIMIT = 50
"""A section lists at most this many cases and says how many more there are."""
LOOKBACK = timedelta(hours=24)
AT_RISK = (Standing.DUE_TODAY, Standing.DUE_WITHIN_24H, Standing.AT_RISK)


@dataclass
class DigestResult:
    day: str
    queued: int = 0
    nothing_to_report: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class DigestItem:
    objection: Objection
    standing: str
    link: str


@dataclass
class Section:
    code: str
    """overdue, due_today, due_tomorrow, breached, at_risk: the template names each."""
    items: list[DigestItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def shown(self) -> list[DigestItem]:
        return self.items[:LIST_LIMIT]

    @property
    def more(self) -> int:
        return max(self.count - LIST_LIMIT, 0)


def digest_key(day: date, user: User) -> str:
    return f"digest:{day.isoformat()}:{user.id}"


def organisation_sections(session: Session, organization_id: int, *, now: datetime) -> list[Section]:
    """Overdue, due today and due tomorrow among the organisation's unanswered open objections."""
    today = local_date(now)
    rows = session.scalars(
        select(Objection)
        .where(
            Objection.organization_id == organization_id,
            Objection.status.in_(OPEN_STATUSES),
            Objection.deadline_at <= end_of_day_at(today + timedelta(days=1)),
            Objection.answered_at.is_(None),
        )
        .options(joinedload(Objection.organization), joinedload(Objection.assignee))
        .order_by(Objection.deadline_at, Objection.id)
    ).unique()
    sections = {code: Section(code) for code in ("overdue", "due_today", "due_tomorrow")}
    for objection in rows:
        if objection.deadline_at <= now:
            code = "overdue"
        elif objection.last_day <= today:
            code = "due_today"
        else:
            code = "due_tomorrow"
        item = DigestItem(objection, standing_of(objection, now).standing.value, case_url(objection.reference))
        sections[code].items.append(item)
    return list(sections.values())


def supervisor_sections(session: Session, *, now: datetime) -> list[Section]:
    """Breaches of the last day (the deadline passed unanswered, whether answered late since or not) and the
    unanswered cases whose standing is due today, due within 24 h or at risk of the internal target."""
    breached = Section("breached")
    for objection in session.scalars(
        select(Objection)
        .where(
            Objection.deadline_at > now - LOOKBACK,
            Objection.deadline_at <= now,
            or_(Objection.answered_at.is_(None), Objection.answered_at >= Objection.deadline_at),
            Objection.status != "withdrawn",
        )
        .options(joinedload(Objection.organization))
        .order_by(Objection.deadline_at, Objection.id)
    ).unique():
        breached.items.append(
            DigestItem(objection, standing_of(objection, now).standing.value, supervisor_case_url(objection.reference))
        )
    at_risk = Section("at_risk")
    for objection in session.scalars(
        select(Objection)
        .where(Objection.answered_at.is_(None), Objection.status.in_(OPEN_STATUSES), Objection.deadline_at > now)
        .options(joinedload(Objection.organization))
        .order_by(Objection.deadline_at, Objection.id)
    ).unique():
        standing = standing_of(objection, now).standing
        if standing in AT_RISK:
            at_risk.items.append(DigestItem(objection, standing.value, supervisor_case_url(objection.reference)))
    return [breached, at_risk]


def send_digests(session: Session, *, now: datetime) -> DigestResult:
    """Queue today's digest for every active operator, organisation admin and supervisor with something to read;
    a second run the same day queues nothing new."""
    today = local_date(now)
    result = DigestResult(day=today.isoformat())
    staff = list(
        session.scalars(
            select(User).where(User.active, User.role.in_(("operator", "org_admin", "supervisor"))).order_by(User.id)
        )
    )
    keys = [digest_key(today, user) for user in staff]
    done = set(session.scalars(select(Notification.idempotency_key).where(Notification.idempotency_key.in_(keys))))
    by_organisation: dict[int, list[Section]] = {}
    for_supervisors: list[Section] | None = None
    for user in staff:
        if digest_key(today, user) in done:
            continue
        if user.role == "supervisor":
            if for_supervisors is None:
                for_supervisors = supervisor_sections(session, now=now)
            sections = for_supervisors
        elif user.organization_id is not None:
            if user.organization_id not in by_organisation:
                by_organisation[user.organization_id] = organisation_sections(session, user.organization_id, now=now)
            sections = by_organisation[user.organization_id]
        else:
            continue
        if not any(section.count for section in sections):
            result.nothing_to_report += 1
            continue
        result.queued += _queue_digest(session, user, sections, day=today, now=now)
    session.flush()
    return result


def _queue_digest(session: Session, user: User, sections: list[Section], *, day: date, now: datetime) -> int:
    language = user.language
    counts = {section.code: section.count for section in sections}
    context = {
        "user": user,
        "sections": sections,
        "day_text": format_local_date(day, language, with_weekday=True),
        "deadline_text": lambda objection: format_deadline(objection.last_day, language),
        "is_supervisor": user.role == "supervisor",
        "breach_log_link": breach_log_url(),
    }
    with force_locale(language):
        if user.role == "supervisor":
            subject = gettext(
                "Daily summary: %(breached)d breaches in the last day, %(at_risk)d cases at risk",
                breached=counts["breached"],
                at_risk=counts["at_risk"],
            )
        else:
            subject = gettext(
                "Daily summary: %(due)d objections due today or tomorrow, %(overdue)d overdue",
                due=counts["due_today"] + counts["due_tomorrow"],
                overdue=counts["overdue"],
            )
        text = render_template("mail/digest.txt", **context)
        html = render_template("mail/digest.html", **context)
    inserted = outbox.insert_messages(
        session,
        [
            outbox.message_row(
                key=digest_key(day, user),
                recipient=user.email,
                kind="digest",
                language=language,
                subject=subject,
                body_text=text,
                body_html=html,
                now=now,
                user_id=user.id,
            )
        ],
    )
    return len(inserted)
