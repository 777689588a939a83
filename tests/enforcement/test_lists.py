"""The enforcement lists: constant query counts, filters, search, paging, exports (audited)."""
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEvent
from enforcement.services.facilities import inspection_record

from ..households.querycount import REQUEST
from .factories import DeviceFactory, FacilityFactory, TipFactory, make_case

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)

# Each list's own queries on top of the request's (households/querycount.py): the township
# filter's choices, COUNT, the page, its one prefetch where it has one, and the audit row for
# tips and cases.
LIST_QUERIES = {
    "case_list": 5,  # townships, count, page, parties prefetch, audit
    "tip_list": 4,  # townships, count, page (township and case joined), audit
    "facility_list": 3,  # townships, count, page (device count as a subquery)
    "device_list": 3,  # townships, count, page
    "inspection_list": 4,  # townships, count, page, inspectors prefetch
}


def fill(n, township, inspector):
    for i in range(n):
        facility = FacilityFactory(township=township)
        DeviceFactory(facility=facility)
        TipFactory(township=township)
        case = make_case(township=township, by=inspector, status="investigating" if i % 2 else "received")
        case.parties.create(kind="facility", facility=facility, role="performer")
        case.parties.create(kind="person", name=f"中介{i}", role="intermediary", id_number="")
        inspection_record(
            by=inspector,
            facility=facility,
            inspected_on=timezone.localdate(),
            inspectors=[],
            findings="检查",
            checked_ultrasound_register=True,
        )


@pytest.mark.parametrize("name", sorted(LIST_QUERIES))
def test_list_pages_cost_the_same_queries_at_3_rows_and_at_12(
    client_for, inspector, township_a, name, django_assert_num_queries
):
    client = client_for(inspector)
    url = reverse(f"enforcement:{name}")
    fill(3, township_a, inspector)
    with django_assert_num_queries(REQUEST + LIST_QUERIES[name]):
        assert len(client.get(url).context["page"].object_list) == 3
    fill(9, township_a, inspector)
    with django_assert_num_queries(REQUEST + LIST_QUERIES[name]):
        assert len(client.get(url).context["page"].object_list) == 12


def test_lists_page(client_for, inspector, township_a, settings):
    for _ in range(27):
        TipFactory(township=township_a)
    client = client_for(inspector)
    first = client.get(reverse("enforcement:tip_list"), {"channel": "phone"})
    second = client.get(reverse("enforcement:tip_list"), {"channel": "phone", "page": 2})
    assert len(first.context["page"].object_list) == 25 and len(second.context["page"].object_list) == 2
    # The next page's link keeps the filter and pages by keyset (core.pagination).
    assert re.search(r'href="\?channel=phone&amp;after=[\w-]+"[^>]*data-testid="page-next"', first.content.decode())


def pks(response):
    return {o.pk for o in response.context["page"].object_list}


def test_case_filters_township_status_source_year_overdue_and_search(
    client_for, inspector, township_a, township_b, settings
):
    a = make_case(township=township_a, by=inspector, status="filed", title="城关某诊所鉴定")
    b = make_case(township=township_b, by=inspector, status="closed", title="东关药店售药")
    b.parties.create(kind="person", name="钱某某", role="drug_seller")
    client = client_for(inspector)
    url = reverse("enforcement:case_list")
    assert pks(client.get(url, {"township": township_a.pk})) == {a.pk}
    assert pks(client.get(url, {"status": "closed"})) == {b.pk}
    assert pks(client.get(url, {"source": "referral"})) == {a.pk, b.pk}
    assert pks(client.get(url, {"year": timezone.localdate().year})) == {a.pk, b.pk}
    assert pks(client.get(url, {"year": 2020})) == set()
    assert pks(client.get(url, {"q": "钱某"})) == {b.pk}
    assert pks(client.get(url, {"q": "某诊所"})) == {a.pk}
    assert pks(client.get(url, {"q": a.number})) == {a.pk}
    assert pks(client.get(url, {"overdue": "on"})) == set()
    a.stage_due_on = timezone.localdate() - DAY
    a.save()
    assert pks(client.get(url, {"overdue": "on"})) == {a.pk}
    html = client.get(url).content.decode()
    assert 'data-testid="overdue"' in html


def test_tip_filters_and_overdue(client_for, inspector, township_a, township_b):
    old = TipFactory(township=township_a, received_on=timezone.localdate() - 20 * DAY, channel="letter")
    new = TipFactory(township=township_b, channel="online")
    client = client_for(inspector)
    url = reverse("enforcement:tip_list")
    assert pks(client.get(url, {"overdue": "on"})) == {old.pk}
    assert pks(client.get(url, {"channel": "online"})) == {new.pk}
    assert pks(client.get(url, {"township": township_a.pk})) == {old.pk}
    assert pks(client.get(url, {"q": new.number})) == {new.pk}
    assert pks(client.get(url, {"status": "pending"})) == {old.pk, new.pk}


def test_a_wrong_filter_shows_its_error_and_does_not_widen_the_list(client_for, inspector, township_a):
    TipFactory(township=township_a)
    response = client_for(inspector).get(reverse("enforcement:tip_list"), {"year": "abc", "channel": "phone"})
    assert response.status_code == 200
    assert "year" in response.context["form"].errors
    response = client_for(inspector).get(reverse("enforcement:export_tips"), {"year": "abc"})
    assert response.status_code == 400


def test_inspection_filters(client_for, inspector, township_a, township_b):
    f_a, f_b = FacilityFactory(township=township_a), FacilityFactory(township=township_b, name="东关诊所")
    i_a = inspection_record(
        by=inspector,
        facility=f_a,
        inspected_on=timezone.localdate(),
        inspectors=[],
        findings="无问题",
        checked_drug_ledger=True,
    )
    i_b = inspection_record(
        by=inspector,
        facility=f_b,
        inspected_on=timezone.localdate(),
        inspectors=[],
        findings="台账缺失",
        checked_drug_ledger=True,
        problems_found=True,
    )
    client = client_for(inspector)
    url = reverse("enforcement:inspection_list")
    assert pks(client.get(url, {"problems": "yes"})) == {i_b.pk}
    assert pks(client.get(url, {"township": township_a.pk})) == {i_a.pk}
    assert pks(client.get(url, {"q": "东关"})) == {i_b.pk}
    assert pks(client.get(url, {"year": timezone.localdate().year - 1})) == set()


def test_list_views_of_cases_and_tips_are_audited(client_for, leader, township_a):
    client_for(leader).get(reverse("enforcement:case_list"), {"township": township_a.pk})
    client_for(leader).get(reverse("enforcement:tip_list"))
    rows = AuditEvent.objects.filter(user=leader, action="view").values_list("object_type", "detail")
    assert {t for t, _ in rows} == {"enforcement.case", "enforcement.tip"}
    assert any("城关镇" in detail for _, detail in rows)


@pytest.mark.parametrize(
    ("kind", "header"),
    [
        ("cases", "案件编号"),
        ("tips", "线索编号"),
        ("facilities", "执业许可证号"),
        ("devices", "出厂编号"),
        ("inspections", "被检查机构"),
    ],
)
def test_exports_are_xlsx_with_the_filters_applied_and_audited(
    client_for, leader, inspector, township_a, township_b, kind, header
):
    fill(1, township_a, inspector)
    fill(1, township_b, inspector)
    response = client_for(leader).get(reverse(f"enforcement:export_{kind}"), {"township": township_a.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = [r for r in sheet.iter_rows(values_only=True)]
    header_index = next(i for i, r in enumerate(rows) if header in r)
    data = rows[header_index + 1 :]
    assert len(data) == 1
    assert "东关街道" not in str(data)
    row = AuditEvent.objects.get(action="export", user=leader)
    assert row.object_type.startswith("enforcement.") and "1 rows" in row.detail


def test_case_export_masks_party_id_numbers_and_never_writes_formulas(client_for, inspector, township_a):
    case = make_case(township=township_a, by=inspector, title='=HYPERLINK("http://x")')
    case.parties.create(kind="person", name="李某", role="performer", id_number="11010519491231002X")
    response = client_for(inspector).get(reverse("enforcement:export_cases"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    text = [c.value for row in sheet.iter_rows() for c in row]
    assert "11010519491231002X" not in str(text) and "110105********002X" in str(text)
    title_cell = next(c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x")')
    assert title_cell.data_type == "s"


@pytest.mark.parametrize("name", sorted(LIST_QUERIES))
def test_the_last_page_costs_the_queries_of_the_first(client_for, inspector, township_a, name,
                                                      django_assert_num_queries):
    # Every list is keyset-paged (its order ends with the id): ?page=last reads the order
    # backwards with the same queries as page 1, never OFFSET over the whole list.
    client = client_for(inspector)
    url = reverse(f"enforcement:{name}")
    fill(3, township_a, inspector)
    with django_assert_num_queries(REQUEST + LIST_QUERIES[name]):
        page = client.get(url, {"page": "last"}).context["page"]
    assert len(page.object_list) == 3 and page.next_cursor


def test_case_list_pages_by_number_newest_first(client_for, inspector, township_a, settings):
    cases = [make_case(township=township_a, by=inspector, title=f"案{i}") for i in range(27)]
    client = client_for(inspector)
    first = client.get(reverse("enforcement:case_list")).context["page"]
    last = client.get(reverse("enforcement:case_list"), {"page": "last"}).context["page"]
    assert [c.pk for c in first.object_list] == [c.pk for c in cases[::-1][:25]]
    # The last page is the last 25 in the list's order (read backwards, core.pagination): the oldest.
    assert [c.pk for c in last.object_list] == [c.pk for c in cases[24::-1]]


@pytest.mark.parametrize("name,q", [("case_list", "中介"), ("case_list", "测试医院"), ("facility_list", "测试")])
def test_searches_cost_the_list_s_queries(client_for, inspector, township_a, name, q, django_assert_num_queries):
    client = client_for(inspector)
    fill(4, township_a, inspector)
    with django_assert_num_queries(REQUEST + LIST_QUERIES[name]):
        page = client.get(reverse(f"enforcement:{name}"), {"q": q}).context["page"]
    assert len(page.object_list) == 4
