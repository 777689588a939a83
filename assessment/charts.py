"""Charts as server-side SVG: no external service, no script, no inline style (CSP).

Colours and fonts come from classes in ``static/css/assessment.css``; every chart has a
``<title>``/``<desc>`` and the page shows the same figures in a table for screen readers.
"""
from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

SERIES = 8  # colour classes .series-0 … .series-7


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
    parts.append(mark_safe("</svg>"))  # nosec B308 B703: a constant closing tag
    # Every part above is format_html output (values escaped), so the joined markup is safe.
    return mark_safe("".join(str(p) for p in parts))  # nosec B308 B703


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
    parts.append(mark_safe("</svg>"))  # nosec B308 B703: a constant closing tag
    # Every part above is format_html output (values escaped), so the joined markup is safe.
    return mark_safe("".join(str(p) for p in parts))  # nosec B308 B703
