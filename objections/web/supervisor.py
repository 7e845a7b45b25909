"""The supervisor pages: overview, organisations, the breach log, masked cases and exports; read-only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import format_decimal, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, Form, SelectChoice, SelectField
from wtforms.validators import Optional

from objections.clock import utcnow
from objections.domain.errors import NotFound, ValidationFailed
from objections.domain.permissions import Access
from objections.domain.timefmt import format_local_date, format_local_datetime
from objections.extensions import db
from objections.models.organization import RISK_CLASSES
from objections.services import access_log, reports
from objections.services.reports import exports
from objections.web import labels
from objections.web.authz import requires
from objections.web.reauth import recent_password_required
from objections.web.supervisor_charts import overview_charts

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")
ROLES = ("supervisor", "admin")
EVENT_KINDS = {
    "received": _l("Received"),
    "assigned": _l("Assigned"),
    "clarification_requested": _l("Clarification requested"),
    "clarification_replied": _l("Clarification replied"),
    "decided": _l("Decided"),
    "answered": _l("Answered by e-mail"),
    "notified_offline": _l("Notified by post, phone or in person"),
    "withdrawn": _l("Withdrawn"),
    "appealed": _l("Appealed"),
    "closed": _l("Closed"),
    "deadline_changed": _l("Deadline changed"),
    "forwarded_in": _l("Forwarded in"),
    "answer_undelivered": _l("Answer e-mail undelivered"),
}
ACTOR_KINDS = {"subject": _l("The subject"), "staff": _l("Staff"), "system": _l("The system"), "api": _l("API")}
ORGANIZATION_COLUMNS = (
    ("name", _l("Organisation")),
    ("received", _l("Received")),
    ("on_time", _l("Answered on time")),
    ("late", _l("Answered late")),
    ("overdue", _l("Still overdue")),
    ("compliance", _l("Compliance")),
    ("median", _l("Median time to answer")),
    ("worst", _l("Longest overdue now")),
)


def supervisor_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Supervisors and administrators only (the one authorisation layer, web/authz.py)."""
    return requires(Access.OVERSIGHT)(view)


class FilterForm(Form):
    """The period and filters, read from the query string (GET: a filter changes nothing)."""

    period = SelectField(
        _l("Period"),
        choices=[
            SelectChoice("7", _l("Last 7 days")),
            SelectChoice("30", _l("Last 30 days")),
            SelectChoice("90", _l("Last 90 days")),
            SelectChoice("custom", _l("Custom: from and to")),
        ],
        default="30",
    )
    from_on = DateField(_l("From"), name="from", validators=[Optional()])
    to_on = DateField(_l("Until"), name="to", validators=[Optional()])
    organization = SelectField(_l("Organisation"), validate_choice=False)
    notice = SelectField(_l("Notice"), validate_choice=False)
    risk = SelectField(_l("AI-system risk class"), validate_choice=False)


def _choices(everything: str, pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice("", everything), *(SelectChoice(value, label) for value, label in pairs)]


def _language() -> str:
    return str(get_locale() or "kk")


def _filters() -> tuple[FilterForm, reports.ReportFilter, bool]:
    """The filters asked for (and True), or the default period with the errors shown on the form (and False)."""
    form = FilterForm(request.args)
    organizations, notices = reports.filter_choices(db.session, _language())
    risks = [(code, str(labels.RISK[code])) for code in RISK_CLASSES]
    form.organization.choices = _choices(gettext("All organisations"), organizations)
    form.notice.choices = _choices(gettext("All notices"), notices)
    form.risk.choices = _choices(gettext("Any risk class"), risks)
    now = utcnow()
    form.validate()
    try:
        chosen = reports.build_filter(
            db.session,
            now=now,
            period=form.period.data,
            from_on=form.from_on.data,
            to_on=form.to_on.data,
            organization=form.organization.data or None,
            notice=form.notice.data or None,
            risk=form.risk.data or None,
        )
    except ValidationFailed as exc:
        fields = {"from": form.from_on, "to": form.to_on}
        for name, messages in labels.error_messages(exc.errors).items():
            target = fields.get(name) or getattr(form, name)
            target.errors = [*target.errors, *messages]  # type: ignore[misc]
        return form, reports.build_filter(db.session, now=now), False
    return form, chosen, True


def _hours(value: float | None) -> str:
    if value is None:
        return gettext("no data")
    return gettext("%(hours)s h", hours=format_decimal(round(value, 1), format="#,##0.0"))


def _percent(value: float | None) -> str:
    if value is None:
        return gettext("no data")
    return format_decimal(round(value, 1), format="#,##0.0") + " %"


@bp.context_processor
def _helpers() -> dict[str, Any]:
    language = _language()

    def local_time(moment: datetime | None) -> str:
        return format_local_datetime(moment, language) if moment else "—"

    def local_day(day: date) -> str:
        return format_local_date(day, language)

    return {
        "local_time": local_time,
        "local_day": local_day,
        "hours": _hours,
        "percent": _percent,
        "event_label": lambda kind: str(EVENT_KINDS.get(kind, kind)),
        "actor_label": lambda kind: str(ACTOR_KINDS.get(kind, kind)),
        "risk_label": lambda code: labels.label(labels.RISK, code),
        "export_url": export_url,
    }


@bp.get("/")
@supervisor_required
def overview():  # type: ignore[no-untyped-def]
    form, filters, _valid = _filters()
    result = reports.build_overview(db.session, filters=filters, now=utcnow())
    chart_markup = overview_charts(result, _language()) if result.figures.received else []
    return render_template("supervisor/overview.html", form=form, overview=result, filters=filters, charts=chart_markup)


@bp.get("/organizations")
@supervisor_required
def organizations():  # type: ignore[no-untyped-def]
    form, filters, _valid = _filters()
    result = reports.build_overview(db.session, filters=filters, now=utcnow())
    sort = request.args.get("sort", "compliance")
    direction = "desc" if request.args.get("dir") == "desc" else "asc"
    rows = reports.sort_organizations(result.organizations, sort, direction)
    return render_template(
        "supervisor/organizations.html",
        form=form,
        filters=filters,
        overview=result,
        rows=rows,
        sort=sort,
        direction=direction,
        columns=ORGANIZATION_COLUMNS,
    )


@bp.get("/breaches")
@supervisor_required
def breaches():  # type: ignore[no-untyped-def]
    form, filters, _valid = _filters()
    page = request.args.get("page", 1, type=int) or 1
    result = reports.breach_page(
        db.session, filters=filters, now=utcnow(), page=page, sort=request.args.get("sort", "deadline")
    )
    return render_template("supervisor/breaches.html", form=form, filters=filters, result=result)


@bp.get("/cases/<reference>")
@supervisor_required
def case(reference: str):  # type: ignore[no-untyped-def]
    try:
        view = reports.masked_case(db.session, reference, language=_language(), now=utcnow())
    except NotFound:
        abort(404)
    objection = access_log.by_reference(db.session, view.reference)
    access_log.record_view(db.session, objection, actor=current_user, via="supervisor", now=utcnow())
    db.session.commit()
    return render_template("supervisor/case.html", case=view, readings=access_log.readings(db.session, objection))


def _released(batches: Iterator[list[list[Any]]]) -> Iterator[list[list[Any]]]:
    """End the read transaction after each batch: a download may be slow, and SQLite writers wait on readers
    that began with BEGIN IMMEDIATE."""
    for batch in batches:
        yield batch
        db.session.rollback()


def _export_batches(kind: str, filters: reports.ReportFilter, now: datetime) -> Iterator[list[list[Any]]]:
    if kind == "breaches":
        for chunk in reports.breach_chunks(db.session, filters=filters, now=now):
            yield [exports.breach_record(row) for row in chunk]
        return
    overview = reports.build_overview(db.session, filters=filters, now=now)
    rows = reports.sort_organizations(overview.organizations, "name", "asc")
    yield [exports.organization_record(row) for row in rows]


@bp.get("/exports/<kind>.<file_format>")
@supervisor_required
@recent_password_required
def export(kind: str, file_format: str):  # type: ignore[no-untyped-def]
    if kind not in exports.KINDS or file_format not in exports.FORMATS:
        abort(404)
    _form, filters, valid = _filters()
    if not valid:
        abort(400, description=gettext("The filters of this export are not valid."))
    now = utcnow()
    exports.record_export(db.session, actor=current_user, kind=kind, file_format=file_format, filters=filters, now=now)
    db.session.commit()
    header = exports.BREACH_HEADER if kind == "breaches" else exports.ORGANIZATION_HEADER
    batches = _released(_export_batches(kind, filters, now))
    filename = f"{kind}-{filters.from_on.isoformat()}-{filters.to_on.isoformat()}.{file_format}"
    if file_format == "csv":
        body: Iterator[Any] = (piece.encode() for piece in exports.csv_chunks(header, batches))
        mimetype = "text/csv; charset=utf-8"
    else:
        body = _xlsx_body(header, batches, kind)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        stream_with_context(body),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _xlsx_body(header: tuple[str, ...], batches: Iterator[list[list[Any]]], kind: str) -> Iterator[bytes]:
    yield from exports.file_chunks(exports.write_xlsx(header, batches, title=kind))


def export_url(kind: str, file_format: str, filters: reports.ReportFilter) -> str:
    return url_for("supervisor.export", kind=kind, file_format=file_format, **filters.query_args())
