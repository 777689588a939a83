"""One way to print a number (docs/ui-patterns.md, "Numbers").

Pages, messages, letters and export notes print Decimals through these functions (templates through
the ``number`` / ``money`` filters of ``core/templatetags/numbers.py``):

* never scientific notation: ``Decimal("9E+2")`` (what ``Decimal.normalize()`` makes of 900) is
  printed ``900``, ``Decimal("6E+1")`` is ``60``;
* thousands separators: ``70000`` is ``70,000``;
* money with two decimals and its unit: ``70,000.00 元``.

``format_number(value)`` keeps the value's own decimals (a result typed ``4.205`` stays
``4.205``, stored ``115.0`` stays ``115.0``); ``places=2`` rounds half up to two decimals;
``trim=True`` drops trailing zeros after rounding (``60.00`` → ``60``, ``12.50`` → ``12.5``).
"""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _


def as_decimal(value) -> Decimal | None:
    """``value`` (Decimal, int, float or numeric text) as a finite Decimal, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def format_number(value, places: int | None = None, *, trim: bool = False, grouping: bool = True) -> str:
    """``value`` in plain digits (module docstring); ``""`` for None, the text itself when it is
    not a number."""
    number = as_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if trim and number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    elif trim:
        number = number.normalize()
    if number.as_tuple().exponent > 0:  # 9E+2: written out as an integer
        number = number.quantize(Decimal(1))
    if number == 0:
        number = abs(number)  # never "-0"
    return f"{number:,f}" if grouping else f"{number:f}"


def format_money(value) -> str:
    """``70,000.00 元``; ``""`` for None."""
    if as_decimal(value) is None:
        return ""
    return _("%(amount)s 元") % {"amount": format_number(value, 2)}


def format_percent(value, places: int = 2) -> str:
    """``12.5%`` (rounded to ``places``, trailing zeros dropped); ``""`` for None."""
    if as_decimal(value) is None:
        return ""
    return f"{format_number(value, places, trim=True)}%"
