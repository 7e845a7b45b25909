"""The period and filters every supervisor figure, table and export is computed for."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from objections.domain.calendar import LOCAL_TZ
from objections.domain.errors import ValidationFailed
from objections.domain.timefmt import local_date
from objections.models import Objection, Organization, ProcessingNotice
from objections.models.organization import RISK_CLASSES

PERIODS = ("7", "30", "90", "custom")
DEFAULT_PERIOD = "30"
MAX_CUSTOM_DAYS = 3660


def local_midnight(day: date) -> datetime:
    """00:00 Asia/Almaty of `day`, as an aware datetime (the database compares it in UTC)."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


@dataclass(frozen=True)
class OrganizationName:
    slug: str
    name_kk: str
    name_ru: str
    name_en: str

    def name(self, language: str) -> str:
        return getattr(self, f"name_{language}", None) or self.name_en


@dataclass(frozen=True)
class ReportFilter:
    """Objections received from `from_on` to `to_on` (local days, both included) within the chosen scope."""

    period: str
    from_on: date
    to_on: date
    organization_ids: tuple[int, ...]
    notice_ids: tuple[int, ...] | None = None
    organization: str | None = None
    notice: str | None = None
    risk: str | None = None
    organizations: dict[int, OrganizationName] = field(default_factory=dict, compare=False, repr=False)

    @property
    def start_at(self) -> datetime:
        return local_midnight(self.from_on)

    @property
    def end_at(self) -> datetime:
        return local_midnight(self.to_on + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.to_on - self.from_on).days + 1

    @property
    def weeks(self) -> int:
        return -(-self.days // 7)

    def scope(self, organization_id: int | None = None) -> list[ColumnElement[bool]]:
        """Conditions on the organisations (or the one given) and notices in scope."""
        # The explicit list of organisations lets SQLite use the (organization_id, ...) indexes for every query.
        conditions = [
            Objection.organization_id.in_(self.organization_ids)
            if organization_id is None
            else Objection.organization_id == organization_id
        ]
        if self.notice_ids is not None:
            conditions.append(Objection.notice_id.in_(self.notice_ids))
        return conditions

    def cohort(self, organization_id: int | None = None) -> list[ColumnElement[bool]]:
        """The scope plus the period: the objections received in it."""
        period = [Objection.received_at >= self.start_at, Objection.received_at < self.end_at]
        return [*self.scope(organization_id), *period]

    def query_args(self) -> dict[str, str]:
        """The filter as query-string arguments, to carry it from page to page and into exports."""
        args = {"period": self.period}
        if self.period == "custom":
            args.update({"from": self.from_on.isoformat(), "to": self.to_on.isoformat()})
        for key in ("organization", "notice", "risk"):
            value = getattr(self, key)
            if value:
                args[key] = value
        return args

    def describe(self) -> dict[str, str]:
        """What an export was made for, for the audit record."""
        described = {"from": self.from_on.isoformat(), "to": self.to_on.isoformat(), "period": self.period}
        described.update({key: getattr(self, key) for key in ("organization", "notice", "risk") if getattr(self, key)})
        return described


def build_filter(
    session: Session,
    *,
    now: datetime,
    period: str | None = None,
    from_on: date | None = None,
    to_on: date | None = None,
    organization: str | None = None,
    notice: str | None = None,
    risk: str | None = None,
) -> ReportFilter:
    """Check the choices and resolve slugs to ids; ValidationFailed names each field that is wrong."""
    errors: dict[str, list[str]] = {}
    period = period or DEFAULT_PERIOD
    today = local_date(now)
    if period not in PERIODS:
        errors["period"] = ["unknown"]
        period = DEFAULT_PERIOD
    if period == "custom":
        if from_on is None:
            errors["from"] = ["required"]
        if to_on is None:
            errors["to"] = ["required"]
        if from_on and to_on and from_on > to_on:
            errors["to"] = ["range_order"]
        elif from_on and to_on and (to_on - from_on).days >= MAX_CUSTOM_DAYS:
            errors["from"] = ["range_too_long"]
    else:
        to_on = today
        from_on = today - timedelta(days=int(period) - 1)
    rows = session.execute(
        select(
            Organization.id, Organization.slug, Organization.name_kk, Organization.name_ru, Organization.name_en
        ).order_by(Organization.slug)
    ).all()
    organizations = {row.id: OrganizationName(row.slug, row.name_kk, row.name_ru, row.name_en) for row in rows}
    organization_ids = tuple(organizations)
    if organization:
        chosen = [id_ for id_, names in organizations.items() if names.slug == organization]
        if not chosen:
            errors["organization"] = ["unknown"]
        organization_ids = tuple(chosen)
    if risk and risk not in RISK_CLASSES:
        errors["risk"] = ["unknown"]
    notice_ids = None
    if notice or risk:
        query = select(ProcessingNotice.id).where(ProcessingNotice.organization_id.in_(organization_ids))
        if notice:
            query = query.where(ProcessingNotice.slug == notice)
        if risk:
            query = query.where(ProcessingNotice.risk_class == risk)
        notice_ids = tuple(session.scalars(query))
        # A notice of another organisation than the one chosen is no error: the answer is simply none.
        if (
            notice
            and session.scalar(select(ProcessingNotice.id).where(ProcessingNotice.slug == notice).limit(1)) is None
        ):
            errors["notice"] = ["unknown"]
    if errors or from_on is None or to_on is None:
        raise ValidationFailed(errors)
    return ReportFilter(
        period=period,
        from_on=from_on,
        to_on=to_on,
        organization_ids=organization_ids,
        notice_ids=notice_ids,
        organization=organization or None,
        notice=notice or None,
        risk=risk or None,
        organizations=organizations,
    )


def filter_choices(session: Session, language: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The organisations and notice slugs (with the current title) a supervisor can filter by."""
    organizations = session.scalars(select(Organization).order_by(Organization.slug)).all()
    notices = session.scalars(
        select(ProcessingNotice).where(ProcessingNotice.is_current).order_by(ProcessingNotice.slug)
    ).all()
    titles: dict[str, str] = {}
    for notice in notices:
        titles.setdefault(notice.slug, notice.text("title", language))
    return (
        [(o.slug, o.name(language)) for o in organizations],
        sorted(titles.items()),
    )
