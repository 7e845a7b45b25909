"""Supervisor reports: figures for a period, the organisation table, the breach log, masked cases and exports."""

from objections.services.reports.breaches import (
    PAGE_SIZE,
    BreachPage,
    BreachRow,
    breach_chunks,
    breach_page,
    count_breaches,
)
from objections.services.reports.case import MaskedCase, masked_case
from objections.services.reports.current import OpenNow
from objections.services.reports.filters import (
    PERIODS,
    OrganizationName,
    ReportFilter,
    build_filter,
    filter_choices,
)
from objections.services.reports.organizations import sort_organizations
from objections.services.reports.overview import (
    HISTOGRAM_EDGES,
    Bucket,
    Figures,
    OrganizationRow,
    Overview,
    TrendLine,
    WeekPoint,
    build_overview,
)

__all__ = [
    "HISTOGRAM_EDGES",
    "PAGE_SIZE",
    "PERIODS",
    "BreachPage",
    "BreachRow",
    "Bucket",
    "Figures",
    "MaskedCase",
    "OpenNow",
    "OrganizationName",
    "OrganizationRow",
    "Overview",
    "ReportFilter",
    "TrendLine",
    "WeekPoint",
    "breach_chunks",
    "breach_page",
    "build_filter",
    "build_overview",
    "count_breaches",
    "filter_choices",
    "masked_case",
    "sort_organizations",
]
