"""Server-rendered SVG charts (stacked bars, lines, a histogram), each with a data table for screen readers.

Pure: data in, markup out. Colours come from class names styled in app.css; no style attributes, no scripts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 44
MAX_X_LABELS = 8


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str
    values: Sequence[float | None]


def nice_scale(largest: float, *, whole: bool = True) -> tuple[float, float]:
    """The top of the y axis and the step between grid lines: a step of 1, 2 or 5 times a power of ten giving at
    most four steps (whole numbers only for counts)."""
    if largest <= 0:
        return 1.0, 1.0
    rough = largest / 4
    power = 10 ** math.floor(math.log10(rough))
    step = next(float(m * power) for m in (1, 2, 5, 10) if m * power >= rough)
    if whole:
        step = max(step, 1.0)
    return step * math.ceil(largest / step), step


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return f"{text}{unit}"


def _y(value: float, top: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)


def _frame(top: float, step: float, unit: str, categories: Sequence[str]) -> list[str]:
    """Grid lines with y-axis labels, the x axis and a thinned-out set of category labels."""
    parts = []
    for i in range(round(top / step) + 1):
        value = step * i
        y = _y(value, top)
        parts.append(f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="chart-axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_number(value, unit)}</text>'
        )
    band = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    every = max(1, math.ceil(len(categories) / MAX_X_LABELS))
    # Labels wider than their slot (about 6.5 px a character) go on two staggered rows so that none overlap.
    stagger = max((len(c) for c in categories), default=0) * 6.5 > band * every
    for i, category in enumerate(categories):
        if i % every:
            continue
        x = LEFT + band * (i + 0.5)
        y = HEIGHT - BOTTOM + (34 if stagger and (i // every) % 2 else 18)
        parts.append(f'<text class="chart-axis" x="{x:.1f}" y="{y}" text-anchor="middle">{escape(category)}</text>')
    return parts


def _table(caption: str, head: str, categories: Sequence[str], series: Sequence[Series], unit: str) -> str:
    header = "".join(f'<th scope="col">{escape(s.name)}</th>' for s in series)
    body = "".join(
        f'<tr><th scope="row">{escape(category)}</th>'
        + "".join(f"<td>{escape(_number(s.values[i], unit))}</td>" for s in series)
        + "</tr>"
        for i, category in enumerate(categories)
    )
    return (
        f'<details class="chart-data"><summary>{escape(caption)}</summary><div class="table-scroll"><table>'
        f'<thead><tr><th scope="col">{escape(head)}</th>{header}</tr></thead><tbody>{body}</tbody></table></div>'
        "</details>"
    )


def _legend(series: Sequence[Series]) -> str:
    items = "".join(
        f'<li><span class="chart-swatch {escape(s.css_class)}" aria-hidden="true"></span>{escape(s.name)}</li>'
        for s in series
    )
    return f'<ul class="chart-legend">{items}</ul>'


def _figure(chart_id: str, title: str, description: str, shapes: list[str], table: str, legend: str = "") -> Markup:
    chart_id = str(escape(chart_id))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" aria-label="{escape(title)}" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        + "".join(shapes)
        + "</svg>"
    )
    # Every value inside went through escape() above.
    return Markup(  # noqa: S704
        f'<figure class="chart-figure" id="{chart_id}"><figcaption>{escape(title)}</figcaption>'
        f"{svg}{legend}{table}</figure>"
    )


def stacked_bars(
    *, chart_id: str, title: str, description: str, head: str, table_caption: str,
    categories: Sequence[str], series: Sequence[Series],
) -> Markup:  # fmt: skip
    """One bar per category, the series stacked bottom-up in the order given."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(categories))]
    top, step = nice_scale(max(totals, default=0))
    parts = _frame(top, step, "", categories)
    band = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    for i, category in enumerate(categories):
        base = 0.0
        for s in series:
            value = s.values[i] or 0
            if value <= 0:
                continue
            y_top, y_bottom = _y(base + value, top), _y(base, top)
            parts.append(
                f'<rect class="{escape(s.css_class)}" x="{LEFT + band * i + band * 0.15:.1f}" y="{y_top:.1f}" '
                f'width="{band * 0.7:.1f}" height="{y_bottom - y_top:.1f}">'
                f"<title>{escape(category)}: {escape(s.name)} {_number(value)}</title></rect>"
            )
            base += value
    table = _table(table_caption, head, categories, series, "")
    return _figure(chart_id, title, description, parts, table, _legend(series))


def lines(
    *, chart_id: str, title: str, description: str, head: str, table_caption: str,
    categories: Sequence[str], series: Sequence[Series], top: float = 100.0, step: float = 25.0, unit: str = "%",
) -> Markup:  # fmt: skip
    """One line per series; a missing value (None) breaks the line."""
    parts = _frame(top, step, unit, categories)
    band = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    points: list[str] = []
    for s in series:
        path: list[str] = []
        pen_down = False
        for i, value in enumerate(s.values):
            if value is None:
                pen_down = False
                continue
            x, y = LEFT + band * (i + 0.5), _y(value, top)
            path.append(f"{'L' if pen_down else 'M'}{x:.1f} {y:.1f}")
            pen_down = True
            points.append(
                f'<circle class="{escape(s.css_class)}" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
                f"<title>{escape(categories[i])}: {escape(s.name)} {_number(value, unit)}</title></circle>"
            )
        if path:
            parts.append(f'<path class="chart-line {escape(s.css_class)}" fill="none" d="{" ".join(path)}"/>')
    parts.extend(points)
    table = _table(table_caption, head, categories, series, unit)
    return _figure(chart_id, title, description, parts, table, _legend(series))


def histogram(
    *, chart_id: str, title: str, description: str, head: str, value_name: str, table_caption: str,
    categories: Sequence[str], values: Sequence[int], classes: Sequence[str],
) -> Markup:  # fmt: skip
    """Adjacent bars, one per bucket, each with its own class (e.g. on time or late)."""
    top, step = nice_scale(max(values, default=0))
    parts = _frame(top, step, "", categories)
    band = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    for i, (category, value) in enumerate(zip(categories, values, strict=True)):
        if value <= 0:
            continue
        y = _y(value, top)
        parts.append(
            f'<rect class="{escape(classes[i])}" x="{LEFT + band * i + 1:.1f}" y="{y:.1f}" width="{band - 2:.1f}" '
            f'height="{HEIGHT - BOTTOM - y:.1f}"><title>{escape(category)}: {_number(value)}</title></rect>'
        )
    table = _table(table_caption, head, categories, [Series(value_name, "", values)], "")
    return _figure(chart_id, title, description, parts, table)
