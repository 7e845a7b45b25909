"""The supervisor's figures for a period: open now, the period's compliance, per organisation, and chart series."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from objections.models import Objection
from objections.services.reports.current import OpenNow, open_now, worst_overdue
from objections.services.reports.filters import OrganizationName, ReportFilter
from objections.services.reports.sql import (
    answered_on_time,
    moment,
    overdue_at,
    seconds_between,
    tune_connection,
    whole_days,
)

HOUR = 3600
QUANTILES = (50, 90)
# Edges (hours from the deadline) of the histogram of answers: whole days before it and after it.
HISTOGRAM_EDGES = (-72, -48, -24, 0, 24, 48)
TREND_LINES = 5


@dataclass(frozen=True)
class Figures:
    """Counts for a set of objections received in the period."""

    received: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    withdrawn: int = 0
    appeals: int = 0
    histogram: tuple[int, ...] = (0,) * (len(HISTOGRAM_EDGES) + 1)

    @property
    def answered(self) -> int:
        return self.on_time + self.late

    @property
    def breached(self) -> int:
        return self.late + self.overdue

    @property
    def judged(self) -> int:
        """Objections whose term has run out or that were answered: the base of the on-time rate."""
        return self.on_time + self.late + self.overdue

    @property
    def on_time_pct(self) -> float | None:
        return 100.0 * self.on_time / self.judged if self.judged else None

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            received=self.received + other.received,
            on_time=self.on_time + other.on_time,
            late=self.late + other.late,
            overdue=self.overdue + other.overdue,
            withdrawn=self.withdrawn + other.withdrawn,
            appeals=self.appeals + other.appeals,
            histogram=tuple(a + b for a, b in zip(self.histogram, other.histogram, strict=True)),
        )


@dataclass(frozen=True)
class OrganizationRow:
    organization_id: int
    organization: OrganizationName
    figures: Figures
    median_hours: float | None
    p90_hours: float | None
    worst_overdue_hours: float | None


@dataclass(frozen=True)
class WeekPoint:
    """One 7-day bucket from the start of the period: received, and how those objections stand."""

    start_on: date
    received: int
    on_time: int
    breached: int

    @property
    def other(self) -> int:
        """Not yet due, or withdrawn."""
        return self.received - self.on_time - self.breached


@dataclass(frozen=True)
class TrendLine:
    organization: OrganizationName
    points: tuple[float | None, ...]


@dataclass(frozen=True)
class Bucket:
    """Answers that came between `lower` and `upper` hours from the deadline (negative: before it; None: no bound).

    Each side counts whole days away from the deadline: "0–24 h before" holds answers less than a day before it."""

    lower: int | None
    upper: int | None
    count: int

    @property
    def late(self) -> bool:
        return self.lower is not None and self.lower >= 0


@dataclass(frozen=True)
class Overview:
    filters: ReportFilter
    now: datetime
    open_now: OpenNow
    figures: Figures
    median_hours: float | None
    p90_hours: float | None
    organizations: list[OrganizationRow]
    weeks: list[WeekPoint]
    trend: list[TrendLine]
    histogram: list[Bucket] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.figures.received == 0 and self.open_now.open == 0


def _days_from_deadline() -> Any:
    """Whole days an answer came after the deadline (0 = within a day after it), or -1 - whole days before it
    (-1 = within a day before it); NULL when unanswered. The sign comes from comparing the columns themselves, so
    an answer at the deadline is late to the microsecond, as the engine says."""
    return case(
        (Objection.answered_at.is_(None), None),
        (answered_on_time(), -1 - whole_days(Objection.deadline_at, Objection.answered_at)),
        else_=whole_days(Objection.answered_at, Objection.deadline_at),
    )


def _bucket(days: int) -> int:
    """The histogram bucket of an answer that many whole days from the deadline."""
    first_late = HISTOGRAM_EDGES.index(0) + 1
    lowest = -first_late
    return min(max(days, lowest), len(HISTOGRAM_EDGES) - first_late) + first_late


def _period_counts(session: Session, filters: ReportFilter, now: datetime) -> dict[int, dict[int, Figures]]:
    """Figures per organisation and week, in one pass over the period's objections."""
    week = (whole_days(Objection.received_at, moment(filters.start_at)) // 7).label("week")
    days = _days_from_deadline().label("days")
    rows = session.execute(
        select(
            Objection.organization_id,
            week,
            days,
            func.count().label("received"),
            func.sum(case((overdue_at(now), 1), else_=0)).label("overdue"),
            func.sum(case((Objection.status == "withdrawn", 1), else_=0)).label("withdrawn"),
            func.count(Objection.appealed_at).label("appeals"),
        )
        .where(*filters.cohort())
        .group_by(Objection.organization_id, week, days)
    )
    # Plain lists while counting: a Figures per row of the result would cost more than the query at a million.
    width = len(HISTOGRAM_EDGES) + 1
    tallies: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * (6 + width))
    for organization_id, week_number, days, received, overdue, withdrawn, appeals in rows:
        tally = tallies[organization_id, week_number]
        tally[0] += received
        if days is not None:
            tally[1 if days < 0 else 2] += received
            tally[6 + _bucket(days)] += received
        tally[3] += overdue or 0
        tally[4] += withdrawn or 0
        tally[5] += appeals
    counts: dict[int, dict[int, Figures]] = defaultdict(dict)
    for (organization_id, week_number), tally in tallies.items():
        counts[organization_id][week_number] = Figures(*tally[:6], histogram=tuple(tally[6:]))
    return counts


def _quantile(ordered: list[float], q: int) -> float:
    """The q-th percentile of ordered values, interpolating linearly between ranks (as percentile_cont does)."""
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def time_to_answer_quantiles(session: Session, filters: ReportFilter) -> dict[int | None, dict[int, float]]:
    """Median and 90th percentile hours from receipt to answer, per organisation and overall (key None).

    Only the one needed column comes back, ordered by the database: O(answers in the period)."""
    hours = (seconds_between(Objection.answered_at, Objection.received_at) / HOUR).label("hours")
    rows = session.execute(
        select(Objection.organization_id, hours)
        .where(*filters.cohort(), Objection.answered_at.is_not(None))
        .order_by(Objection.organization_id, hours)
    )
    by_organization: dict[int, list[float]] = defaultdict(list)
    for organization_id, value in rows:
        by_organization[organization_id].append(value)
    groups: dict[int | None, list[float]] = dict(by_organization)
    if by_organization:
        groups[None] = sorted(value for values in by_organization.values() for value in values)
    # Rounded to the millisecond: julianday() is a float.
    return {
        group: {q: round(_quantile(values, q) * HOUR, 3) / HOUR for q in QUANTILES} for group, values in groups.items()
    }


def _histogram(figures: Figures) -> list[Bucket]:
    edges: list[int | None] = [None, *HISTOGRAM_EDGES, None]
    return [Bucket(lower=edges[i], upper=edges[i + 1], count=count) for i, count in enumerate(figures.histogram)]


def _trend(
    filters: ReportFilter, counts: dict[int, dict[int, Figures]], rows: list[OrganizationRow]
) -> list[TrendLine]:
    chosen = sorted(
        (row for row in rows if row.figures.judged), key=lambda row: (-row.figures.judged, row.organization.slug)
    )[:TREND_LINES]
    lines = []
    for row in chosen:
        weeks = counts.get(row.organization_id, {})
        points = tuple(weeks[w].on_time_pct if w in weeks else None for w in range(filters.weeks))
        lines.append(TrendLine(organization=row.organization, points=points))
    return lines


def build_overview(session: Session, *, filters: ReportFilter, now: datetime) -> Overview:
    """Every figure of the overview and the organisation table, from a handful of aggregate queries."""
    tune_connection(session)
    counts = _period_counts(session, filters, now)
    per_organization = {org: sum(weeks.values(), Figures()) for org, weeks in counts.items()}
    quantiles = time_to_answer_quantiles(session, filters)
    overall = quantiles.get(None, {})
    worst = worst_overdue(session, filters, now)
    rows = [
        OrganizationRow(
            organization_id=org,
            organization=filters.organizations[org],
            figures=per_organization.get(org, Figures()),
            median_hours=quantiles.get(org, {}).get(50),
            p90_hours=quantiles.get(org, {}).get(90),
            worst_overdue_hours=worst.get(org),
        )
        for org in filters.organization_ids
    ]
    figures = sum(per_organization.values(), Figures())
    weeks = []
    for w in range(filters.weeks):
        week = sum((by_week[w] for by_week in counts.values() if w in by_week), Figures())
        weeks.append(
            WeekPoint(
                start_on=filters.from_on + timedelta(days=7 * w),
                received=week.received,
                on_time=week.on_time,
                breached=week.breached,
            )
        )
    return Overview(
        filters=filters,
        now=now,
        open_now=open_now(session, filters, now),
        figures=figures,
        median_hours=overall.get(50),
        p90_hours=overall.get(90),
        organizations=rows,
        weeks=weeks,
        trend=_trend(filters, counts, rows),
        histogram=_histogram(figures),
    )
