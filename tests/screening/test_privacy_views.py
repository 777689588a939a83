"""Who sees what (PIPL Art. 28): clerks status only — in pages, lists and exports; clinicians the
results, every view and print audited; leaders rates only; everyone else nothing (403). Out of
scope answers 404. Every view: happy path, wrong method, other township, wrong role."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from screening.models import Screening, ScreeningResult

from .helpers import assessed, full_values

pytestmark = pytest.mark.django_db
HB = "96"  # an abnormal haemoglobin: the lab value that must never reach a clerk


@pytest.fixture
def screened(couple_a, clinician):
    return assessed(couple_a, clinician, high=True, female__hb=HB)


def xlsx_text(response) -> str:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None)


def test_clerk_sees_risk_and_next_step_but_no_lab_values(client_for, clerk_a, screened, couple_a):
    client = client_for(clerk_a)
    queue = client.get(reverse("screening:queue")).content.decode()
    page = client.get(reverse("screening:couple", args=[couple_a.pk])).content.decode()
    export = xlsx_text(client.get(reverse("screening:queue_export")))
    for body in (queue, page, export):
        assert "高风险 · 待早孕随访" in body
        assert "血红蛋白" not in body and "g/L" not in body and "风疹" not in body and "易感" not in body
        assert screened.advice[:10] not in body
    assert AuditEvent.objects.filter(user=clerk_a, action="view", object_type="households.couple").exists()
    assert AuditEvent.objects.filter(user=clerk_a, action="export", object_type="screening.queue").exists()


@pytest.mark.parametrize("name", ["screening_detail", "letter", "results", "assess", "early_create"])
def test_clerk_cannot_open_results_letter_or_entry(client_for, clerk_a, screened, name):
    assert client_for(clerk_a).get(reverse(f"screening:{name}", args=[screened.pk])).status_code == 403


def test_clerk_cannot_list_or_export_screenings(client_for, clerk_a, screened):
    client = client_for(clerk_a)
    assert client.get(reverse("screening:screening_list")).status_code == 403
    assert client.get(reverse("screening:screening_export")).status_code == 403


def test_clerk_of_another_township_gets_404_on_the_couple(client_for, clerk_b, couple_a, screened):
    assert client_for(clerk_b).get(reverse("screening:couple", args=[couple_a.pk])).status_code == 404
    assert couple_a.pk not in [r.pk for r in client_for(clerk_b).get(reverse("screening:queue")).context["page"]]


@pytest.mark.parametrize("role", ["inspector", "bureau_staff", "auditor", "admin", "leader"])
def test_other_roles_see_nothing_of_the_pathway(client_for, cast, role, screened, couple_a):
    client = client_for(cast[role])
    for url in (reverse("screening:queue"), reverse("screening:couple", args=[couple_a.pk]),
                reverse("screening:screening_detail", args=[screened.pk]), reverse("screening:letter",
                                                                                   args=[screened.pk]),
                reverse("screening:queue_export"), reverse("screening:find")):
        assert client.get(url).status_code == 403, (role, url)


def test_clinician_reads_results_and_the_view_is_audited(client_for, clinician, screened):
    response = client_for(clinician).get(reverse("screening:screening_detail", args=[screened.pk]))
    assert response.status_code == 200 and HB in response.content.decode()
    assert AuditEvent.objects.filter(user=clinician, action="view", object_type="screening.screening",
                                     object_id=str(screened.pk), detail="screening detail").exists()


def test_letter_is_a_print_ready_a4_page_in_chinese(client_for, clinician, screened):
    response = client_for(clinician).get(reverse("screening:letter", args=[screened.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "孕前优生健康检查评估建议告知书" in body
    assert "高风险人群" in body and "接种风疹疫苗" in body and "screening.css" in body and "<script>" not in body


def test_printing_the_letter_is_audited_and_dates_the_advice(client_for, clinician, couple_a):
    screening = assessed(couple_a, clinician, high=True, advised=False)
    client = client_for(clinician)
    assert client.get(reverse("screening:letter_print", args=[screening.pk])).status_code == 405
    response = client.post(reverse("screening:letter_print", args=[screening.pk]))
    assert response.status_code == 302 and response.url.endswith("?print=1")
    screening.refresh_from_db()
    assert screening.advised_on is not None
    assert client.get(response.url).content.decode().count("data-autoprint") == 1
    client.post(reverse("screening:letter_print", args=[screening.pk]))
    assert AuditEvent.objects.filter(user=clinician, action="export", object_id=str(screening.pk),
                                     detail="print letter").count() == 2


def test_clerk_cannot_print_a_letter(client_for, clerk_a, screened):
    assert client_for(clerk_a).post(reverse("screening:letter_print", args=[screened.pk])).status_code == 403


def test_clinician_export_has_findings_and_is_audited(client_for, clinician, screened):
    response = client_for(clinician).get(reverse("screening:screening_export"))
    text = xlsx_text(response)
    assert HB in text and screened.couple.wife.id_number not in text and screened.couple.wife.masked_id_number in text
    assert AuditEvent.objects.filter(user=clinician, action="export", object_type="screening.screening").exists()


# --- entry views: happy path, wrong method, wrong role, refusals keep what was typed ------------
def test_results_page_saves_a_draft_and_refuses_hb_900_keeping_the_input(client_for, clinician, couple_a):
    from .helpers import start

    screening = start(couple_a, clinician)
    client = client_for(clinician)
    url = reverse("screening:results", args=[screening.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'inputmode="decimal"' in page.content.decode()
    response = client.post(url, {"version": 1, "female__hb": "900", "female__tsh": "2.1", "draft": "1"})
    body = response.content.decode()
    assert response.status_code == 200 and "超出可信范围" in body and 'value="900"' in body and 'value="2.1"' in body
    assert not ScreeningResult.objects.filter(screening=screening).exists()
    response = client.post(url, {"version": 1, "female__hb": "96", "draft": "1"})
    assert response.status_code == 302
    assert ScreeningResult.objects.get(screening=screening).is_abnormal
    assert client.delete(url).status_code == 405


def test_finish_then_assess_then_letter_through_the_pages(client_for, clinician, couple_a):
    from .helpers import start

    screening = start(couple_a, clinician)
    client = client_for(clinician)
    data = {k: v["value"] for k, v in full_values(screening, female__rubella_igg="neg").items()}
    response = client.post(reverse("screening:results", args=[screening.pk]), {"version": 1, "finish": "1", **data})
    assert response.status_code == 302 and response.url == reverse("screening:assess", args=[screening.pk])
    page = client.get(response.url).content.decode()
    assert "风疹病毒 IgG 阴性（易感）" in page
    screening.refresh_from_db()
    response = client.post(reverse("screening:assess", args=[screening.pk]), {
        "version": screening.version, "p0_keep": "on", "p0_description": "风疹病毒 IgG 阴性（易感）",
        "p0_advice": "接种风疹疫苗，3 个月后再怀孕。", "advice": "", "referral": ""})
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.risk_level == "high" and screening.advice.startswith("接种风疹疫苗")


def test_start_refuses_a_second_screening_with_the_first_ones_date(client_for, clinician, couple_a, screened):
    response = client_for(clinician).post(reverse("screening:screening_start", args=[couple_a.pk]), {
        "exam_date": "2026-01-05", "consent": "both", "consent_on": "2026-01-05", "facility": "服务站",
        "planned_child_order": couple_a.boys + couple_a.girls + 1})
    assert response.status_code == 200 and "同一孩次只能检查一次" in response.content.decode()
    assert Screening.objects.filter(couple=couple_a).count() == 1


def test_clinician_finds_couples_county_wide_by_id_tail_and_phone(client_for, clinician, couple_a, couple_b):
    client = client_for(clinician)
    by_tail = client.get(reverse("screening:find"), {"q": couple_b.wife.id_number[-4:]})
    assert couple_b.pk in [c.pk for c in by_tail.context["couples"]]
    by_phone = client.get(reverse("screening:find"), {"q": couple_a.household.phone})
    assert [c.pk for c in by_phone.context["couples"]] == [couple_a.pk]


def test_walk_in_couple_is_registered_through_the_household_services(client_for, clinician, village_b):
    from accounts.validators import build_id_number
    import datetime

    client = client_for(clinician)
    husband = build_id_number("411099", datetime.date(1991, 3, 4), 11)
    wife = build_id_number("411099", datetime.date(1994, 8, 9), 12)
    response = client.post(reverse("screening:walk_in"), {
        "husband_name": "赵强", "husband_id": husband, "wife_name": "孙梅", "wife_id": wife, "phone": "13900001111",
        "village": village_b.pk, "address": "五组 3 号", "boys": 1, "girls": 0, "planned_timing": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    from households.models import Couple

    couple = Couple.objects.get(wife__id_number=wife)
    assert couple.township_id == village_b.township_id and couple.in_register and couple.husband.id_number == husband
    assert AuditEvent.objects.filter(user=clinician, action="create", object_type="households.couple").exists()
    again = client.post(reverse("screening:walk_in"), {
        "husband_name": "赵强", "husband_id": husband, "wife_name": "孙梅", "wife_id": wife, "phone": "13900001111",
        "village": village_b.pk, "address": "五组 3 号", "boys": 1, "girls": 0, "planned_timing": "1"})
    assert again.status_code == 200 and "已登记" in again.content.decode()
    assert Couple.objects.filter(wife__id_number=wife).count() == 1


def test_void_needs_a_reason_and_the_couple_may_be_screened_again(client_for, clinician, screened, couple_a):
    client = client_for(clinician)
    url = reverse("screening:screening_void", args=[screened.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    screened.refresh_from_db()
    assert not screened.is_void
    assert client.post(url, {"reason": "录入错误"}).status_code == 302
    screened.refresh_from_db()
    assert screened.is_void and not screened.is_current


def test_clerk_cannot_void_and_nothing_changes(client_for, clerk_a, screened):
    assert client_for(clerk_a).post(reverse("screening:screening_void", args=[screened.pk]),
                                    {"reason": "x"}).status_code == 403
    screened.refresh_from_db()
    assert not screened.is_void


def test_home_panel_shows_the_clerks_queue_counts(client_for, clerk_a, screened):
    body = client_for(clerk_a).get(reverse("home")).content.decode()
    assert 'data-testid="home-screening"' in body and reverse("screening:queue") in body
