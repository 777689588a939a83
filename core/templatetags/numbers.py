"""Template filters for ``core/numbers.py``: ``{% load numbers %}``, then

* ``{{ value|number }}`` — the value's own decimals, thousands separators, never ``9E+2``;
* ``{{ value|number:2 }}`` — rounded to two decimals; ``{{ value|number:"-2" }}`` — rounded to two
  decimals, trailing zeros dropped (the shape of ``floatformat:"-2"``, with separators);
* ``{{ value|money }}`` — ``70,000.00 元``; ``{{ value|percent }}`` — ``12.5%``.
"""
from django import template

from core.numbers import format_money, format_number, format_percent

register = template.Library()


@register.filter
def number(value, places=None):
    if places in (None, ""):
        return format_number(value)
    places = int(places)
    return format_number(value, abs(places), trim=places < 0)


@register.filter
def money(value):
    return format_money(value)


@register.filter
def percent(value, places=2):
    return format_percent(value, int(places))
