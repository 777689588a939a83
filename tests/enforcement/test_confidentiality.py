"""The reporter of a tip is confidential: only an inspector's tip page shows who reported.

Not in lists (either layout), searches, exports, the case page, figures, the home page, the
leader's pages or the audit trail; other roles cannot open a tip at all.
"""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from enforcement.services.cases import case_open

from .factories import TipFactory

pytestmark = pytest.mark.django_db
NAME = "孙秘密"
CONTACT = "13912340000"


@pytest.fixture
def tip(township_a):
    return TipFactory(
        township=township_a, reporter_name=NAME, reporter_contact=CONTACT, content="某诊所夜间做B超鉴定胎儿性别"
    )


def assert_hidden(text: str):
    assert NAME not in text and CONTACT not in text


def xlsx_text(response) -> str:
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return "\n".join(str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row if v)


def test_inspector_sees_the_reporter_on_the_tip_page_only_and_the_view_is_audited(client_for, inspector, tip):
    html = client_for(inspector).get(reverse("enforcement:tip_detail", args=[tip.pk])).content.decode()
    assert NAME in html and CONTACT in html
    row = AuditEvent.objects.get(action="view", object_type="enforcement.tip", object_id=str(tip.pk))
    assert row.detail == "reporter shown"
    assert_hidden(row.detail)


@pytest.mark.parametrize("who", ["inspector", "leader"])
def test_lists_and_searches_never_show_or_match_the_reporter(client_for, cast, tip, who):
    client = client_for(cast[who])
    url = reverse("enforcement:tip_list")
    html = client.get(url).content.decode()
    assert tip.number in html
    assert_hidden(html)
    # Searching for the reporter must find nothing (or the search box would tell who reported).
    for term in (NAME, CONTACT, NAME[:2]):
        response = client.get(url, {"q": term})
        assert list(response.context["page"].object_list) == []
    assert [t.pk for t in client.get(url, {"q": "夜间做B超"}).context["page"].object_list] == [tip.pk]


def test_list_and_export_queries_do_not_even_read_the_reporter_columns(client_for, inspector, tip):
    client = client_for(inspector)
    for name in ("tip_list", "export_tips", "drill_tips_received"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(f"enforcement:{name}")).status_code == 200
        assert not [q for q in queries.captured_queries if "reporter_" in q["sql"]], name


@pytest.mark.parametrize("who", ["inspector", "leader"])
def test_export_has_no_reporter(client_for, cast, tip, who):
    response = client_for(cast[who]).get(reverse("enforcement:export_tips"))
    text = xlsx_text(response)
    assert tip.number in text and "夜间做B超" in text
    assert_hidden(text)
    assert "举报人身份依法保密" in text


def test_leader_reads_the_tip_without_the_reporter(client_for, leader, tip):
    html = client_for(leader).get(reverse("enforcement:tip_detail", args=[tip.pk])).content.decode()
    assert "夜间做B超" in html
    assert_hidden(html)
    assert 'data-testid="reporter"' not in html
    assert AuditEvent.objects.get(action="view", object_type="enforcement.tip").detail == "reporter hidden"


def test_case_opened_from_the_tip_does_not_carry_the_reporter(client_for, inspector, leader, tip, township_a):
    case = case_open(by=inspector, township=township_a, title="某诊所非法鉴定", source="tip", tip=tip)
    for user in (inspector, leader):
        client = client_for(user)
        for url in (
            reverse("enforcement:case_detail", args=[case.pk]),
            reverse("enforcement:case_list"),
            reverse("enforcement:figures"),
            reverse("home"),
        ):
            assert_hidden(client.get(url).content.decode())
        assert_hidden(xlsx_text(client.get(reverse("enforcement:export_cases"))))
    assert_hidden(" ".join(AuditEvent.objects.values_list("detail", flat=True)))


@pytest.mark.parametrize("role", ["clerk_a", "clerk_b", "bureau_staff", "clinician", "auditor", "admin"])
def test_other_roles_cannot_open_tips(client_for, cast, tip, role):
    client = client_for(cast[role])
    for url in (
        reverse("enforcement:tip_detail", args=[tip.pk]),
        reverse("enforcement:tip_list"),
        reverse("enforcement:export_tips"),
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert_hidden(response.content.decode())


def test_the_admin_site_does_not_expose_tips(client_for, admin_user):
    response = client_for(admin_user).get("/admin/enforcement/tip/")
    assert response.status_code == 404
