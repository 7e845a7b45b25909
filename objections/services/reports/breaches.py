"""The breach log: every objection ever answered late or now overdue, derived by a query so it outlives closing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, Select, func, literal, select, tuple_
from sqlalchemy.orm import Session

from objections.domain.standing import hours_late
from objections.models import Objection, ProcessingNotice, User
from objections.services.reports.filters import OrganizationName, ReportFilter
from objections.services.reports.masking import initials, masked_iin
from objections.services.reports.sql import breach_at, moment, seconds_between, tune_connection

PAGE_SIZE = 50
CHUNK_SIZE = 1000
SORTS = ("deadline", "late")


@dataclass(frozen=True)
class BreachRow:
    reference: str
    organization: OrganizationName
    notice: str | None
    risk_class: str | None
    subject: str
    iin: str
    received_at: datetime
    deadline_at: datetime
    answered_at: datetime | None
    status: str
    hours_late: float
    assignee: str | None
    appealed_at: datetime | None


@dataclass(frozen=True)
class BreachPage:
    rows: list[BreachRow]
    total: int
    page: int
    pages: int
    sort: str


_COLUMNS = (
    Objection.id,
    Objection.reference,
    Objection.organization_id,
    Objection.notice_id,
    Objection.full_name,
    Objection.iin,
    Objection.received_at,
    Objection.deadline_at,
    Objection.answered_at,
    Objection.status,
    Objection.assignee_id,
    Objection.appealed_at,
)


class _Names:
    """Notices and assignees by id, loaded once per batch of rows (both tables are small beside the objections)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.notices: dict[int, tuple[str, str]] = {}
        self.staff: dict[int, str] = {}

    def load(self, rows: list[Row]) -> None:
        notice_ids = {row.notice_id for row in rows if row.notice_id is not None} - self.notices.keys()
        if notice_ids:
            found = self.session.execute(
                select(ProcessingNotice.id, ProcessingNotice.slug, ProcessingNotice.risk_class).where(
                    ProcessingNotice.id.in_(notice_ids)
                )
            )
            self.notices.update({id_: (slug, risk) for id_, slug, risk in found})
        staff_ids = {row.assignee_id for row in rows if row.assignee_id is not None} - self.staff.keys()
        if staff_ids:
            found = self.session.execute(select(User.id, User.full_name, User.email).where(User.id.in_(staff_ids)))
            self.staff.update({id_: name or email for id_, name, email in found})


def _breach_row(row: Row, filters: ReportFilter, names: _Names, now: datetime) -> BreachRow:
    notice = names.notices.get(row.notice_id) if row.notice_id is not None else None
    return BreachRow(
        reference=row.reference,
        organization=filters.organizations[row.organization_id],
        notice=notice[0] if notice else None,
        risk_class=notice[1] if notice else None,
        subject=initials(row.full_name),
        iin=masked_iin(row.iin),
        received_at=row.received_at,
        deadline_at=row.deadline_at,
        answered_at=row.answered_at,
        status=row.status,
        hours_late=hours_late(deadline_at=row.deadline_at, answered_at=row.answered_at, now=now) or 0.0,
        assignee=names.staff.get(row.assignee_id) if row.assignee_id is not None else None,
        appealed_at=row.appealed_at,
    )


def _rows(session: Session, statement: Select, filters: ReportFilter, now: datetime, names: _Names) -> list[BreachRow]:
    rows = list(session.execute(statement))
    names.load(rows)
    return [_breach_row(row, filters, names, now) for row in rows]


def count_breaches(session: Session, *, filters: ReportFilter, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(Objection).where(*filters.cohort(), breach_at(now))) or 0


def breach_page(
    session: Session, *, filters: ReportFilter, now: datetime, page: int = 1, sort: str = "deadline"
) -> BreachPage:
    """One page of the period's breaches, the latest deadline first, or the longest late first."""
    sort = sort if sort in SORTS else SORTS[0]
    tune_connection(session)
    total = count_breaches(session, filters=filters, now=now)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    if sort == "late":
        lateness = seconds_between(func.coalesce(Objection.answered_at, moment(now)), Objection.deadline_at)
        order = (lateness.desc(), Objection.id.desc())
    else:
        order = (Objection.deadline_at.desc(), Objection.id.desc())
    statement = (
        select(*_COLUMNS)
        .where(*filters.cohort(), breach_at(now))
        .order_by(*order)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    rows = _rows(session, statement, filters, now, _Names(session))
    return BreachPage(rows=rows, total=total, page=page, pages=pages, sort=sort)


def breach_chunks(
    session: Session, *, filters: ReportFilter, now: datetime, chunk_size: int | None = None
) -> Iterator[list[BreachRow]]:
    """Every breach of the period in chunks, organisation by organisation, in order of receipt.

    Each chunk is its own short query resuming after the last row (keyset on the (organisation, received_at)
    index), so memory stays at one chunk whatever the total, and the caller may end the read transaction between
    chunks: on SQLite a transaction held through a long download would keep writers waiting."""
    names = _Names(session)
    chunk_size = chunk_size or CHUNK_SIZE
    for organization_id in filters.organization_ids:
        after: tuple[datetime, int] | None = None
        while True:
            statement = select(*_COLUMNS).where(*filters.cohort(organization_id), breach_at(now))
            if after is not None:
                statement = statement.where(
                    tuple_(Objection.received_at, Objection.id) > tuple_(moment(after[0]), literal(after[1]))
                )
            statement = statement.order_by(Objection.received_at, Objection.id).limit(chunk_size)
            raw = list(session.execute(statement))
            if not raw:
                break
            names.load(raw)
            yield [_breach_row(row, filters, names, now) for row in raw]
            if len(raw) < chunk_size:
                break
            after = (raw[-1].received_at, raw[-1].id)
