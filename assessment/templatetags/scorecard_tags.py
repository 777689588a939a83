"""The scorecard's cells written in Python: 16 townships × ~27 indicators, shown twice (table on a
desktop, cards on a phone). As an ``{% include %}`` per cell the template cost more than the
figures' SQL; here each cell is written once and reused."""
from django import template
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _text(value) -> str:
    return "—" if value is None else str(localize(value))


@register.filter
def scorecard_cell(cell) -> str:
    """The value (a link to the rows behind it when there is one), % for rates, and the trend
    arrow with last period's value."""
    html = getattr(cell, "_html", None)
    if html is not None:
        return html
    if cell.value is None:
        shown = "—"
    else:
        text = _text(cell.value) + ("%" if cell.indicator.kind == "rate" else "")
        shown = format_html('<a href="{}" data-testid="indicator-link">{}</a>', cell.url, text) if cell.url \
            else format_html("{}", text)
    trend = ""
    if cell.trend.get("arrow"):
        before = _text(cell.previous)
        word = {"better": _("好转"), "worse": _("变差")}.get(cell.trend["kind"], _("持平"))
        trend = format_html(
            '<span class="trend trend-{}" title="{} {}"><span aria-hidden="true">{}</span>'
            '<span class="visually-hidden">{}，{} {}</span></span>',
            cell.trend["kind"], _("上期"), before, cell.trend["arrow"], word, _("上期"), before)
    cell._html = mark_safe(f"{shown}{trend}")  # nosec B308, B703: both parts built by format_html
    return cell._html
