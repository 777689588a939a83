"""core/numbers.py and its template filters: plain digits, never scientific notation, thousands
separators, money with two decimals (issue #18, "Plain numbers everywhere")."""
from decimal import Decimal as D

import pytest
from django.template import Context, Template

from core.numbers import format_money, format_number, format_percent
from enforcement.models import Case


@pytest.mark.parametrize(("value", "kwargs", "expected"), [
    (D("9E+2"), {}, "900"),
    (D("6E+1"), {}, "60"),
    (D("60.00").normalize(), {}, "60"),
    (D("1E+5"), {"places": 2}, "100,000.00"),
    (D("70000"), {}, "70,000"),
    (D("1234567.891"), {}, "1,234,567.891"),
    (D("4.205"), {}, "4.205"),
    (D("115.0"), {}, "115.0"),
    (D("60.00"), {"places": 2, "trim": True}, "60"),
    (D("12.50"), {"places": 2, "trim": True}, "12.5"),
    (D("12.345"), {"places": 2}, "12.35"),
    (D("-0.004"), {"places": 2}, "0.00"),
    (D("-1234.5"), {}, "-1,234.5"),
    (1234, {}, "1,234"),
    (87.5, {"places": 1, "trim": True}, "87.5"),
    (D("1E-7"), {}, "0.0000001"),
    (D("1234"), {"grouping": False}, "1234"),
    (None, {}, ""),
    ("—", {}, "—"),
])
def test_format_number(value, kwargs, expected):
    assert format_number(value, **kwargs) == expected


def test_money_and_percent():
    assert format_money(D("7E+4")) == "70,000.00 元"
    assert format_money(D("1234.5")) == "1,234.50 元"
    assert format_money(None) == ""
    assert format_percent(D("6E+1")) == "60%"
    assert format_percent(D("33.333")) == "33.33%"


def test_template_filters():
    html = Template('{% load numbers %}{{ a|number }}|{{ a|number:2 }}|{{ b|number:"-2" }}|{{ c|money }}|{{ n|number }}'
                    ).render(Context({"a": D("9E+2"), "b": D("60.00"), "c": D("70000"), "n": None}))
    assert html == "900|900.00|60|70,000.00 元|"


def test_a_case_outcome_names_its_amounts_with_separators():
    case = Case(outcome_warning=False, confiscated_amount=D("7E+4"), fine_amount=D("150000.00"))
    assert case.outcome_labels == ["没收违法所得 70,000.00 元", "罚款 150,000.00 元"]
