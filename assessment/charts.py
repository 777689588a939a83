"""Charts as server-side SVG: no external service, no script, no inline style (CSP).

Colours and fonts come from classes in ``static/css/assessment.css``; every chart has a
``<title>``/``<desc>`` and the page shows the same figures in a table for screen readers.
"""
from decimal import Decimal

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.numbers import format_number

SERIES = 8  # colour classes .series-0 … .series-7
_CLOSE = SafeString("</svg>")  # a constant: nothing from the data


def _join(parts) -> SafeString:
    """The chart's pieces, each already built by format_html (escaped), as one safe string."""
    return format_html_join("", "{}", ((part,) for part in parts))


def _num(value) -> str:
    return f"{value:.2f}"


def bar_chart(rows, *, highlight: set[int] | frozenset = frozenset(), chart_id: str = "ranking-bars") -> str:
    """Horizontal bars of the annual totals in rank order (0–100 scale)."""
    ranked = [r for r in rows if r.total is not None]
    if not ranked:
        return ""
    label_w, bar_w, row_h, top = 118, 420, 26, 8
    width, height = label_w + bar_w + 60, top + row_h * len(ranked) + 22
    parts = [format_html(
        '<svg class="chart chart-bars" id="{}" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" '
        'preserveAspectRatio="xMinYMin meet">', chart_id, width, height, chart_id, chart_id)]
    parts.append(format_html('<title id="{}-t">{}</title><desc id="{}-d">{}</desc>', chart_id,
                             _("年度成绩条形图"), chart_id, _("按名次排列的各镇街年度成绩，满分 100。")))
    for x in (0, 25, 50, 75, 100):
        gx = label_w + bar_w * x / 100
        parts.append(format_html('<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}"/>', gx, top, gx,
                                 height - 18))
        parts.append(format_html('<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>', gx,
                                 height - 4, x))
    for i, row in enumerate(ranked):
        y = top + i * row_h
        length = bar_w * float(min(row.total, Decimal(100))) / 100
        css = "chart-bar chart-bar-mine" if row.township_id in highlight else "chart-bar"
        parts.append(format_html(
            '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}. {}</text>',
            label_w - 6, y + row_h * 0.65, row.rank, row.township.name))
        parts.append(format_html('<rect class="{}" x="{}" y="{}" width="{}" height="{}" rx="2"/>', css, label_w,
                                 y + 4, length, row_h - 8))
        parts.append(format_html('<text class="chart-value" x="{}" y="{}">{}</text>', f"{label_w + length + 4:.1f}",
                                 y + row_h * 0.65, _num(row.total)))
    parts.append(_CLOSE)
    return _join(parts)


def rank_lines(history: dict[int, dict[int, int]], names: dict[int, str], years: list[int], *,
               highlight: set[int] | frozenset = frozenset(), chart_id: str = "rank-lines") -> str:
    """One line per township: its rank in each year (1 at the top)."""
    if not history or len(years) < 2:
        return ""
    worst = max(rank for ranks in history.values() for rank in ranks.values())
    left, right, top, bottom = 34, 120, 14, 26
    plot_w, plot_h = 420, max(140, 22 * worst)
    width, height = left + plot_w + right, top + plot_h + bottom
    step = plot_w / (len(years) - 1)

    def xy(year_index, rank):
        y = top + (plot_h * (rank - 1) / (worst - 1) if worst > 1 else plot_h / 2)
        return left + step * year_index, y

    parts = [format_html(
        '<svg class="chart chart-lines" id="{}" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" '
        'preserveAspectRatio="xMinYMin meet">', chart_id, width, height, chart_id, chart_id)]
    parts.append(format_html('<title id="{}-t">{}</title><desc id="{}-d">{}</desc>', chart_id,
                             _("历年名次折线图"), chart_id, _("各镇街每年的名次，第 1 名在最上方。")))
    for i, year in enumerate(years):
        x = left + step * i
        parts.append(format_html('<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}"/>', x, top, x,
                                 top + plot_h))
        parts.append(format_html('<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>', x,
                                 height - 6, year))
    for rank in sorted({1, worst}):
        parts.append(format_html('<text class="chart-tick" x="{}" y="{}" text-anchor="end">{}</text>', left - 6,
                                 xy(0, rank)[1] + 4, rank))
    label_ys: list[float] = []  # tied townships end on the same point: stack their labels
    for n, (township_id, ranks) in enumerate(sorted(history.items(), key=lambda kv: names.get(kv[0], ""))):
        css = f"series-{n % SERIES}" + (" chart-line-mine" if township_id in highlight else "")
        points = [xy(i, ranks[y]) for i, y in enumerate(years) if y in ranks]
        if len(points) > 1:
            parts.append(format_html('<polyline class="chart-line {}" points="{}"/>', css,
                                     " ".join(f"{x:.1f},{y:.1f}" for x, y in points)))
        for x, y in points:
            parts.append(format_html('<circle class="chart-dot {}" cx="{}" cy="{}" r="3"/>', css, f"{x:.1f}",
                                     f"{y:.1f}"))
        if points:
            x, y = points[-1]
            while any(abs(y - used) < 12 for used in label_ys):
                y += 12
            label_ys.append(y)
            parts.append(format_html('<text class="chart-label {}" x="{}" y="{}">{}</text>', css, f"{x + 6:.1f}",
                                     f"{y + 4:.1f}", escape(names.get(township_id, ""))))
    parts.append(_CLOSE)
    return _join(parts)


# --- The weekly report (每周通报) --------------------------------------------------------------
def _svg_open(chart_id: str, css: str, width: float, height: float, title: str, desc: str) -> list:
    return [
        format_html('<svg class="chart {}" id="{}" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" '
                    'preserveAspectRatio="xMinYMin meet">', css, chart_id, width, height, chart_id, chart_id),
        format_html('<title id="{}-t">{}</title><desc id="{}-d">{}</desc>', chart_id, title, chart_id, desc),
    ]


def _short(value) -> str:
    if value is None:
        return "—"
    return format_number(value, 1, trim=True)


def week_line(points: list[tuple], *, title: str, desc: str, chart_id: str) -> str:
    """The county's figure week by week: ``points`` = [(monday, value or None)], oldest first.
    A week without a report leaves a gap in the line."""
    if not any(v is not None for _d, v in points):
        return ""
    left, right, top, bottom, plot_w, plot_h = 40, 16, 12, 26, 460, 130
    width, height = left + plot_w + right, top + plot_h + bottom
    top_value = max(float(v) for _d, v in points if v is not None) or 1
    step = plot_w / max(len(points) - 1, 1)

    def xy(i, value):
        return left + step * i, top + plot_h - plot_h * float(value) / top_value

    parts = _svg_open(chart_id, "chart-week-line", width, height, title, desc)
    for value in (0, top_value):
        y = top + plot_h - plot_h * value / top_value
        parts.append(format_html('<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}"/>', left, f"{y:.1f}",
                                 left + plot_w, f"{y:.1f}"))
        parts.append(format_html('<text class="chart-tick" x="{}" y="{}" text-anchor="end">{}</text>', left - 5,
                                 f"{y + 4:.1f}", _short(value)))
    for i, (day, _v) in enumerate(points):
        if i % 2 == (len(points) - 1) % 2:  # every other week, always the last one
            parts.append(format_html('<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                                     f"{left + step * i:.1f}", height - 6, day.strftime("%m-%d")))
    runs, run = [], []
    for i, (_d, value) in enumerate(points):
        if value is None:
            runs, run = (runs + [run] if run else runs), []
        else:
            run.append(xy(i, value))
    runs += [run] if run else []
    for run in runs:
        if len(run) > 1:
            parts.append(format_html('<polyline class="chart-line series-0" points="{}"/>',
                                     " ".join(f"{x:.1f},{y:.1f}" for x, y in run)))
        for x, y in run:
            parts.append(format_html('<circle class="chart-dot series-0" cx="{}" cy="{}" r="3"/>', f"{x:.1f}",
                                     f"{y:.1f}"))
    last = next(((i, v) for i, (_d, v) in reversed(list(enumerate(points))) if v is not None))
    x, y = xy(*last)
    parts.append(format_html('<text class="chart-value" x="{}" y="{}" text-anchor="end">{}</text>', f"{x:.1f}",
                             f"{max(y - 7, 10):.1f}", _short(last[1])))
    parts.append(_CLOSE)
    return _join(parts)


def sparkline(values: list, *, label: str, chart_id: str) -> str:
    """A tiny 12-week line beside a county figure (its title says what it shows)."""
    present = [float(v) for v in values if v is not None]
    if len(present) < 2:
        return ""
    width, height, pad = 96, 24, 3
    top_value = max(present) or 1
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    points = [(pad + step * i, height - pad - (height - 2 * pad) * float(v) / top_value)
              for i, v in enumerate(values) if v is not None]
    return format_html(
        '<svg class="chart chart-spark" id="{}" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t">'
        '<title id="{}-t">{}</title><polyline class="chart-line series-0" points="{}"/>'
        '<circle class="chart-dot series-0" cx="{}" cy="{}" r="2"/></svg>',
        chart_id, width, height, chart_id, chart_id, label,
        " ".join(f"{x:.1f},{y:.1f}" for x, y in points), f"{points[-1][0]:.1f}", f"{points[-1][1]:.1f}")


def bars_with_average(rows: list[tuple], *, title: str, desc: str, chart_id: str, common_scale: bool,
                      average_label: str) -> str:
    """Horizontal bars, each with the county average marked: ``rows`` = [(label, value, average)].

    ``common_scale``: one scale for every bar (townships on one figure); otherwise each row is
    scaled to itself (one township's figures, whose units differ).
    """
    rows = [(label, value, average) for label, value, average in rows if value is not None or average is not None]
    if not rows:
        return ""
    label_w, bar_w, row_h, top = 112, 300, 26, 6
    width, height = label_w + bar_w + 96, top + row_h * len(rows) + 20
    overall = max((float(x) for _l, v, a in rows for x in (v, a) if x is not None), default=0) or 1
    parts = _svg_open(chart_id, "chart-bars chart-vs-average", width, height, title, desc)
    for i, (label, value, average) in enumerate(rows):
        scale = overall if common_scale else (max(float(value or 0), float(average or 0)) or 1)
        y = top + i * row_h
        length = bar_w * float(value or 0) / scale
        parts.append(format_html('<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>', label_w - 6,
                                 f"{y + row_h * 0.62:.1f}", label))
        parts.append(format_html('<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}" rx="2"/>', label_w,
                                 y + 5, f"{length:.1f}", row_h - 10))
        parts.append(format_html('<text class="chart-value" x="{}" y="{}">{}</text>', f"{label_w + length + 4:.1f}",
                                 f"{y + row_h * 0.62:.1f}", _short(value)))
        if average is not None:
            ax = label_w + bar_w * float(average) / scale
            parts.append(format_html('<line class="chart-average" x1="{}" y1="{}" x2="{}" y2="{}"/>', f"{ax:.1f}",
                                     y + 2, f"{ax:.1f}", y + row_h - 2))
    legend_y = height - 4
    parts.append(format_html('<text class="chart-tick" x="{}" y="{}" text-anchor="end">┃ {}</text>',
                             width - 4, legend_y, average_label))
    parts.append(_CLOSE)
    return _join(parts)
