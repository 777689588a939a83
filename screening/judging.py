"""Judging one result against its field: refuse what cannot be true, flag what is abnormal.

Pure functions over the catalogue row (no queries): the results form and the service agree, and
tests can state the rule directly.

A value is judged as it was typed: Hb 114.6 g/L is below 115 and TSH 4.205 mIU/L above 4.20,
whatever the field's display precision (``ResultField.decimals`` only formats the range). The
typed digits are kept (up to the three decimals a result stores); more decimals are refused
rather than rounded, because rounding could move a value across a limit.
"""
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.numbers import format_number

from .models import ResultField, display_number

STORED_DECIMALS = 3  # ScreeningResult.value_number's decimal places
STORED_LIMIT = Decimal("10000000")  # and its max_digits=10: seven digits before the point
# Digits with an optional decimal point: no exponent ("9E+2"), no "NaN"/"Infinity", no signs.
NUMBER = re.compile(r"\d+(?:\.\d*)?|\.\d+")


def _fmt(value: Decimal, decimals: int) -> str:
    return format_number(value, decimals)


def plain(value: Decimal) -> str:
    """A typed value as typed, never in scientific notation (``Decimal('9E+2')`` → ``900``)."""
    return f"{value:f}"


def parse_number(field: ResultField, raw) -> Decimal | None:
    """The typed value as a Decimal, or None when blank. Refuses non-numbers and values outside
    the plausible range (a typing slip such as Hb 900 g/L), with the range in the message."""
    if raw is None or str(raw).strip() == "":
        return None
    typed = str(raw).strip().replace("，", ".").replace(",", ".").replace("。", ".")
    if not NUMBER.fullmatch(typed):
        raise ValidationError(_("%(name)s应填写数字，如 %(example)s。") % {
            "name": field.name, "example": _fmt(field.ref_low if field.ref_low is not None else Decimal(1),
                                                field.decimals)})
    try:
        value = Decimal(typed)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only decimals
        raise ValidationError(_("%(name)s应填写数字。") % {"name": field.name}) from None
    if -value.as_tuple().exponent > STORED_DECIMALS:
        raise ValidationError(_("%(name)s最多填写 %(n)d 位小数（按所填精度判断，不四舍五入）。") % {
            "name": field.name, "n": STORED_DECIMALS})
    low, high = field.plausible_low, field.plausible_high
    if (low is not None and value < low) or (high is not None and value > high) or value >= STORED_LIMIT:
        raise ValidationError(
            _("%(name)s %(value)s %(unit)s 超出可信范围（%(low)s–%(high)s），请核对是否录入错误。") % {
                "name": field.name, "value": plain(value), "unit": field.unit,
                "low": display_number(low, field.decimals) if low is not None else "",
                "high": display_number(high, field.decimals) if high is not None else ""})
    return value


def judge(field: ResultField, subject: str, *, number=None, choice: str = "", text: str = "") -> dict:
    """The stored form of one result: value, the unit and range it is judged by (copied), and
    the automatic flag (None for text, which is never flagged). Raises ValidationError."""
    low, high = field.range_for(subject)
    row = {"value_number": None, "value_choice": "", "value_text": "", "unit": field.unit, "ref_low": None,
           "ref_high": None, "ref_text": field.reference_text(subject), "auto_abnormal": None}
    if field.kind == ResultField.Kind.NUMBER:
        value = parse_number(field, number)
        if value is None:
            return row
        row.update(value_number=value, ref_low=low, ref_high=high,
                   auto_abnormal=(low is not None and value < low) or (high is not None and value > high))
    elif field.kind == ResultField.Kind.CHOICE:
        choice = (choice or "").strip()
        if not choice:
            return row
        if choice not in {str(code) for code, _label in field.choices}:
            raise ValidationError(_("%(name)s的选项无效。") % {"name": field.name})
        row.update(value_choice=choice, auto_abnormal=choice not in {str(v) for v in field.normal_values})
    else:
        row["value_text"] = (text or "").strip()[:500]
    return row


def has_value(row: dict) -> bool:
    return row["value_number"] is not None or bool(row["value_choice"]) or bool(row["value_text"])
