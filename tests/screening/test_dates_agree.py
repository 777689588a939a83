"""Dates that must agree: outcomes and gestational weeks against the LMP (with the stated
tolerance), prenatal screening windows against the LMP's gestation, nothing for a pregnancy after
its outcome, no future date for what has happened. Each refusal writes nothing."""
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from screening.models import OutcomeFollowUp, PrenatalScreening
from screening.services.followups import (
    early_follow_up_record, outcome_follow_up_record, prenatal_diagnosis_record, prenatal_screening_record,
)
from screening.services.screenings import screening_start

from .helpers import DAY, assessed, pregnant

pytestmark = pytest.mark.django_db
TOL = settings.SCREENING_WINDOWS["lmp_tolerance"]


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture
def pregnancy(couple_a, clinician, today):
    """An assessed screening whose pregnancy began 400 days ago (LMP), found on day 50."""
    screening = assessed(couple_a, clinician, exam_date=today - 500 * DAY)
    lmp = today - 400 * DAY
    pregnant(screening, clinician, lmp=lmp, followed_on=lmp + 50 * DAY)
    screening.refresh_from_db()
    return screening, lmp


def outcome(screening, clinician, today, **kw):
    defaults = dict(followed_on=today, result="1", outcome="normal", infant_sex="1", place="县妇幼保健院",
                    method="vaginal")
    return outcome_follow_up_record(screening=screening, by=clinician, **(defaults | kw))


# (case, outcome kwargs as (days after LMP for the delivery, weeks, outcome, weight), refused field or None)
OUTCOMES = [
    ("the review's case: 39 weeks and 3,300 g at 70 days", (70, 39, "normal", 3300), "gestational_weeks"),
    ("a normal delivery at 70 days, no weeks written", (70, None, "normal", 3300), "delivery_date"),
    ("39 weeks at 39+2 by the LMP", (275, 39, "normal", 3300), None),
    ("weeks 39: LMP gives 36+6, exactly the tolerance below 39+0", (39 * 7 - TOL, 39, "normal", 3300), None),
    ("weeks 39: LMP gives one day less than the tolerance allows", (39 * 7 - TOL - 1, 39, "normal", 3300),
     "gestational_weeks"),
    ("weeks 39: LMP gives 41+6, exactly the tolerance above 39+6", (39 * 7 + 6 + TOL, 39, "normal", 3300), None),
    ("weeks 39: one day past the tolerance above", (39 * 7 + 7 + TOL, 39, "normal", 3300), "gestational_weeks"),
    ("a miscarriage at 10 weeks", (70, 10, "miscarriage", None), None),
    ("a miscarriage written at 30 weeks", (210, 30, "miscarriage", None), "gestational_weeks"),
    ("a birth at 27 weeks written", (27 * 7 + 3, 27, "stillbirth", None), "gestational_weeks"),
    ("a birth at 28 weeks written", (28 * 7 + 3, 28, "preterm", 1200), None),
    ("preterm at 37 weeks written", (37 * 7 + 1, 37, "preterm", 2800), "gestational_weeks"),
    ("preterm at 36 weeks written", (36 * 7 + 1, 36, "preterm", 2800), None),
    ("normal at 36 weeks written", (36 * 7 + 1, 36, "normal", 2800), "gestational_weeks"),
    ("low birth weight of 2,500 g", (275, 39, "low_weight", 2500), "birth_weight_g"),
    ("low birth weight of 2,499 g", (275, 39, "low_weight", 2499), None),
    ("macrosomia of 3,999 g", (275, 39, "macrosomia", 3999), "birth_weight_g"),
    ("macrosomia of 4,000 g", (275, 39, "macrosomia", 4000), None),
    ("a delivery 46 weeks after the LMP", (46 * 7 + TOL + 1, None, "normal", 3300), "delivery_date"),
    ("a delivery in the future", (401, 39, "normal", 3300), "delivery_date"),
]


@pytest.mark.parametrize("case, spec, refused", OUTCOMES, ids=[c[0] for c in OUTCOMES])
def test_outcome_dates_agree_with_the_lmp(pregnancy, clinician, today, case, spec, refused):
    screening, lmp = pregnancy
    days, weeks, kind, weight = spec
    kw = dict(outcome=kind, delivery_date=lmp + days * DAY, gestational_weeks=weeks, birth_weight_g=weight)
    if refused is None:
        outcome(screening, clinician, today, **kw)
        assert OutcomeFollowUp.objects.filter(screening=screening).count() == 1
        return
    with pytest.raises(ValidationError) as error:
        outcome(screening, clinician, today, **kw)
    assert list(error.value.message_dict) == [refused], error.value.message_dict
    assert not OutcomeFollowUp.objects.filter(screening=screening).exists()


def test_outcome_refusal_names_both_weeks(pregnancy, clinician, today):
    screening, lmp = pregnancy
    with pytest.raises(ValidationError) as error:
        outcome(screening, clinician, today, delivery_date=lmp + 70 * DAY, gestational_weeks=39, birth_weight_g=3300)
    message = error.value.message_dict["gestational_weeks"][0]
    assert "39 周" in message and "10+0" in message and lmp.isoformat() in message


@pytest.fixture
def early_pregnancy(couple_a, clinician, today):
    """A pregnancy whose LMP was 15 weeks ago (serum window now; NT window 2–4 weeks ago)."""
    screening = assessed(couple_a, clinician, exam_date=today - 200 * DAY)
    lmp = today - 105 * DAY
    pregnant(screening, clinician, lmp=lmp, followed_on=lmp + 40 * DAY)
    screening.refresh_from_db()
    return screening, lmp


def prenatal(screening, clinician, *, test, tested_on, ga_days, result="low"):
    return prenatal_screening_record(screening=screening, by=clinician, test=test, tested_on=tested_on,
                                     gestational_weeks=ga_days // 7, gestational_days=ga_days % 7, result=result)


# (case, test, days after the LMP of the test, written gestation in days, refused field or None)
WINDOWS = [
    ("NT at 11+0 by LMP and written", "nt", 77, 77, None),
    ("NT written 11+0, LMP says 10+0 (exactly the window tolerance early)", "nt", 70, 77, None),
    ("NT written 11+0, LMP says 9+6 (a day more)", "nt", 69, 77, "tested_on"),
    ("NT written 13+6, LMP says 14+6 (the tolerance late)", "nt", 104, 97, None),
    ("NT written 13+6, LMP says 15+0", "nt", 105, 97, "tested_on"),
    ("NT written 10+6: outside the window", "nt", 76, 76, "gestational_weeks"),
    ("serum at 15+0", "serum", 105, 105, None),
    ("serum written 16+0, LMP says 15+0: within 14 days", "serum", 105, 112, None),
    ("serum written 17+1, LMP 15+0: 15 days apart", "serum", 105, 120, "gestational_weeks"),
]


@pytest.mark.parametrize("case, test, on_day, ga, refused", WINDOWS, ids=[c[0] for c in WINDOWS])
def test_prenatal_windows_agree_with_the_lmp(early_pregnancy, clinician, case, test, on_day, ga, refused):
    screening, lmp = early_pregnancy
    if refused is None:
        prenatal(screening, clinician, test=test, tested_on=lmp + on_day * DAY, ga_days=ga)
        return
    with pytest.raises(ValidationError) as error:
        prenatal(screening, clinician, test=test, tested_on=lmp + on_day * DAY, ga_days=ga)
    assert list(error.value.message_dict) == [refused], error.value.message_dict
    assert not PrenatalScreening.objects.filter(screening=screening).exists()


def test_nothing_for_a_pregnancy_after_its_outcome(early_pregnancy, clinician, today):
    """The review's case: a prenatal screening and a prenatal diagnosis after the pregnancy ended."""
    screening, lmp = early_pregnancy
    nt = prenatal(screening, clinician, test="nt", tested_on=lmp + 80 * DAY, ga_days=80, result="high")
    end = lmp + 90 * DAY
    outcome(screening, clinician, today, outcome="miscarriage", delivery_date=end, gestational_weeks=12,
            infant_sex="", place="", method="")
    with pytest.raises(ValidationError) as error:
        prenatal(screening, clinician, test="serum", tested_on=lmp + 105 * DAY, ga_days=105)
    assert end.isoformat() in error.value.message_dict["tested_on"][0]
    with pytest.raises(ValidationError) as error:
        prenatal_diagnosis_record(prenatal=nt, by=clinician, diagnosis_on=end + DAY, method="羊水穿刺", result="normal")
    assert "结束" in error.value.message_dict["diagnosis_on"][0]
    nt.refresh_from_db()
    assert nt.diagnosis_result == "" and PrenatalScreening.objects.filter(screening=screening).count() == 1
    prenatal_diagnosis_record(prenatal=nt, by=clinician, diagnosis_on=end, method="羊水穿刺", result="normal")


def test_an_outcome_before_the_pregnancys_prenatal_screening_is_refused(early_pregnancy, clinician, today):
    screening, lmp = early_pregnancy
    prenatal(screening, clinician, test="nt", tested_on=lmp + 80 * DAY, ga_days=80)
    with pytest.raises(ValidationError) as error:
        outcome(screening, clinician, today, outcome="miscarriage", delivery_date=lmp + 75 * DAY,
                gestational_weeks=10, infant_sex="", place="", method="")
    assert "产前筛查" in error.value.message_dict["delivery_date"][0]


# (service, the date field, what is written) — no date in the future for what has happened.
def test_no_future_dates_for_what_has_happened(couple_a, clinician, early_pregnancy, today):
    screening, lmp = early_pregnancy
    tomorrow = today + DAY
    cases = [
        (lambda: screening_start(couple=couple_a, by=clinician, exam_date=tomorrow, consent="both",
                                 consent_on=today, planned_child_order=5), "exam_date"),
        (lambda: screening_start(couple=couple_a, by=clinician, exam_date=today, consent="both",
                                 consent_on=tomorrow, planned_child_order=5), "consent_on"),
        (lambda: prenatal(screening, clinician, test="serum", tested_on=tomorrow, ga_days=106), "tested_on"),
        (lambda: outcome(screening, clinician, today, followed_on=tomorrow, delivery_date=today, outcome="preterm",
                         gestational_weeks=15), "followed_on"),
        (lambda: outcome(screening, clinician, today, delivery_date=tomorrow, outcome="miscarriage",
                         gestational_weeks=15), "delivery_date"),
    ]
    for call, field in cases:
        with pytest.raises(ValidationError) as error:
            call()
        assert field in error.value.message_dict, (field, error.value.message_dict)
    serum = prenatal(screening, clinician, test="serum", tested_on=today, ga_days=105, result="high")
    with pytest.raises(ValidationError) as error:
        prenatal_diagnosis_record(prenatal=serum, by=clinician, diagnosis_on=tomorrow, method="", result="normal")
    assert "diagnosis_on" in error.value.message_dict


def test_an_early_follow_up_in_the_future_or_an_lmp_after_it_is_refused(couple_a, clinician, today):
    screening = assessed(couple_a, clinician, exam_date=today - 60 * DAY)
    with pytest.raises(ValidationError) as error:
        early_follow_up_record(screening=screening, by=clinician, followed_on=today + DAY, result="2")
    assert "followed_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        early_follow_up_record(screening=screening, by=clinician, followed_on=today, result="1", lmp=today + DAY)
    assert "lmp" in error.value.message_dict


@pytest.mark.parametrize("exam_date, message", [
    ("0001-01-01", "检查日期不能早于"),
    ("1899-12-31", "检查日期不能早于"),
    ("2999-01-01", "检查日期不能晚于今天"),
])
def test_the_start_form_refuses_an_implausible_exam_date(client_for, couple_a, clinician, exam_date, message):
    from django.urls import reverse

    from screening.models import Screening

    page = client_for(clinician).post(reverse("screening:screening_start", args=[couple_a.pk]), {
        "exam_date": exam_date, "consent": "both", "consent_on": exam_date, "planned_child_order": 1,
        "facility": "县妇幼保健计划生育服务中心"})
    assert page.status_code == 200
    html = page.content.decode()
    assert message in html and f'value="{exam_date}"' in html
    assert not Screening.objects.filter(couple=couple_a).exists()


def test_the_follow_up_forms_refuse_a_future_date():
    from screening.forms.followups import DiagnosisForm, OutcomeForm, PrenatalForm

    future = "2999-01-01"
    assert "followed_on" in OutcomeForm({"followed_on": future, "result": "3"}).errors
    assert "delivery_date" in OutcomeForm({"followed_on": "2020-01-01", "result": "1",
                                           "delivery_date": future}).errors
    assert "tested_on" in PrenatalForm({"test": "nt", "tested_on": future, "gestational_weeks": 12,
                                        "gestational_days": 0, "result": "low"}).errors
    assert "diagnosis_on" in DiagnosisForm({"diagnosis_on": "0001-01-01", "diagnosis_result": "normal"}).errors
