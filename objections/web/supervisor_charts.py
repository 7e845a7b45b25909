"""The overview's three charts, labelled in the page's language, from the report's series."""

from __future__ import annotations

from flask_babel import gettext
from markupsafe import Markup

from objections.domain.timefmt import format_local_date
from objections.services import reports
from objections.web import charts


def overview_charts(overview: reports.Overview, language: str) -> list[Markup]:
    """The weekly bars, the compliance lines and the histogram of answers against the deadline."""
    weeks = [format_local_date(week.start_on, language) for week in overview.weeks]
    week_head = gettext("Week from")
    stacked = charts.stacked_bars(
        chart_id="chart-weekly",
        title=gettext("Objections received each week, and how they stand"),
        description=gettext(
            "Stacked bars per week: answered on time, breached (answered late or overdue), and the rest "
            "(not yet due or withdrawn)."
        ),
        head=week_head,
        table_caption=gettext("Data table: objections per week"),
        categories=weeks,
        series=[
            charts.Series(gettext("Answered on time"), "chart-on-time", [w.on_time for w in overview.weeks]),
            charts.Series(gettext("Breached"), "chart-late", [w.breached for w in overview.weeks]),
            charts.Series(gettext("Not yet due or withdrawn"), "chart-other", [w.other for w in overview.weeks]),
        ],
    )
    trend = charts.lines(
        chart_id="chart-trend",
        title=gettext("Compliance per organisation, week by week"),
        description=gettext(
            "Lines per organisation: the share of objections received that week answered on time. "
            "A gap means nothing was due that week."
        ),
        head=week_head,
        table_caption=gettext("Data table: compliance per week"),
        categories=weeks,
        series=[
            charts.Series(line.organization.name(language), f"chart-series-{i}", list(line.points))
            for i, line in enumerate(overview.trend)
        ],
    )
    buckets = [_bucket_label(bucket) for bucket in overview.histogram]
    spread = charts.histogram(
        chart_id="chart-histogram",
        title=gettext("When answers came, against the deadline"),
        description=gettext("Answers counted by how many hours before or after the deadline they came."),
        head=gettext("Answered"),
        value_name=gettext("Objections"),
        table_caption=gettext("Data table: answers by time against the deadline"),
        categories=buckets,
        values=[bucket.count for bucket in overview.histogram],
        classes=["chart-late" if bucket.late else "chart-on-time" for bucket in overview.histogram],
    )
    return [stacked, trend, spread]


def _bucket_label(bucket: reports.Bucket) -> str:
    if bucket.lower is None:
        return gettext("%(hours)s h or more before", hours=-(bucket.upper or 0))
    if bucket.upper is None:
        return gettext("%(hours)s h or more late", hours=bucket.lower)
    if bucket.late:
        return gettext("%(low)s–%(high)s h late", low=bucket.lower, high=bucket.upper)
    return gettext("%(low)s–%(high)s h before", low=-bucket.upper, high=-bucket.lower)
