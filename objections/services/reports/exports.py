"""Exports of the breach log and the organisation table as CSV or XLSX, produced row by row, and their audit."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy.orm import Session

from objections.domain.timefmt import to_local
from objections.models import AuditEvent, User
from objections.services.audit import record_audit
from objections.services.reports.breaches import BreachRow
from objections.services.reports.filters import ReportFilter
from objections.services.reports.overview import OrganizationRow

KINDS = ("breaches", "organizations")
FORMATS = ("csv", "xlsx")
BREACH_HEADER = (
    "reference",
    "organization",
    "notice",
    "risk_class",
    "subject",
    "iin",
    "received_at",
    "deadline_at",
    "answered_at",
    "status",
    "hours_late",
    "assignee",
    "appealed_at",
)
ORGANIZATION_HEADER = (
    "organization",
    "name",
    "received",
    "answered_on_time",
    "answered_late",
    "still_overdue",
    "withdrawn",
    "compliance_pct",
    "median_hours_to_answer",
    "p90_hours_to_answer",
    "worst_overdue_hours",
    "appeals",
)
FILE_CHUNK = 64 * 1024


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def breach_record(row: BreachRow) -> list[Any]:
    return [
        row.reference,
        row.organization.slug,
        row.notice,
        row.risk_class,
        row.subject,
        row.iin,
        row.received_at,
        row.deadline_at,
        row.answered_at,
        row.status,
        _round(row.hours_late),
        row.assignee,
        row.appealed_at,
    ]


def organization_record(row: OrganizationRow) -> list[Any]:
    figures = row.figures
    return [
        row.organization.slug,
        row.organization.name_en,
        figures.received,
        figures.on_time,
        figures.late,
        figures.overdue,
        figures.withdrawn,
        _round(figures.on_time_pct),
        _round(row.median_hours),
        _round(row.p90_hours),
        _round(row.worst_overdue_hours),
        figures.appeals,
    ]


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        # A cell starting like a formula would run in a spreadsheet (CSV injection).
        return "'" + value
    return "" if value is None else value


def csv_chunks(header: Iterable[str], batches: Iterable[list[list[Any]]]) -> Iterator[str]:
    """The CSV text, one piece per batch of records; a BOM first so spreadsheets read it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    yield buffer.getvalue()
    for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_csv_value(v) for v in record] for record in batch)
        yield buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime):
        # Spreadsheet cells hold no time zone: the local (Astana) wall-clock time, as the header says.
        return to_local(value).replace(tzinfo=None)
    return value


def write_xlsx(header: Iterable[str], batches: Iterable[list[list[Any]]], title: str) -> IO[bytes]:
    """A workbook written row by row (openpyxl's write-only mode keeps rows on disk, not in memory)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.append([name.replace("_at", "_at (Astana time)") if name.endswith("_at") else name for name in header])
    for batch in batches:
        for record in batch:
            sheet.append([_xlsx_value(v) for v in record])
    target = tempfile.TemporaryFile()  # noqa: SIM115 - the caller streams it, then closes it
    workbook.save(target)
    target.seek(0)
    return target


def file_chunks(handle: IO[bytes]) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(FILE_CHUNK):
            yield chunk


def record_export(
    session: Session, *, actor: User, kind: str, file_format: str, filters: ReportFilter, now: datetime
) -> AuditEvent:
    """The audit record of an export: who, what, in which format, for which filters."""
    return record_audit(
        session,
        "export",
        now=now,
        actor=actor,
        payload={"kind": kind, "format": file_format, "filters": filters.describe()},
    )
