"""Enforcement pages in English: translated labels and ASCII punctuation."""

import pytest
from django.urls import reverse

from .factories import TipFactory, make_case

pytestmark = pytest.mark.django_db


def test_case_and_tip_pages_in_english(client_for, inspector, township_a):
    case = make_case(township=township_a, by=inspector, status="closed")
    tip = TipFactory(township=township_a)
    client = client_for(inspector)
    client.cookies["django_language"] = "en"

    case_html = client.get(case.get_absolute_url()).content.decode()
    assert "Closed" in case_html and "History" in case_html and "Preliminary check" in case_html
    tip_html = client.get(tip.get_absolute_url()).content.decode()
    assert "Reporter (confidential)" in tip_html and "Open a case" in tip_html
    figures = client.get(reverse("enforcement:figures")).content.decode()
    assert "Closure rate" in figures and "：" not in figures
    lists = client.get(reverse("enforcement:case_list")).content.decode()
    assert "1 case" in lists and "Two-non cases" in lists
