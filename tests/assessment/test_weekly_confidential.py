"""The clerk's briefing carries no enforcement figures (issue #22, least privilege): counts of tips
and cases can signal an investigation the township should not know about. A clerk's section of
the weekly report — page, print page, .xlsx and the list's problem count — shows no tips or cases;
leaders and assessors keep them."""
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessment.services.weekly import weekly_report_build
from tests.enforcement.factories import TipFactory

from .weekly_world import W

pytestmark = pytest.mark.django_db
PAGES = {
    "detail": reverse("assessment:weekly_detail", args=[W]),
    "print": reverse("assessment:weekly_print", args=[W]),
}
EXPORT = reverse("assessment:weekly_export", args=[W])
LIST = reverse("assessment:weekly_list")
ENFORCEMENT_WORDS = ("举报", "立案", "结案", "案件")


@pytest.fixture
def built(week_world):
    township = week_world["a"]
    TipFactory(township=township, received_on=W + datetime.timedelta(days=1))  # received this week
    TipFactory(township=township, received_on=W - datetime.timedelta(days=90))  # long overdue
    weekly_report_build(week_start=W)
    return week_world


def sheet_text(response) -> str:
    book = load_workbook(io.BytesIO(response.content))
    return " ".join(str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c is not None)


def test_the_clerks_section_page_print_and_export_show_no_tips_or_cases(client_for, clerk_a, built):
    client = client_for(clerk_a)
    for name, url in PAGES.items():
        response = client.get(url)
        assert response.status_code == 200
        keys = {line.indicator.key for s in response.context["view"].sections for line in s.lines}
        assert keys and not any(k.startswith("enforcement.") for k in keys), (name, keys)
        html = response.content.decode()
        assert not any(word in html for word in ENFORCEMENT_WORDS), name
    text = sheet_text(client.get(EXPORT))
    assert "随访次数" in text and not any(word in text for word in ENFORCEMENT_WORDS)


def test_the_clerks_list_counts_only_the_problems_they_read(client_for, clerk_a, leader, built):
    leader_view = client_for(leader).get(PAGES["detail"]).content.decode()
    assert "举报超过办理期限未处理" in leader_view  # the problem exists for the county's readers
    page = client_for(clerk_a).get(LIST)
    [report] = [r for r in page.context["page"] if r.week_start == W]
    assert report.own_problems == 3  # A's three register problems, not the overdue tip


@pytest.mark.parametrize("who", ["leader", "assessor"])
def test_leaders_and_assessors_keep_the_townships_enforcement_figures(request, client_for, who, built):
    response = client_for(request.getfixturevalue(who)).get(PAGES["detail"] + f"?township={built['a'].pk}")
    [section] = response.context["view"].sections
    values = {line.indicator.key: line.value for line in section.lines}
    assert values["enforcement.tips_received"] == 1
    assert "举报超过办理期限未处理" in response.content.decode()
