"""Every abnormal result proposes a risk factor, or the catalogue says why not: completeness is
a property of the whole catalogue, tested over it (a field added later without a rule fails)."""
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from screening.models import ResultField, RiskRule, ScreeningItem
from screening.selectors.catalogue import abnormal_conditions, rule_table_markdown, uncovered_conditions
from screening.services.screenings import no_factor_notes, propose_factors

from .helpers import completed

pytestmark = pytest.mark.django_db
DOC = Path(__file__).resolve().parents[2] / "docs" / "screening-rules.md"


def test_every_abnormal_condition_of_the_seeded_catalogue_meets_a_rule_or_a_stated_reason():
    gaps = uncovered_conditions()
    assert gaps == [], "\n".join(map(str, gaps))


def test_the_walk_covers_every_judgeable_field_of_the_catalogue():
    """The property is not vacuous: every number with a range and every choice with an abnormal
    option yields conditions (both spouses where the item is for both)."""
    fields = ResultField.objects.filter(is_active=True).select_related("item")
    judgeable = [f for f in fields if f.kind == "number" or set(map(str, f.normal_values)) != {
        str(c) for c, _l in f.choices}]
    assert len(judgeable) == 42  # the seeded catalogue: 14 numbers, 28 choices with an abnormal option
    for field in judgeable:
        assert abnormal_conditions(field), field.code
    subjects = {c.subject for c in abnormal_conditions(ResultField.objects.get(code="dbp"))}
    assert subjects == {"female", "male"}


def test_a_number_field_added_without_a_rule_is_reported_until_a_rule_covers_it():
    item = ScreeningItem.objects.get(number=8)
    field = ResultField.objects.create(item=item, code="hba1c", name="糖化血红蛋白", kind="number", unit="%",
                                       decimals=1, ref_low="4.0", ref_high="6.0", plausible_low="2",
                                       plausible_high="20")
    assert {(c.field.code, c.what) for c in uncovered_conditions()} == {("hba1c", "low"), ("hba1c", "high")}
    with pytest.raises(CommandError):
        call_command("screening_rules", stdout=open("/dev/null", "w"))
    RiskRule.objects.create(field=field, when="high", domain="chronic", factor="糖化血红蛋白升高", advice="内分泌科就诊。")
    assert [(c.field.code, c.what) for c in uncovered_conditions()] == [("hba1c", "low")]
    RiskRule.objects.create(field=field, when="low", no_factor_reason="偏低没有临床意义。")
    assert uncovered_conditions() == []


def test_a_choice_added_without_a_rule_for_one_abnormal_option_is_reported():
    item = ScreeningItem.objects.get(number=4)
    field = ResultField.objects.create(item=item, code="vag_hpv", name="HPV", kind="choice",
                                       choices=[["neg", "阴性"], ["low", "低危型"], ["high", "高危型"]],
                                       normal_values=["neg"])
    RiskRule.objects.create(field=field, when="equals", value="high", domain="infection", factor="HPV 高危型",
                            advice="妇科就诊。")
    assert [(c.field.code, c.what) for c in uncovered_conditions()] == [("vag_hpv", "= low")]


def test_an_inactive_rule_does_not_cover():
    RiskRule.objects.filter(field__code="plt", when="low").update(is_active=False)
    assert [(c.field.code, c.what) for c in uncovered_conditions()] == [("plt", "low")]


def test_a_rule_proposes_a_factor_or_states_why_not():
    field = ResultField.objects.get(code="glu")
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskRule.objects.create(field=field, when="low")  # neither a factor nor a reason


@pytest.mark.parametrize("overrides, factor", [
    ({"female__dbp": "100"}, "血压偏高"),
    ({"male__dbp": "95"}, "血压偏高"),
    ({"female__plt": "40"}, "血小板减少"),
    ({"female__wbc": "12.0"}, "白细胞计数异常（需复查）"),
    ({"female__rbc": "3.10"}, "红细胞计数异常（需复查）"),
    ({"female__u_pro": "3+"}, "尿蛋白阳性（肾脏疾病待查）"),
    ({"male__u_glu": "1+"}, "尿糖阳性（糖尿病待查）"),
    ({"female__u_bld": "2+"}, "尿潜血阳性（需复查）"),
    ({"female__u_leu": "+-"}, "尿白细胞阳性（泌尿系感染待查）"),
    ({"male__hbeag": "pos"}, "乙肝 e 抗原阳性（传染性强）"),
    ({"female__vag_gono": "pos"}, "淋球菌感染（生殖道感染）"),
    ({"female__vag_chlam": "pos"}, "沙眼衣原体感染（生殖道感染）"),
    ({"male__genital": "0"}, "生殖系统检查异常"),
    ({"female__neut_pct": "80.5"}, "白细胞分类异常（需复查）"),
])
def test_the_reviews_abnormal_results_now_propose_their_factor(couple_a, clinician, overrides, factor):
    screening = completed(couple_a, clinician, **overrides)
    subject = next(iter(overrides)).split("__")[0]
    assert [(p["subject"], p["description"]) for p in propose_factors(screening)] == [(subject, factor)]


def test_findings_of_one_factor_make_one_proposal_naming_each(couple_a, clinician):
    screening = completed(couple_a, clinician, female__vag_clue="pos", female__vag_amine="pos",
                          female__vag_ph="gt45")
    [proposal] = propose_factors(screening)
    assert proposal["description"] == "细菌性阴道病"
    assert proposal["evidence"].count("；") == 2 and "胺试验" in proposal["evidence"]


def test_a_no_factor_entry_proposes_nothing_and_gives_its_reason(couple_a, clinician):
    screening = completed(couple_a, clinician, female__alt="5", male__sbp="85")
    assert propose_factors(screening) == []
    notes = no_factor_notes(screening)
    assert [(n["subject"], n["evidence"].split()[0]) for n in notes] == [("male", "收缩压"), ("female", "丙氨酸氨基转移酶")]
    assert all(n["reason"] for n in notes)


def test_the_assessment_page_shows_the_no_factor_reason(client_for, couple_a, clinician):
    screening = completed(couple_a, clinician, female__u_ket="1+")
    page = client_for(clinician).get(reverse("screening:assess", args=[screening.pk]))
    assert page.status_code == 200
    assert "尿酮体阳性多因空腹" in page.content.decode()


def test_the_docs_table_is_the_catalogues(settings):
    doc = DOC.read_text(encoding="utf-8")
    assert rule_table_markdown() in doc, "docs/screening-rules.md: run `manage.py screening_rules --markdown`"


def test_admin_refuses_a_rule_with_neither_a_factor_nor_a_reason(client_for, admin_user):
    field = ResultField.objects.get(code="glu")
    page = client_for(admin_user).post(reverse("admin:screening_riskrule_add"), {
        "field": field.pk, "when": "low", "value": "", "domain": "", "factor": "", "advice": "",
        "no_factor_reason": "", "is_active": "on", "sort_order": 0})
    assert page.status_code == 200  # the form again, not a 500
    assert "不提出风险因素时请填写理由" in page.content.decode()
    assert not RiskRule.objects.filter(field=field, when="low", no_factor_reason="").exists()
    page = client_for(admin_user).post(reverse("admin:screening_riskrule_add"), {
        "field": field.pk, "when": "low", "value": "", "domain": "", "factor": "", "advice": "",
        "no_factor_reason": "偏低时复查即可。", "is_active": "on", "sort_order": 0})
    assert page.status_code == 302


def test_the_catalogue_admin_warns_of_an_uncovered_result(client_for, admin_user):
    client = client_for(admin_user)
    page = client.get(reverse("admin:screening_riskrule_changelist"))
    assert "没有风险评估规则" not in page.content.decode()
    ResultField.objects.create(item=ScreeningItem.objects.get(number=8), code="hba1c", name="糖化血红蛋白",
                               kind="number", unit="%", ref_low="4.0", ref_high="6.0", plausible_low="2",
                               plausible_high="20")
    for name in ("riskrule", "resultfield", "screeningitem"):
        html = client.get(reverse(f"admin:screening_{name}_changelist")).content.decode()
        assert "2 种异常结果没有风险评估规则" in html and "糖化血红蛋白（女方）低于下限" in html, name
