"""Sorting the organisation table by any of its columns."""

from __future__ import annotations

from objections.services.reports.overview import OrganizationRow

ORGANIZATION_SORTS = {
    "name": lambda row: row.organization.slug,
    "received": lambda row: row.figures.received,
    "on_time": lambda row: row.figures.on_time,
    "late": lambda row: row.figures.late,
    "overdue": lambda row: row.figures.overdue,
    "compliance": lambda row: row.figures.on_time_pct,
    "median": lambda row: row.median_hours,
    "worst": lambda row: row.worst_overdue_hours,
}
DEFAULT_ORGANIZATION_SORT = ("compliance", "asc")


def sort_organizations(rows: list[OrganizationRow], key: str, direction: str) -> list[OrganizationRow]:
    """Rows sorted by a column; rows without a value (no data) come last either way."""
    if key not in ORGANIZATION_SORTS:
        key, direction = DEFAULT_ORGANIZATION_SORT
    value_of = ORGANIZATION_SORTS[key]
    present = [row for row in rows if value_of(row) is not None]
    missing = [row for row in rows if value_of(row) is None]
    present.sort(key=lambda row: (value_of(row), row.organization.slug), reverse=direction == "desc")
    return present + sorted(missing, key=lambda row: row.organization.slug)
