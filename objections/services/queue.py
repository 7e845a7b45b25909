"""The operator's queue: one organisation's objections, filtered, searched and paged by keyset, with counters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from objections import crypto
from objections.domain.calendar import LOCAL_TZ
from objections.domain.deadlines import end_of_day_at
from objections.domain.errors import NotFound
from objections.domain.timefmt import local_date
from objections.models import Notification, Objection, ProcessingNotice
from objections.models.objection import CHANNELS, OPEN_STATUSES

OPEN = "open"
ALL = "all"
STATUS_FILTERS = (OPEN, "received", "in_review", "decided", "answered", "closed", "withdrawn", ALL)
ASSIGNEE_FILTERS = ("all", "mine", "unassigned")
PER_PAGE = 25
COUNT_CAP = 1000
SEARCH_HITS_MAX = 1000
REFERENCE_YEARS_BACK = 10
UNSENT = ("pending", "sending", "dead")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_IIN = re.compile(r"\d{12}")
_REFERENCE = re.compile(r"OB-[\d-]*", re.IGNORECASE)
_NUMBER = re.compile(r"\d{1,6}")


@dataclass(frozen=True)
class QueueFilters:
    """What the operator asked for; dates are local (Asia/Almaty) days, both ends included."""

    status: str = OPEN
    notice: str | None = None
    assignee: str = "all"
    channel: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    breached: bool = False
    undelivered: bool = False
    search: str = ""


@dataclass(frozen=True)
class QueuePage:
    items: list[Objection]
    next_cursor: str | None
    prev_cursor: str | None
    matching: int
    matching_capped: bool


@dataclass(frozen=True)
class Counters:
    open: int
    due_today: int
    overdue: int
    undelivered: int


def case_for(session: Session, reference: str, *, organization_id: int | None) -> Objection:
    """The objection with `reference` if it belongs to the organisation; NotFound alike for any other."""
    objection = session.scalar(
        select(Objection).where(
            Objection.reference == reference.strip().upper(), Objection.organization_id == organization_id
        )
    )
    if objection is None or organization_id is None:
        raise NotFound("no such case")
    return objection


def _start_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)


def _unicode_lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def _name_contains(session: Session, text: str) -> ColumnElement[bool]:
    """Case-insensitive in every alphabet: SQLite's own LIKE and lower() fold ASCII letters only."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    if session.get_bind().dialect.name != "sqlite":
        return Objection.full_name.ilike(pattern, escape="\\")
    raw = session.connection().connection.driver_connection
    raw.create_function("unicode_lower", 1, _unicode_lower, deterministic=True)  # type: ignore[union-attr]
    return func.unicode_lower(Objection.full_name).like(pattern, escape="\\")


def _search(session: Session, text: str, now: datetime) -> tuple[ColumnElement[bool], bool]:
    """A 12-digit IIN through its blind index, a reference (or its number), else a part of the name; and whether
    the condition is a short list of ids. IINs and references are looked up on their own indexes first: given the
    whole condition, SQLite prefers walking a large organisation's sort index (seconds at 900,000 cases)."""
    if _IIN.fullmatch(text):
        exact = Objection.iin_index == crypto.keyring().blind_index(text)
    elif _REFERENCE.fullmatch(text):
        prefix = text.upper()
        exact = and_(Objection.reference >= prefix, Objection.reference < prefix + "\x7f")
    elif _NUMBER.fullmatch(text):
        years = range(now.year - REFERENCE_YEARS_BACK, now.year + 1)
        exact = Objection.reference.in_([f"OB-{year}-{int(text):06d}" for year in years])
    else:
        return _name_contains(session, text), False
    found = session.scalars(select(Objection.id).where(exact).limit(SEARCH_HITS_MAX)).all()
    return (Objection.id.in_(found) if found else false()), True


def _unsent_answers(session: Session) -> set[int]:
    """Objections whose answer e-mail is unsent (dead, or retried by an administrator). Every flagged answer is
    among them, and these few outbox rows come from their status index, so no organisation's cases are scanned."""
    return set(
        session.scalars(
            select(Notification.objection_id).where(Notification.status.in_(UNSENT), Notification.kind == "answer")
        )
    )


def _undelivered(ids: set[int]) -> ColumnElement[bool]:
    if not ids:
        return false()
    return and_(Objection.answer_undelivered_at.is_not(None), Objection.id.in_(ids))


def _filtered(
    session: Session, *, organization_id: int, user_id: int | None, filters: QueueFilters, now: datetime
) -> Select[Any]:
    text = filters.search.strip()
    searched, by_ids = _search(session, text, now) if text else (None, False)
    undelivered = _undelivered(_unsent_answers(session)) if filters.undelivered else None
    # Given a short list of ids, rows are best fetched by id; "+ 0" keeps the organisation condition but stops it
    # from steering SQLite onto the organisation's whole index.
    owner = Objection.organization_id + 0 if by_ids or undelivered is not None else Objection.organization_id
    query = select(Objection).where(owner == organization_id)
    if filters.status == OPEN:
        query = query.where(Objection.status.in_(OPEN_STATUSES))
    elif filters.status in STATUS_FILTERS and filters.status != ALL:
        query = query.where(Objection.status == filters.status)
    if filters.notice:
        versions = select(ProcessingNotice.id).where(
            ProcessingNotice.organization_id == organization_id, ProcessingNotice.slug == filters.notice
        )
        query = query.where(Objection.notice_id.in_(versions))
    if filters.assignee == "mine":
        query = query.where(Objection.assignee_id == user_id)
    elif filters.assignee == "unassigned":
        query = query.where(Objection.assignee_id.is_(None))
    if filters.channel in CHANNELS:
        query = query.where(Objection.channel == filters.channel)
    if filters.received_from:
        query = query.where(Objection.received_at >= _start_of_local_day(filters.received_from))
    if filters.received_to:
        query = query.where(Objection.received_at < _start_of_local_day(filters.received_to + timedelta(days=1)))
    if filters.breached:
        # standing.is_breach as a query: unanswered at or after the deadline, or answered at or after it.
        query = query.where(
            or_(
                and_(Objection.answered_at.is_(None), Objection.deadline_at <= now),
                Objection.answered_at >= Objection.deadline_at,
            )
        )
    if undelivered is not None:
        query = query.where(undelivered)
    if searched is not None:
        query = query.where(searched)
    return query


def _sort_key(filters: QueueFilters) -> tuple[Any, bool]:
    """(column, descending): open work nearest deadline first; finished work latest first."""
    if filters.status == ALL:
        return Objection.received_at, True
    if filters.status == OPEN or filters.status in OPEN_STATUSES:
        return Objection.deadline_at, False
    return Objection.deadline_at, True


def encode_cursor(moment: datetime, objection_id: int) -> str:
    return f"{(moment - _EPOCH) // timedelta(microseconds=1)}.{objection_id}"


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """None for a missing or malformed cursor: the first page."""
    try:
        micros, objection_id = (cursor or "").split(".")
        return _EPOCH + timedelta(microseconds=int(micros)), int(objection_id)
    except (ValueError, OverflowError):
        return None


def list_cases(
    session: Session,
    *,
    organization_id: int,
    user_id: int | None,
    filters: QueueFilters,
    now: datetime,
    after: str | None = None,
    before: str | None = None,
    per_page: int = PER_PAGE,
) -> QueuePage:
    """One page of the organisation's objections, paged by keyset on (sort key, id) so that page 10,000 costs
    what page 1 costs; `after`/`before` are cursors from a previous page."""
    base = _filtered(session, organization_id=organization_id, user_id=user_id, filters=filters, now=now)
    query = base
    column, descending = _sort_key(filters)
    start_after, end_before = decode_cursor(after), decode_cursor(before)
    backwards = end_before is not None and start_after is None
    position = end_before if backwards else start_after
    forward_desc = descending != backwards
    if position is not None:
        key, key_id = position
        if forward_desc:
            query = query.where(or_(column < key, and_(column == key, Objection.id < key_id)))
        else:
            query = query.where(or_(column > key, and_(column == key, Objection.id > key_id)))
    order = (column.desc(), Objection.id.desc()) if forward_desc else (column.asc(), Objection.id.asc())
    rows = list(
        session.scalars(
            query.order_by(*order)
            .limit(per_page + 1)
            .options(selectinload(Objection.assignee), selectinload(Objection.notice))
        )
    )
    more = len(rows) > per_page
    items = rows[:per_page]
    if backwards:
        items.reverse()

    def cursor_of(objection: Objection) -> str:
        return encode_cursor(getattr(objection, column.key), objection.id)

    next_cursor = prev_cursor = None
    if items:
        if backwards:
            prev_cursor = cursor_of(items[0]) if more else None
            next_cursor = cursor_of(items[-1])
        else:
            next_cursor = cursor_of(items[-1]) if more else None
            prev_cursor = cursor_of(items[0]) if position is not None else None
    if position is None and not more:
        matching = len(items)  # the whole result is on this first page: no second pass over it
    else:
        capped = base.with_only_columns(Objection.id).limit(COUNT_CAP + 1).subquery()
        matching = session.scalar(select(func.count()).select_from(capped)) or 0
    return QueuePage(
        items=items,
        next_cursor=next_cursor,
        prev_cursor=prev_cursor,
        matching=min(matching, COUNT_CAP),
        matching_capped=matching > COUNT_CAP,
    )


def counters(session: Session, *, organization_id: int, now: datetime) -> Counters:
    """Open, due today and overdue (the standings `due_today` and `overdue` of standing_at, counted on the
    (organisation, status, deadline) index), and answers whose e-mail failed."""
    open_cases = (
        select(func.count())
        .select_from(Objection)
        .where(Objection.organization_id == organization_id, Objection.status.in_(OPEN_STATUSES))
    )
    end_of_today = end_of_day_at(local_date(now))
    unsent = _unsent_answers(session)
    undelivered = (
        select(func.count())
        .select_from(Objection)
        .where(Objection.organization_id == organization_id, _undelivered(unsent))
    )
    return Counters(
        open=session.scalar(open_cases) or 0,
        due_today=session.scalar(open_cases.where(Objection.deadline_at > now, Objection.deadline_at <= end_of_today))
        or 0,
        overdue=session.scalar(open_cases.where(Objection.deadline_at <= now)) or 0,
        undelivered=(session.scalar(undelivered) or 0) if unsent else 0,
    )
