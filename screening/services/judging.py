"""Judging one result against its field: refuse what cannot be true, flag what is abnormal.

Pure functions over the catalogue row (no queries): the results form and the service agree, and
tests can state the rule directly.
"""
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.numbers import format_number

from ..models import ResultField


def _fmt(value: Decimal, decimals: int) -> str:
    return format_number(value, decimals)


def parse_number(field: ResultField, raw) -> Decimal | None:
    """The typed value as a Decimal, or None when blank. Refuses non-numbers and values outside
    the plausible range (a typing slip such as Hb 900 g/L), with the range in the message."""
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = Decimal(str(raw).strip().replace("，", ".").replace(",", "."))
    except InvalidOperation:
        raise ValidationError(_("%(name)s应填写数字。") % {"name": field.name}) from None
    if not value.is_finite():
        raise ValidationError(_("%(name)s应填写数字。") % {"name": field.name})
    low, high = field.plausible_low, field.plausible_high
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValidationError(
            _("%(name)s %(value)s %(unit)s 超出可信范围（%(low)s–%(high)s），请核对是否录入错误。") % {
                "name": field.name, "value": format_number(value), "unit": field.unit,
                "low": _fmt(low, field.decimals) if low is not None else "", "high": _fmt(high, field.decimals)
                if high is not None else ""})
    return value.quantize(Decimal(1).scaleb(-min(field.decimals, 3)))


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
