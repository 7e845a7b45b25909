"""The sweep: the reminders before each open objection's deadline and the breach notice at it, each queued once.

Everything derives from the database: the windows of `deadline_at` whose moments have come since the previous
sweep (read on the partial index of unanswered objections, so the cost follows the cases that are due, not the size
of the table), plus every objection whose timeline moved since then (a paper objection registered late, a deadline
recomputed). A sweep missed while the scheduler was down is caught up by the next one, and the outbox's unique
idempotency key makes concurrent or repeated sweeps harmless.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from flask import render_template
from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from objections.domain.deadlines import format_deadline
from objections.domain.reminders import DueMoment, due_moment, moment_offsets
from objections.models import Notification, Objection, ObjectionEvent, User
from objections.models.objection import OPEN_STATUSES
from objections.services import notify, outbox
from objections.services.links import case_url, supervisor_case_url
from objections.services.scheduler_state import last_job_run

SWEEP_JOB = "sweep"
OVERLAP = timedelta(minutes=5)
"""Each window starts this much before the previous sweep's moment: clocks of two hosts may differ a little."""
CHUNK = 500

Recipient = tuple[str, str, User | None]


@dataclass
class SweepResult:
    examined: int = 0
    reminders: int = 0
    breaches: int = 0
    event_floor: int | None = None
    event_seen: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        return asdict(self)


@dataclass(frozen=True)
class _Planned:
    objection: Objection
    moment: DueMoment
    address: str
    language: str
    user: User | None
    audience: str

    @property
    def key(self) -> str:
        return f"{self.moment.label}:{self.objection.reference}:{self.address}"


def _unanswered_open() -> tuple:
    # "answered_at IS NULL" literally, so that SQLite and PostgreSQL read the partial index ix_objections_open_deadline.
    return (Objection.answered_at.is_(None), Objection.status.in_(OPEN_STATUSES))


def _load(session: Session, *criteria: object) -> list[Objection]:
    statement = (
        select(Objection)
        .where(*_unanswered_open(), *criteria)
        .options(joinedload(Objection.organization), joinedload(Objection.assignee))
    )
    return list(session.scalars(statement).unique())


def candidates(
    session: Session, *, now: datetime, since: datetime | None, offsets_hours: Sequence[int], event_floor: int | None
) -> list[Objection]:
    """Unanswered open objections with a moment in (since, now], and those whose timeline moved after
    `event_floor`. Without a previous sweep every unanswered open objection with a moment by now."""
    found: dict[int, Objection] = {}
    for _label, offset in moment_offsets(offsets_hours):
        window = [Objection.deadline_at <= now + offset]
        if since is not None:
            window.append(Objection.deadline_at > since + offset)
        found.update((o.id, o) for o in _load(session, *window))
    if since is not None and event_floor is not None:
        moved = session.scalars(
            select(ObjectionEvent.objection_id)
            .where(ObjectionEvent.id > event_floor, ObjectionEvent.kind != "viewed")  # a reading changes nothing
            .distinct()
        )
        pending_ids = sorted(set(moved) - found.keys())
        for start in range(0, len(pending_ids), CHUNK):
            found.update((o.id, o) for o in _load(session, Objection.id.in_(pending_ids[start : start + CHUNK])))
    return sorted(found.values(), key=lambda o: (o.deadline_at, o.id))


def sweep_due(session: Session, *, now: datetime, offsets_hours: Sequence[int] = (24, 4)) -> SweepResult:
    """Queue every reminder and breach notice whose moment has come and is not queued yet; returns what it did
    (the caller records it as the sweep's JobRun, which the next sweep reads)."""
    previous = last_job_run(session, SWEEP_JOB)
    state = dict(previous.last_result or {}) if previous else {}
    since = min(previous.last_run_at, now) - OVERLAP if previous else None
    # Two generations of events: a transaction that committed a little after the previous sweep looked is still seen.
    event_floor = state.get("event_floor")
    if event_floor is None:
        event_floor = state.get("event_seen")
    result = SweepResult(
        event_floor=state.get("event_seen"),
        event_seen=session.scalar(select(func.max(ObjectionEvent.id))) or 0,
    )
    found = candidates(session, now=now, since=since, offsets_hours=offsets_hours, event_floor=event_floor)
    result.examined = len(found)
    planned = list(_plan(session, found, now=now, offsets_hours=offsets_hours))
    queued = _queue_missing(session, planned, now=now)
    result.reminders = sum(1 for p in queued if not p.moment.is_breach)
    result.breaches = sum(1 for p in queued if p.moment.is_breach)
    session.flush()
    return result


def _plan(
    session: Session, objections: Iterable[Objection], *, now: datetime, offsets_hours: Sequence[int]
) -> Iterable[_Planned]:
    by_team: dict[tuple[int, int | None], list[Recipient]] = {}
    supervisors: list[User] | None = None
    for objection in objections:
        moment = due_moment(objection.deadline_at, now, offsets_hours)
        if moment is None:
            continue
        team_key = (objection.organization_id, objection.assignee_id)
        if team_key not in by_team:
            by_team[team_key] = notify.organisation_recipients(session, objection)
        for address, language, user in by_team[team_key]:
            yield _Planned(objection, moment, address, language, user, "organisation")
        if moment.is_breach:
            if supervisors is None:
                supervisors = list(session.scalars(select(User).where(User.role == "supervisor", User.active)))
            for user in supervisors:
                yield _Planned(objection, moment, user.email, user.language, user, "supervisor")


def _existing_keys(session: Session, keys: list[str]) -> set[str]:
    existing: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        existing.update(
            session.scalars(select(Notification.idempotency_key).where(Notification.idempotency_key.in_(chunk)))
        )
    return existing


def _queue_missing(session: Session, planned: list[_Planned], *, now: datetime) -> list[_Planned]:
    """Render only what is not queued yet, then insert it in batches; the insert skips (and does not count) a key
    another sweep has queued meanwhile."""
    existing = _existing_keys(session, [p.key for p in planned])
    todo = [item for key, item in {p.key: p for p in planned}.items() if key not in existing]
    rendered = _render_all(todo)
    rows = []
    for item in todo:
        subject, text, html = rendered[_render_key(item)]
        rows.append(
            outbox.message_row(
                key=item.key,
                recipient=item.address,
                kind="breach" if item.moment.is_breach else "reminder",
                language=item.language,
                subject=subject,
                body_text=text,
                body_html=html,
                now=now,
                objection_id=item.objection.id,
                user_id=item.user.id if item.user else None,
            )
        )
    inserted = outbox.insert_messages(session, rows)
    return [item for item in todo if item.key in inserted]


def _render_key(item: _Planned) -> tuple[int, str, str, str]:
    return (item.objection.id, item.moment.label, item.language, item.audience)


def _render_all(items: list[_Planned]) -> dict[tuple[int, str, str, str], tuple[str, str, str]]:
    """Each distinct message once, language by language."""
    by_language: dict[str, list[_Planned]] = defaultdict(list)
    for item in items:
        by_language[item.language].append(item)
    rendered: dict[tuple[int, str, str, str], tuple[str, str, str]] = {}
    for language, group in by_language.items():
        with force_locale(language):
            for item in group:
                if _render_key(item) not in rendered:
                    rendered[_render_key(item)] = _render(item)
    return rendered


def _render(item: _Planned) -> tuple[str, str, str]:
    """Subject, text and HTML in the locale the caller forced (the recipient's language)."""
    objection, language = item.objection, item.language
    deadline_text = format_deadline(objection.last_day, language)
    context = {
        "objection": objection,
        "organisation_name": objection.organization.name(language),
        "deadline_text": deadline_text,
        "link": (supervisor_case_url if item.audience == "supervisor" else case_url)(objection.reference),
        "audience": item.audience,
        "hours": round((objection.deadline_at - item.moment.at) / timedelta(hours=1)),
    }
    template = "breach" if item.moment.is_breach else "reminder"
    if item.moment.is_breach:
        subject = gettext(
            "Deadline missed: objection %(reference)s was not answered by %(deadline)s",
            reference=objection.reference,
            deadline=deadline_text,
        )
    else:
        subject = gettext(
            "Reminder: objection %(reference)s must be answered by %(deadline)s",
            reference=objection.reference,
            deadline=deadline_text,
        )
    return (
        subject,
        render_template(f"mail/{template}.txt", **context),
        render_template(f"mail/{template}.html", **context),
    )
