"""The inspector's pages end to end over HTTP: tips, cases and their steps, parties, inspections."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from enforcement.models import Case, CaseEvent, CaseParty, Inspection, Tip

from .factories import FacilityFactory, TipFactory, make_case

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def tip_post(township, **overrides):
    return {
        "channel": "phone",
        "received_on": timezone.localdate().isoformat(),
        "township": township.pk,
        "content": "有人在某诊所做B超鉴定胎儿性别",
        "reporter_name": "周某",
        "reporter_contact": "13500000000",
        **overrides,
    }


# --- tips ---------------------------------------------------------------------------------------
def test_inspector_records_a_tip_with_a_number(client_for, inspector, township_a):
    response = client_for(inspector).post(reverse("enforcement:tip_create"), tip_post(township_a))
    tip = Tip.objects.get()
    assert response["Location"] == tip.get_absolute_url()
    assert tip.number == f"JB{timezone.localdate().year}-0001" and tip.status == "pending"
    assert (tip.reporter_name, tip.created_by) == ("周某", inspector)
    assert AuditEvent.objects.filter(action="create", object_type="enforcement.tip").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"received_on": (timezone.localdate() + DAY).isoformat()}, "受理日期不能晚于今天"),
        ({"content": "   "}, "请填写"),  # core.forms: the message names the field
        ({"channel": "fax"}, "不在可选范围内"),
    ],
)
def test_bad_tip_is_refused_and_kept(client_for, inspector, township_a, overrides, message):
    response = client_for(inspector).post(reverse("enforcement:tip_create"), tip_post(township_a, **overrides))
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert 'value="周某"' in html
    assert not Tip.objects.exists()


def test_tip_is_dismissed_only_with_a_reason_and_only_once(client_for, inspector, township_a):
    tip = TipFactory(township=township_a)
    client = client_for(inspector)
    url = reverse("enforcement:tip_dismiss", args=[tip.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    tip.refresh_from_db()
    assert tip.status == "pending"
    assert client.post(url, {"reason": "信息不足，无法核查"}).status_code == 302
    tip.refresh_from_db()
    assert (tip.status, tip.dismissal_reason, tip.handled_by) == ("dismissed", "信息不足，无法核查", inspector)
    response = client.post(url, {"reason": "再来一次"})
    assert "已处理" in response.content.decode()
    tip.refresh_from_db()
    assert tip.dismissal_reason == "信息不足，无法核查"


def test_tip_becomes_a_case_through_the_page(client_for, inspector, township_a):
    tip = TipFactory(township=township_a, content="某诊所夜间鉴定")
    client = client_for(inspector)
    form = client.get(reverse("enforcement:tip_open_case", args=[tip.pk]))
    assert "某诊所夜间鉴定" in form.content.decode()
    response = client.post(
        reverse("enforcement:tip_open_case", args=[tip.pk]),
        {
            "township": township_a.pk,
            "title": "某诊所非法鉴定胎儿性别",
            "violation_types": ["sex_determination"],
            "departments": ["health", "police"],
        },
    )
    case = Case.objects.get()
    assert response["Location"] == case.get_absolute_url()
    assert (case.source, case.tip, case.violation_types, case.departments) == (
        "tip",
        tip,
        ["sex_determination"],
        ["health", "police"],
    )
    tip.refresh_from_db()
    assert tip.status == "case_opened"
    assert case.number in client.get(tip.get_absolute_url()).content.decode()


def test_reward_is_recorded_only_for_a_tip_that_led_to_a_case(client_for, inspector, township_a):
    tip = TipFactory(township=township_a)
    client = client_for(inspector)
    url = reverse("enforcement:tip_reward", args=[tip.pk])
    today = timezone.localdate().isoformat()
    response = client.post(url, {"amount": "5000", "paid_on": today})
    assert "只有已转为案件" in response.content.decode()
    make_case(township=township_a, by=inspector, tip=tip, source="tip")
    assert "应大于 0" in client.post(url, {"amount": "0", "paid_on": today}).content.decode()
    assert client.post(url, {"amount": "5000", "paid_on": today, "note": "县财政"}).status_code == 302
    tip.refresh_from_db()
    assert (str(tip.reward_amount), tip.reward_note) == ("5000.00", "县财政")


# --- cases --------------------------------------------------------------------------------------
def test_inspector_opens_a_case_by_hand_but_not_as_a_tip_source(client_for, inspector, township_a):
    client = client_for(inspector)
    response = client.post(
        reverse("enforcement:case_create"), {"township": township_a.pk, "source": "tip", "title": "x"}
    )
    assert response.status_code == 200 and not Case.objects.exists()
    response = client.post(
        reverse("enforcement:case_create"),
        {"township": township_a.pk, "source": "drug_ledger", "title": "药店违规销售米非司酮"},
    )
    case = Case.objects.get()
    assert response["Location"] == case.get_absolute_url()
    assert case.events.get().to_status == "received"


def step(client, case, to, **data):
    return client.post(reverse("enforcement:case_step", args=[case.pk, to]), {"expected": case.status, **data})


def test_steps_through_the_pages_record_events(client_for, inspector, township_a):
    case = make_case(township=township_a, by=inspector)
    client = client_for(inspector)
    assert step(client, case, "preliminary", reason="电话核实").status_code == 302
    case.refresh_from_db()
    assert case.status == "preliminary"
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.from_status, event.to_status, event.by, event.reason) == (
        "received",
        "preliminary",
        inspector,
        "电话核实",
    )
    html = client.get(case.get_absolute_url()).content.decode()
    assert 'data-to="preliminary"' in html and "电话核实" in html
    assert 'data-testid="step-filed"' in html and 'data-testid="step-not_filed"' in html


def test_an_illegal_step_is_refused_with_a_message(client_for, inspector, township_a):
    case = make_case(township=township_a, by=inspector)
    client = client_for(inspector)
    page = client.get(reverse("enforcement:case_step", args=[case.pk, "closed"]))
    assert page.status_code == 409 and "流程不允许转为“结案”" in page.content.decode()
    response = step(client, case, "closed", reason="想直接结案")
    assert "流程不允许转为“结案”" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "received" and case.events.count() == 1
    assert client.get(reverse("enforcement:case_step", args=[case.pk, "nonsense"])).status_code == 404


def test_a_stale_page_is_refused_with_a_message(client_for, inspector, township_a):
    case = make_case(township=township_a, by=inspector)
    client = client_for(inspector)
    stale_status = case.status
    step(client, case, "preliminary")
    response = client.post(
        reverse("enforcement:case_step", args=[case.pk, "not_filed"]), {"expected": stale_status, "reason": "误登记"}
    )
    assert "刚刚已由" in response.content.decode() and 'value="误登记"' not in response.content.decode()
    assert "误登记" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "preliminary"


def test_not_filing_needs_a_reason_on_the_page(client_for, inspector, township_a):
    case = make_case(township=township_a, by=inspector)
    response = step(client_for(inspector), case, "not_filed", reason="")
    assert "必须写明理由" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "received"


def test_decision_page_records_the_outcome(client_for, inspector, township_a):
    case = make_case(township=township_a, by=inspector, status="investigating")
    client = client_for(inspector)
    response = step(client, case, "decided", decision_number="")
    assert "请填写处理决定书文号" in response.content.decode()
    response = step(
        client,
        case,
        "decided",
        decision_number="X卫罚〔2026〕3号",
        outcome_warning="on",
        fine_amount="15000",
        reason="当事人已陈述申辩",
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.fine_amount, case.outcome_warning) == ("decided", 15000, True)
    assert "罚款 15,000.00 元" in client.get(case.get_absolute_url()).content.decode()


def test_referral_page_needs_the_department(client_for, inspector, township_a):
    case = make_case(township=township_a, by=inspector, status="investigating")
    client = client_for(inspector)
    assert "请选择移送的部门" in step(client, case, "referred", reason="涉嫌犯罪").content.decode()
    assert step(client, case, "referred", reason="涉嫌犯罪", referral_department="discipline").status_code == 302
    case.refresh_from_db()
    assert case.referred_to_discipline and case.status == "referred"


def test_closed_case_offers_no_steps_and_no_edits(client_for, inspector, township_a):
    case = make_case(township=township_a, by=inspector, status="closed")
    html = client_for(inspector).get(case.get_absolute_url()).content.decode()
    assert 'data-testid="next-steps"' not in html and 'data-testid="add-evidence"' not in html


def test_case_edit_is_versioned(client_for, inspector, township_a):
    case = make_case(township=township_a, by=inspector)
    client = client_for(inspector)
    url = reverse("enforcement:case_edit", args=[case.pk])
    data = {"township": township_a.pk, "title": "新案由", "version": case.version}
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "title": "另一人改"})
    assert "已被他人修改" in response.content.decode()
    case.refresh_from_db()
    assert case.title == "新案由"


def test_parties_are_facilities_from_the_registry_or_people(client_for, inspector, township_a):
    case = make_case(township=township_a, by=inspector)
    facility = FacilityFactory(township=township_a, name="某某诊所")
    client = client_for(inspector)
    url = reverse("enforcement:party_create", args=[case.pk])
    assert "请从定点机构名录中选择机构" in client.post(url, {"kind": "facility", "role": "performer"}).content.decode()
    assert "请填写当事人姓名" in client.post(url, {"kind": "person", "role": "intermediary"}).content.decode()
    assert (
        "校验位"
        in client.post(
            url, {"kind": "person", "role": "intermediary", "name": "李某", "id_number": "110105194912310021"}
        ).content.decode()
    )
    assert client.post(url, {"kind": "facility", "role": "performer", "facility": facility.pk}).status_code == 302
    assert (
        client.post(
            url, {"kind": "person", "role": "intermediary", "name": "李某", "id_number": "11010519491231002x"}
        ).status_code
        == 302
    )
    parties = list(CaseParty.objects.filter(case=case).order_by("id"))
    assert [(p.display_name, p.id_number) for p in parties] == [("某某诊所", ""), ("李某", "11010519491231002X")]
    list_html = client.get(reverse("enforcement:case_list")).content.decode()
    assert "110105********002X" in list_html and "11010519491231002X" not in list_html
    assert case.number in client.get(facility.get_absolute_url()).content.decode()


def test_no_party_role_targets_a_pregnant_woman_or_her_family():
    from enforcement.models import PartyRole

    labels = " ".join(str(label) for label in PartyRole.labels)
    for word in ("孕妇", "家属", "家庭", "丈夫", "妻子"):
        assert word not in labels


# --- inspections --------------------------------------------------------------------------------
def test_inspection_is_recorded_and_can_open_a_case(client_for, inspector, township_a):
    from tests.factories import UserFactory

    colleague = UserFactory(role="inspector", name="钱进")
    facility = FacilityFactory(township=township_a, name="城关诊所")
    client = client_for(inspector)
    url = reverse("enforcement:inspection_create") + f"?facility={facility.pk}"
    base = {"facility": facility.pk, "inspected_on": timezone.localdate().isoformat(), "findings": "B超登记缺三天"}
    response = client.post(url, base)
    assert "请至少勾选一项检查内容" in response.content.decode()
    response = client.post(
        url, {**base, "checked_ultrasound_register": "on", "problems_found": "on", "inspectors": [colleague.pk]}
    )
    inspection = Inspection.objects.get()
    assert response["Location"] == inspection.get_absolute_url()
    assert set(inspection.inspectors.all()) == {inspector, colleague}
    assert inspection.township_id == township_a.pk

    response = client.post(
        reverse("enforcement:inspection_open_case", args=[inspection.pk]),
        {"township": township_a.pk, "source": "ultrasound_register", "title": "城关诊所B超登记不全"},
    )
    case = Case.objects.get()
    assert (case.inspection, case.source) == (inspection, "ultrasound_register")
    assert case.parties.get().facility == facility
    assert case.number in client.get(inspection.get_absolute_url()).content.decode()


def test_inspection_case_source_must_be_what_was_checked(client_for, inspector, township_a):
    facility = FacilityFactory(township=township_a)
    inspection = Inspection.objects.create(facility=facility, findings="x", checked_drug_ledger=True)
    response = client_for(inspector).post(
        reverse("enforcement:inspection_open_case", args=[inspection.pk]),
        {"township": township_a.pk, "source": "pregnancy_followup", "title": "x"},
    )
    assert response.status_code == 200 and not Case.objects.exists()


# --- home ---------------------------------------------------------------------------------------
def test_home_panel_counts_what_needs_doing(client_for, inspector, leader, township_a, settings):
    TipFactory(township=township_a, received_on=timezone.localdate() - 30 * DAY)
    TipFactory(township=township_a)
    case = make_case(township=township_a, by=inspector)
    Case.objects.filter(pk=case.pk).update(stage_due_on=timezone.localdate() - DAY)
    html = client_for(inspector).get(reverse("home")).content.decode()
    assert 'data-testid="enf-tips-pending" data-count="2"' in html
    assert 'data-testid="enf-tips-overdue" data-count="1"' in html
    assert 'data-testid="enf-cases-overdue" data-count="1"' in html
    assert 'data-testid="home-new-tip"' in html
    leader_html = client_for(leader).get(reverse("home")).content.decode()
    assert 'data-testid="enforcement-panel"' in leader_html and 'data-testid="home-new-tip"' not in leader_html
