"""Number formats of the weekly report: a figure with its unit, a change with its sign."""
from django import template
from django.utils.html import conditional_escape, format_html

from core.numbers import format_number

register = template.Library()


def _plain(value) -> str:
    return format_number(value, 1, trim=True)


@register.filter
def figure(value, kind="count"):
    """12 / 87.5% / — (no value)."""
    if value is None or value == "":
        return "—"
    return _plain(value) + ("%" if kind == "rate" else "")


@register.filter
def signed(value, kind="count"):
    """+3 / −2 / ±0 (a rate's change in percentage points); empty when not comparable."""
    if value is None or value == "":
        return ""
    number = float(value)
    if number == 0:
        return "±0"
    text = _plain(abs(number))
    return ("+" if number > 0 else "−") + text


# A report shows ~400 lines (16 townships × ~13 figures, as a table and as phone cards): written
# here once per line instead of an {% include %} per figure and per change.
@register.filter
def line_figure(line):
    """A line's figure, linked to the rows behind it when the reader may open them."""
    text = figure(line.value, line.indicator.kind)
    if line.url:
        return format_html('<a href="{}" data-testid="weekly-drill">{}</a>', line.url, text)
    return conditional_escape(text)


@register.filter
def line_trend(line):
    """A line's change against last week with its arrow."""
    arrow = ""
    if line.trend.get("arrow"):
        arrow = format_html(' <span class="trend trend-{}" aria-hidden="true">{}</span>', line.trend["kind"],
                            line.trend["arrow"])
    return format_html('<span class="text-nowrap">{}{}</span>', signed(line.change, line.indicator.kind), arrow)
