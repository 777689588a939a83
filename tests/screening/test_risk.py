"""Risk assessment: rules as data propose factors and advice; the clinician confirms or edits."""
import pytest
from django.core.exceptions import ValidationError

from screening.models import RiskLevel, RiskRule, Screening
from screening.services.screenings import propose_factors, risk_assess

from .helpers import assessed, completed, start

pytestmark = pytest.mark.django_db


def descriptions(proposals):
    return [p["description"] for p in proposals]


def test_rubella_igg_negative_proposes_vaccination_and_a_3_month_wait(couple_a, clinician):
    screening = completed(couple_a, clinician, female__rubella_igg="neg")
    [proposal] = propose_factors(screening)
    assert proposal["domain"] == "infection" and "易感" in proposal["description"]
    assert "接种风疹疫苗" in proposal["advice"] and "3 个月" in proposal["advice"]


def test_hbsag_positive_proposes_referral_and_tsh_abnormal_thyroid_follow_up(couple_a, clinician):
    screening = completed(couple_a, clinician, male__hbsag="pos", female__tsh="6.2")
    proposals = propose_factors(screening)
    hbsag = next(p for p in proposals if "乙肝" in p["description"])
    tsh = next(p for p in proposals if "甲状腺" in p["description"])
    assert hbsag["subject"] == "male" and "转诊" in hbsag["advice"]
    assert tsh["domain"] == "chronic" and "甲状腺功能" in tsh["advice"]


def test_normal_results_propose_nothing(couple_a, clinician):
    assert propose_factors(completed(couple_a, clinician)) == []


def test_a_rule_switched_off_by_the_admin_proposes_nothing(couple_a, clinician):
    RiskRule.objects.filter(field__code="rubella_igg").update(is_active=False)
    assert propose_factors(completed(couple_a, clinician, female__rubella_igg="neg")) == []


def test_confirmed_factors_make_the_couple_high_risk_and_edits_are_kept(couple_a, clinician):
    screening = completed(couple_a, clinician, female__hb="95")
    [proposal] = propose_factors(screening)
    proposal["advice"] = "补充铁剂，一个月后复查"
    own = {"subject": "couple", "domain": "environment", "description": "丈夫从事油漆工作", "advice": "脱离接触 3 个月"}
    risk_assess(screening=screening, by=clinician, expected_version=screening.version, factors=[proposal, own])
    screening.refresh_from_db()
    assert screening.risk_level == RiskLevel.HIGH and screening.status == Screening.Status.ASSESSED
    assert screening.risk_factors.count() == 2
    assert "补充铁剂，一个月后复查" in screening.advice and "脱离接触" in screening.advice


def test_a_dropped_proposal_leaves_the_couple_general(couple_a, clinician):
    screening = completed(couple_a, clinician, female__rubella_igg="neg")
    risk_assess(screening=screening, by=clinician, expected_version=screening.version, factors=[])
    assert screening.risk_level == RiskLevel.GENERAL


def test_a_draft_cannot_be_assessed(couple_a, clinician):
    screening = start(couple_a, clinician)
    with pytest.raises(ValidationError):
        risk_assess(screening=screening, by=clinician, expected_version=screening.version, factors=[])


def test_a_factor_without_a_domain_is_refused(couple_a, clinician):
    screening = completed(couple_a, clinician)
    with pytest.raises(ValidationError):
        risk_assess(screening=screening, by=clinician, expected_version=screening.version,
                    factors=[{"subject": "female", "domain": "", "description": "x"}])
    screening.refresh_from_db()
    assert screening.status == Screening.Status.COMPLETE


def test_helper_high_risk_screening_is_high(couple_a, clinician):
    assert assessed(couple_a, clinician, high=True).risk_level == RiskLevel.HIGH
