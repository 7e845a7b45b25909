"""The server-rendered SVG charts: well-formed, labelled for screen readers, with a data table, no inline styles."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
import time_machine

from objections.web import charts
from tests.auth_helpers import login_as
from tests.builders import make_compliance_dataset, make_user

SVG = "{http://www.w3.org/2000/svg}"
WEEKS = ["1 March", "8 March", "15 March"]


def parse(markup: str) -> ET.Element:
    """The chart's <figure> as XML: it must be well-formed (the SVG inside it too)."""
    return ET.fromstring(str(markup))  # noqa: S314 - markup the test itself rendered


def svg_of(figure: ET.Element) -> ET.Element:
    svg = figure.find(f"{SVG}svg")
    assert svg is not None
    return svg


def common_checks(figure: ET.Element, title: str) -> None:
    svg = svg_of(figure)
    assert svg.get("role") == "img"
    assert svg.get("aria-label") == title
    assert svg.find(f"{SVG}title").text == title
    labelled_by = svg.get("aria-labelledby").split()
    ids = {element.get("id") for element in svg.iter()}
    assert set(labelled_by) <= ids
    for element in figure.iter():
        assert "style" not in element.attrib
        assert not element.tag.endswith("script")
    assert figure.find("details/summary") is not None
    assert figure.find("details/div/table/thead/tr/th").get("scope") == "col"


def test_stacked_bars_stack_each_series_and_carry_a_data_table() -> None:
    figure = parse(
        charts.stacked_bars(
            chart_id="weekly",
            title="Per week",
            description="Bars",
            head="Week",
            table_caption="Data table",
            categories=WEEKS,
            series=[
                charts.Series("On time", "chart-on-time", [4, 0, 1]),
                charts.Series("Late", "chart-late", [2, 1, 0]),
            ],
        )
    )
    common_checks(figure, "Per week")
    rects = svg_of(figure).findall(f"{SVG}rect")
    assert [r.get("class") for r in rects] == ["chart-on-time", "chart-late", "chart-late", "chart-on-time"]
    first, second = rects[0], rects[1]
    # The second series sits on top of the first.
    assert float(second.get("y")) + float(second.get("height")) == pytest.approx(float(first.get("y")))
    rows = [[cell.text for cell in row] for row in figure.find("details/div/table/tbody")]
    assert rows == [["1 March", "4", "2"], ["8 March", "0", "1"], ["15 March", "1", "0"]]


def test_lines_break_where_a_value_is_missing() -> None:
    figure = parse(
        charts.lines(
            chart_id="trend",
            title="Compliance",
            description="Lines",
            head="Week",
            table_caption="Data table",
            categories=WEEKS,
            series=[charts.Series("Bank <A>", "chart-series-0", [75.0, None, 50.0])],
        )
    )
    common_checks(figure, "Compliance")
    path = svg_of(figure).find(f"{SVG}path").get("d")
    assert path.count("M") == 2 and "L" not in path
    assert len(svg_of(figure).findall(f"{SVG}circle")) == 2
    cells = [cell.text for cell in figure.find("details/div/table/tbody")[1]]
    assert cells == ["8 March", "—"]
    assert figure.find("details/div/table/thead/tr")[1].text == "Bank <A>"


def test_histogram_colours_each_bucket_by_its_class() -> None:
    figure = parse(
        charts.histogram(
            chart_id="spread",
            title="Against the deadline",
            description="Histogram",
            head="Answered",
            value_name="Objections",
            table_caption="Data table",
            categories=["before", "after"],
            values=[3, 1],
            classes=["chart-on-time", "chart-late"],
        )
    )
    common_checks(figure, "Against the deadline")
    assert [r.get("class") for r in svg_of(figure).findall(f"{SVG}rect")] == ["chart-on-time", "chart-late"]


def test_charts_with_nothing_to_draw_still_render_axes() -> None:
    figure = parse(
        charts.stacked_bars(
            chart_id="empty",
            title="Nothing",
            description="None",
            head="Week",
            table_caption="Data table",
            categories=[],
            series=[charts.Series("On time", "chart-on-time", [])],
        )
    )
    assert svg_of(figure).findall(f"{SVG}rect") == []
    assert svg_of(figure).findall(f"{SVG}line")


@pytest.mark.parametrize(
    ("largest", "top", "step"),
    [(0, 1, 1), (2, 2, 1), (7, 8, 2), (10, 10, 5), (11, 15, 5), (95, 100, 50), (1234, 1500, 500)],
)
def test_axis_scale_uses_round_steps(largest, top, step) -> None:
    assert charts.nice_scale(largest) == (top, step)


def test_overview_page_embeds_three_charts_each_with_a_table(client, session, now: datetime) -> None:
    with time_machine.travel(now, tick=False):
        make_compliance_dataset(session, now)
        supervisor = make_user(session, role="supervisor")
        session.commit()
        login_as(client, supervisor)
        html = client.get("/supervisor/?lang=en").data.decode()
    figures = re.findall(r'<figure class="chart-figure".*?</figure>', html, flags=re.S)
    assert len(figures) == 3
    for figure in figures:
        parsed = parse(figure)
        assert svg_of(parsed).get("role") == "img"
        assert parsed.find("details/div/table") is not None
    assert ' style="' not in html and "<script" not in html


def test_long_category_labels_are_staggered_so_they_do_not_overlap() -> None:
    import re

    from objections.web.charts import _frame

    long_labels = [f"{n}–{n + 24} h before the deadline" for n in range(0, 144, 24)]
    rows = {
        float(y) for y in re.findall(r'y="([0-9.]+)" text-anchor="middle"', "".join(_frame(10, 2, "", long_labels)))
    }
    assert len(rows) == 2
    short = {
        float(y) for y in re.findall(r'y="([0-9.]+)" text-anchor="middle"', "".join(_frame(10, 2, "", ["a", "b"])))
    }
    assert len(short) == 1
