"""Number formats of the weekly report: a figure with its unit, a change with its sign."""
from django import template

register = template.Library()


def _plain(value) -> str:
    number = float(value)
    if number == int(number):
        return f"{int(number):,}" if abs(number) >= 10000 else str(int(number))
    return f"{number:.1f}"


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
