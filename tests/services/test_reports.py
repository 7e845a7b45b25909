"""Supervisor figures on a dataset whose answers are known by hand, the breach log, masking and exports."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from objections.domain.errors import NotFound, ValidationFailed
from objections.domain.standing import is_breach
from objections.models import AuditEvent, Objection
from objections.services import reports
from objections.services.reports import exports
from objections.services.reports.masking import initials, masked_iin
from objections.services.reports.sql import breach_at, seconds_between, whole_days
from tests.builders import make_compliance_dataset, make_objection, make_organization, make_user


@pytest.fixture
def dataset(session: Session, now: datetime) -> dict:
    return make_compliance_dataset(session, now)


def overview_for(session: Session, now: datetime, **choices: object) -> reports.Overview:
    filters = reports.build_filter(session, now=now, **choices)  # type: ignore[arg-type]
    return reports.build_overview(session, filters=filters, now=now)


def row_of(overview: reports.Overview, slug: str) -> reports.OrganizationRow:
    return next(row for row in overview.organizations if row.organization.slug == slug)


def test_overview_figures_for_the_last_30_days_match_the_hand_count(session, now, dataset) -> None:
    overview = overview_for(session, now)
    figures = overview.figures
    assert (figures.received, figures.on_time, figures.late, figures.overdue) == (10, 4, 2, 1)
    assert figures.breached == 3
    assert figures.withdrawn == 1
    assert figures.appeals == 1
    assert figures.on_time_pct == pytest.approx(100 * 4 / 7)
    # Hours to answer: 10, 20, 30, 50, 95, 100.
    assert overview.median_hours == pytest.approx(40.0)
    assert overview.p90_hours == pytest.approx(97.5)


def test_open_now_counts_overdue_due_today_and_due_within_24_hours(session, now, dataset) -> None:
    open_now = overview_for(session, now).open_now
    assert open_now == reports.OpenNow(open=3, due_today=1, due_within_24h=1, overdue=1)


def test_organisation_rows_give_compliance_medians_and_the_longest_overdue(session, now, dataset) -> None:
    overview = overview_for(session, now)
    alpha, beta = row_of(overview, "alpha"), row_of(overview, "beta")
    assert (alpha.figures.received, alpha.figures.on_time, alpha.figures.late, alpha.figures.overdue) == (7, 3, 1, 1)
    assert alpha.figures.on_time_pct == pytest.approx(60.0)
    assert alpha.median_hours == pytest.approx(40.0)  # 10, 30, 50, 95
    assert alpha.p90_hours == pytest.approx(81.5)
    assert alpha.worst_overdue_hours == pytest.approx(59.0)
    assert (beta.figures.received, beta.figures.on_time, beta.figures.late, beta.figures.overdue) == (3, 1, 1, 0)
    assert beta.figures.on_time_pct == pytest.approx(50.0)
    assert beta.median_hours == pytest.approx(60.0)  # 20, 100
    assert beta.p90_hours == pytest.approx(92.0)
    assert beta.worst_overdue_hours is None


def test_filters_narrow_figures_to_one_organisation_notice_or_risk_class(session, now, dataset) -> None:
    assert overview_for(session, now, organization="beta").figures.received == 3
    assert overview_for(session, now, notice="scoring").figures.received == 7
    low = overview_for(session, now, risk="low")
    assert (low.figures.received, low.figures.late, low.open_now.open) == (3, 1, 1)
    assert overview_for(session, now, organization="beta", notice="scoring").figures.received == 0


def test_custom_period_takes_in_older_objections(session, now, dataset) -> None:
    overview = overview_for(session, now, period="custom", from_on=date(2026, 1, 1), to_on=date(2026, 1, 31))
    assert (overview.figures.received, overview.figures.late) == (1, 1)
    assert overview.median_hours == pytest.approx(200.0)


def test_seven_day_period_counts_only_its_own_week(session, now, dataset) -> None:
    overview = overview_for(session, now, period="7")
    assert overview.filters.from_on == date(2026, 3, 10)
    assert (overview.figures.received, overview.figures.overdue) == (3, 1)


def test_weekly_series_trend_and_histogram(session, now, dataset) -> None:
    overview = overview_for(session, now)
    assert [w.start_on for w in overview.weeks] == [date(2026, 2, 15) + timedelta(days=7 * i) for i in range(5)]
    assert [(w.received, w.on_time, w.breached, w.other) for w in overview.weeks] == [
        (0, 0, 0, 0),
        (0, 0, 0, 0),
        (7, 4, 2, 1),
        (2, 0, 1, 1),
        (1, 0, 0, 1),
    ]
    trend = {line.organization.slug: line.points for line in overview.trend}
    assert trend["alpha"] == (None, None, 75.0, 0.0, None)
    assert trend["beta"] == (None, None, 50.0, None, None)
    # 75 h, 55 h, 65 h and 35 h before the deadline; 10 h and 15 h after it.
    assert [b.count for b in overview.histogram] == [1, 2, 1, 0, 2, 0, 0]
    assert [b.late for b in overview.histogram] == [False] * 4 + [True] * 3


def test_empty_database_gives_zeros_and_no_percentages(session, now) -> None:
    overview = overview_for(session, now)
    assert overview.figures == reports.Figures()
    assert overview.figures.on_time_pct is None
    assert (overview.median_hours, overview.p90_hours) == (None, None)
    assert overview.open_now == reports.OpenNow()
    assert overview.is_empty
    filters = reports.build_filter(session, now=now)
    assert reports.breach_page(session, filters=filters, now=now).total == 0
    assert list(reports.breach_chunks(session, filters=filters, now=now)) == []


def test_an_organisation_without_objections_has_a_row_with_no_data(session, now, dataset) -> None:
    make_organization(session, slug="quiet")
    row = row_of(overview_for(session, now), "quiet")
    assert row.figures.received == 0
    assert (row.figures.on_time_pct, row.median_hours, row.worst_overdue_hours) == (None, None, None)


def test_breach_log_lists_late_and_overdue_with_hours_late_and_skips_withdrawn(session, now, dataset) -> None:
    filters = reports.build_filter(session, now=now)
    page = reports.breach_page(session, filters=filters, now=now)
    objections = dataset["objections"]
    expected = [objections[k].reference for k in ("alpha_overdue_59h", "alpha_late_10h", "beta_late_15h_closed")]
    assert page.total == 3
    assert [row.reference for row in page.rows] == expected
    assert [row.hours_late for row in page.rows] == [pytest.approx(59.0), pytest.approx(10.0), pytest.approx(15.0)]
    assert [row.organization.slug for row in page.rows] == ["alpha", "alpha", "beta"]
    assert [row.notice for row in page.rows] == ["scoring", "scoring", "pricing"]
    assert page.rows[0].assignee is None and page.rows[1].assignee is not None
    late_first = reports.breach_page(session, filters=filters, now=now, sort="late")
    assert [row.hours_late for row in late_first.rows] == [pytest.approx(h) for h in (59.0, 15.0, 10.0)]


def test_breach_log_keeps_a_late_answer_after_the_objection_closes(session, now, dataset) -> None:
    closed = dataset["objections"]["beta_late_15h_closed"]
    assert closed.status == "closed"
    filters = reports.build_filter(session, now=now, organization="beta")
    assert [row.reference for row in reports.breach_page(session, filters=filters, now=now).rows] == [closed.reference]


def test_the_sql_breach_rule_agrees_with_the_domain_rule_row_by_row(session, now, dataset) -> None:
    breached = set(session.scalars(select(Objection.id).where(breach_at(now))))
    for objection in session.scalars(select(Objection)):
        domain = objection.status != "withdrawn" and is_breach(
            deadline_at=objection.deadline_at, answered_at=objection.answered_at, now=now
        )
        assert (objection.id in breached) == domain, objection.reference


def test_breach_chunks_resume_after_the_last_row_without_repeats(session, now, dataset) -> None:
    filters = reports.build_filter(session, now=now, period="custom", from_on=date(2026, 1, 1), to_on=date(2026, 3, 16))
    chunks = list(reports.breach_chunks(session, filters=filters, now=now, chunk_size=1))
    references = [row.reference for chunk in chunks for row in chunk]
    assert all(len(chunk) == 1 for chunk in chunks)
    assert len(references) == len(set(references)) == 4
    assert reports.count_breaches(session, filters=filters, now=now) == 4


def test_breach_pages_split_at_the_page_size(session, now) -> None:
    organization = make_organization(session, slug="slow")
    for i in range(reports.PAGE_SIZE + 1):
        make_objection(session, organization=organization, received_at=now - timedelta(days=6, minutes=i))
    filters = reports.build_filter(session, now=now)
    second = reports.breach_page(session, filters=filters, now=now, page=2)
    assert (second.total, second.pages, second.page, len(second.rows)) == (51, 2, 2, 1)
    assert reports.breach_page(session, filters=filters, now=now, page=99).page == 2


def test_subjects_are_masked_to_initials_and_the_last_four_iin_digits(session, now, dataset) -> None:
    filters = reports.build_filter(session, now=now)
    row = reports.breach_page(session, filters=filters, now=now).rows[0]
    assert (row.subject, row.iin) == ("A. T.", "********0017")
    assert initials("Әлия  Нұрлан-қызы") == "Ә. Н. Қ."
    assert initials("") == "" and masked_iin(None) == ""


def test_masked_case_carries_no_free_text_or_contact_details(session, now, dataset) -> None:
    objection = dataset["objections"]["alpha_late_10h"]
    case = reports.masked_case(session, objection.reference.lower(), language="en", now=now)
    assert (case.subject, case.iin, case.hours_late) == ("A. T.", "********0017", pytest.approx(10.0))
    assert case.standing.standing == "answered_late"
    assert [entry.kind for entry in case.timeline] == ["received", "assigned", "decided", "answered"]
    assert case.deadline.explanation
    values = " ".join(str(value) for value in vars(case).values())
    for secret in ("Aigerim", "900101300017", "subject@example.kz", "ignored my income", "Consent was given"):
        assert secret not in values
    with pytest.raises(NotFound):
        reports.masked_case(session, "OB-2026-999999", language="en", now=now)


def test_withdrawn_case_shows_no_lateness(session, now, dataset) -> None:
    objection = dataset["objections"]["alpha_withdrawn"]
    assert reports.masked_case(session, objection.reference, language="en", now=now).hours_late is None


@pytest.mark.parametrize(
    ("choices", "errors"),
    [
        ({"period": "365"}, {"period": ["unknown"]}),
        ({"period": "custom"}, {"from": ["required"], "to": ["required"]}),
        ({"period": "custom", "from_on": date(2026, 3, 5), "to_on": date(2026, 3, 1)}, {"to": ["range_order"]}),
        ({"period": "custom", "from_on": date(2000, 1, 1), "to_on": date(2026, 3, 1)}, {"from": ["range_too_long"]}),
        ({"organization": "nowhere"}, {"organization": ["unknown"]}),
        ({"notice": "nothing"}, {"notice": ["unknown"]}),
        ({"risk": "extreme"}, {"risk": ["unknown"]}),
    ],
)
def test_wrong_filters_are_named_field_by_field(session, now, dataset, choices, errors) -> None:
    with pytest.raises(ValidationFailed) as caught:
        reports.build_filter(session, now=now, **choices)
    assert caught.value.errors == errors


def test_filter_round_trips_through_query_arguments(session, now, dataset) -> None:
    filters = reports.build_filter(
        session, now=now, period="custom", from_on=date(2026, 3, 1), to_on=date(2026, 3, 9), risk="high"
    )
    assert filters.query_args() == {"period": "custom", "from": "2026-03-01", "to": "2026-03-09", "risk": "high"}
    assert filters.describe() == {"from": "2026-03-01", "to": "2026-03-09", "period": "custom", "risk": "high"}
    organizations, notices = reports.filter_choices(session, "en")
    assert [slug for slug, _ in organizations] == ["alpha", "beta"]
    assert [slug for slug, _ in notices] == ["pricing", "scoring"]


def test_organisations_sort_by_any_column_with_no_data_last(session, now, dataset) -> None:
    make_organization(session, slug="quiet")
    rows = overview_for(session, now).organizations
    by = [r.organization.slug for r in reports.sort_organizations(rows, "compliance", "asc")]
    assert by == ["beta", "alpha", "quiet"]
    assert [r.organization.slug for r in reports.sort_organizations(rows, "compliance", "desc")][:2] == [
        "alpha",
        "beta",
    ]
    assert [r.organization.slug for r in reports.sort_organizations(rows, "received", "desc")] == [
        "alpha",
        "beta",
        "quiet",
    ]
    assert [r.organization.slug for r in reports.sort_organizations(rows, "bogus", "desc")] == by


def test_csv_export_has_a_header_and_one_masked_row_per_breach(session, now, dataset) -> None:
    filters = reports.build_filter(session, now=now)
    batches = (
        [exports.breach_record(r) for r in chunk] for chunk in reports.breach_chunks(session, filters=filters, now=now)
    )
    text = "".join(exports.csv_chunks(exports.BREACH_HEADER, batches))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(rows[0]) == exports.BREACH_HEADER
    assert len(rows) == 4
    assert {row[4] for row in rows[1:]} == {"A. T."}
    assert {row[5] for row in rows[1:]} == {"********0017"}
    assert "900101300017" not in text and "Aigerim" not in text


def test_csv_cells_that_look_like_formulas_are_defused() -> None:
    text = "".join(exports.csv_chunks(("a", "b"), [[["=1+1", "-2"]]]))
    assert "'=1+1" in text and "'-2" in text


def test_xlsx_export_writes_local_times_and_the_rows(session, now, dataset) -> None:
    filters = reports.build_filter(session, now=now)
    overview = reports.build_overview(session, filters=filters, now=now)
    records = [[exports.organization_record(row) for row in overview.organizations]]
    handle = exports.write_xlsx(exports.ORGANIZATION_HEADER, records, title="organizations")
    workbook = load_workbook(io.BytesIO(b"".join(exports.file_chunks(handle))), read_only=True)
    rows = list(workbook["organizations"].values)
    assert rows[0] == exports.ORGANIZATION_HEADER
    assert rows[1][:8] == ("alpha", dataset["alpha"].name_en, 7, 3, 1, 1, 1, 60)
    breach = [[exports.breach_record(reports.breach_page(session, filters=filters, now=now).rows[0])]]
    sheet = load_workbook(
        io.BytesIO(b"".join(exports.file_chunks(exports.write_xlsx(exports.BREACH_HEADER, breach, title="b")))),
        read_only=True,
    )["b"]
    header, first = list(sheet.values)
    assert header[6] == "received_at (Astana time)"
    assert first[6] == datetime(2026, 3, 10, 11, 0)


def test_export_is_recorded_in_the_audit_chain_with_its_filters(session, now, dataset) -> None:
    supervisor = make_user(session, role="supervisor")
    filters = reports.build_filter(session, now=now, organization="alpha")
    exports.record_export(session, actor=supervisor, kind="breaches", file_format="csv", filters=filters, now=now)
    event = session.scalars(select(AuditEvent).where(AuditEvent.kind == "export")).one()
    assert event.actor_id == supervisor.id
    assert event.payload == {
        "kind": "breaches",
        "format": "csv",
        "filters": {"from": "2026-02-15", "to": "2026-03-16", "period": "30", "organization": "alpha"},
    }


def test_date_arithmetic_compiles_for_postgresql() -> None:
    dialect = postgresql.dialect()
    seconds = str(seconds_between(Objection.answered_at, Objection.received_at).compile(dialect=dialect))
    days = str(whole_days(Objection.deadline_at, Objection.received_at).compile(dialect=dialect))
    assert seconds == "EXTRACT(EPOCH FROM (objections.answered_at - objections.received_at))"
    assert (
        days == "CAST(FLOOR(EXTRACT(EPOCH FROM (objections.deadline_at - objections.received_at)) / 86400) AS INTEGER)"
    )
