"""FastSelect writes the same HTML as Django's Select; get_<field>_display from cached labels."""
import datetime
import re

import pytest
from django import forms
from django.utils import translation

from core.widgets import FastSelect
from households.models import Household, Person

CHOICES = [("", "全部"), ("1", "李家村 & <东>"), ("2", "王庄")]
GROUPED = [("", "全部"), ("城关镇", [("1", "李家村"), ("2", "王庄")])]


@pytest.mark.parametrize("choices", [CHOICES, GROUPED])
@pytest.mark.parametrize("value", ["", "1", "2", None])
def test_fast_select_renders_what_select_renders(value, choices):
    attrs = {"class": "form-select", "id": "id_village", "required": True, "disabled": False}
    def compact(html):  # the templates put each option on its own line; browsers do not care
        return re.sub(r">\s+<", "><", str(html)).strip()

    assert (compact(FastSelect(choices=choices).render("village", value, attrs))
            == compact(forms.Select(choices=choices).render("village", value, attrs)))


def test_choice_labels_follow_the_language():
    person = Person(relation="1", sex="2", birth_date=datetime.date(1990, 1, 1), marital_status="21")
    assert person.get_relation_display() == "配偶"
    with translation.override("en"):
        assert person.get_relation_display() == "Spouse"
        assert Household(hukou_type="2").get_hukou_type_display() == "Agricultural"
    assert person.get_relation_display() == "配偶"
    assert Person(relation="x").get_relation_display() == "x"  # an unknown code shows as itself
