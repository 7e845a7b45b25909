"""Exports through the client: CSV and XLSX content for the filters, masking, streaming and the audit record."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.models import AuditEvent
from objections.services.reports import exports
from tests.auth_helpers import login_as
from tests.builders import make_compliance_dataset, make_user


@pytest.fixture
def frozen(now: datetime) -> Iterator[None]:
    with time_machine.travel(now, tick=False):
        yield


@pytest.fixture
def dataset(session: Session, now: datetime, frozen: None) -> dict:
    data = make_compliance_dataset(session, now)
    session.commit()
    return data


@pytest.fixture
def supervisor(session: Session) -> object:
    user = make_user(session, role="supervisor")
    session.commit()
    return user


@pytest.fixture
def supervisor_client(client: FlaskClient, supervisor: object, frozen: None) -> FlaskClient:
    login_as(client, supervisor)  # type: ignore[arg-type]
    return client


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_breach_csv_has_the_header_and_one_row_per_breach(supervisor_client, dataset) -> None:
    response = supervisor_client.get("/supervisor/exports/breaches.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="breaches-2026-02-15-2026-03-16.csv"'
    assert response.is_streamed
    rows = csv_rows(response.data)
    assert tuple(rows[0]) == exports.BREACH_HEADER
    by_reference = {row[0]: dict(zip(exports.BREACH_HEADER, row, strict=True)) for row in rows[1:]}
    objections = dataset["objections"]
    assert set(by_reference) == {
        objections[key].reference for key in ("alpha_late_10h", "alpha_overdue_59h", "beta_late_15h_closed")
    }
    late = by_reference[objections["alpha_late_10h"].reference]
    assert late["organization"] == "alpha" and late["notice"] == "scoring" and late["risk_class"] == "high"
    assert late["hours_late"] == "10.0" and late["status"] == "answered"
    assert late["deadline_at"] == "2026-03-06T19:00:00+00:00"
    assert (late["subject"], late["iin"]) == ("A. T.", "********0017")


def test_breach_csv_applies_the_filters(supervisor_client, dataset) -> None:
    rows = csv_rows(supervisor_client.get("/supervisor/exports/breaches.csv?organization=beta").data)
    assert [row[0] for row in rows[1:]] == [dataset["objections"]["beta_late_15h_closed"].reference]
    january = csv_rows(
        supervisor_client.get("/supervisor/exports/breaches.csv?period=custom&from=2026-01-01&to=2026-01-31").data
    )
    assert [row[0] for row in january[1:]] == [dataset["objections"]["alpha_late_in_january"].reference]


def test_organisation_csv_has_one_row_per_organisation(supervisor_client, dataset) -> None:
    rows = csv_rows(supervisor_client.get("/supervisor/exports/organizations.csv").data)
    assert tuple(rows[0]) == exports.ORGANIZATION_HEADER
    assert rows[1] == ["alpha", dataset["alpha"].name_en, "7", "3", "1", "1", "1", "60.0", "40.0", "81.5", "59.0", "1"]
    assert rows[2] == ["beta", dataset["beta"].name_en, "3", "1", "1", "0", "0", "50.0", "60.0", "92.0", "", "0"]


def test_xlsx_exports_open_in_a_spreadsheet(supervisor_client, dataset) -> None:
    response = supervisor_client.get("/supervisor/exports/breaches.xlsx?organization=alpha")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = list(load_workbook(io.BytesIO(response.data), read_only=True)["breaches"].values)
    assert len(rows) == 3 and rows[0][0] == "reference"
    organizations = supervisor_client.get("/supervisor/exports/organizations.xlsx").data
    sheet = load_workbook(io.BytesIO(organizations), read_only=True)["organizations"]
    assert [row[0] for row in sheet.values] == ["organization", "alpha", "beta"]


def test_exports_never_carry_the_name_or_the_iin(supervisor_client, dataset) -> None:
    for path in ("breaches.csv", "organizations.csv", "breaches.xlsx?period=90"):
        body = supervisor_client.get(f"/supervisor/exports/{path}").data
        for secret in (b"Aigerim", b"900101300017", b"subject@example.kz", b"ignored my income"):
            assert secret not in body, (path, secret)


def test_every_export_is_audited_before_it_streams(supervisor_client, session, supervisor, dataset) -> None:
    response = supervisor_client.get("/supervisor/exports/breaches.csv?organization=alpha&risk=high")
    # The record is committed before the first byte is read.
    events = session.scalars(select(AuditEvent).where(AuditEvent.kind == "export")).all()
    assert len(events) == 1
    assert events[0].actor_id == supervisor.id
    assert events[0].payload == {
        "kind": "breaches",
        "format": "csv",
        "filters": {
            "from": "2026-02-15",
            "to": "2026-03-16",
            "period": "30",
            "organization": "alpha",
            "risk": "high",
        },
    }
    response.close()


def test_unknown_export_is_not_found(supervisor_client) -> None:
    assert supervisor_client.get("/supervisor/exports/everything.csv").status_code == 404
    assert supervisor_client.get("/supervisor/exports/breaches.pdf").status_code == 404


def test_export_streams_in_batches_with_the_read_transaction_released(supervisor_client, dataset, monkeypatch) -> None:
    from objections.services.reports import breaches

    monkeypatch.setattr(breaches, "CHUNK_SIZE", 1)
    response = supervisor_client.get("/supervisor/exports/breaches.csv?period=90", buffered=False)
    pieces = list(response.response)
    response.close()
    # The header, then one piece per breach: rows are sent as they are read, not gathered first.
    assert len(pieces) == 1 + 4


def test_export_with_wrong_filters_is_refused_and_not_audited(supervisor_client, session, dataset) -> None:
    response = supervisor_client.get("/supervisor/exports/breaches.csv?organization=nowhere")
    assert response.status_code == 400
    assert session.scalars(select(AuditEvent).where(AuditEvent.kind == "export")).all() == []
