"""Structured results: range flagging, clinician override with a reason, plausible-range refusal,
draft and finish, one screening per planned child, consent before the exam."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.records import ConcurrentEdit
from screening.models import ResultField, Screening, ScreeningResult
from screening.judging import judge
from screening.services.screenings import results_save, screening_start, screening_void

from .helpers import completed, full_values, start

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def field(code):
    return ResultField.objects.get(code=code)


@pytest.mark.parametrize("value,abnormal", [("130", False), ("115", False), ("114", True), ("151", True)])
def test_a_number_is_flagged_from_its_range(value, abnormal):
    assert judge(field("hb"), "female", number=value)["auto_abnormal"] is abnormal


@pytest.mark.parametrize("code,value,abnormal", [
    ("hbsag", "neg", False), ("hbsag", "pos", True), ("rubella_igg", "pos", False), ("rubella_igg", "neg", True),
    ("vag_clean", "2", False), ("vag_clean", "3", True), ("rh", "neg", True), ("abo", "AB", False),
    ("us_result", "0", True), ("syphilis", "doubt", True),
])
def test_choices_are_flagged_by_their_normal_values(code, value, abnormal):
    assert judge(field(code), "female", choice=value)["auto_abnormal"] is abnormal


def test_an_implausible_result_is_quoted_in_plain_digits():
    """Hb 900 g/L was quoted as "9E+2" (a normalised Decimal)."""
    with pytest.raises(ValidationError) as error:
        judge(field("hb"), "female", number="900")
    assert "血红蛋白" in error.value.messages[0] and " 900 g/L" in error.value.messages[0]
    assert "E+" not in error.value.messages[0]


def test_text_is_never_flagged():
    assert judge(field("us_text"), "female", text="子宫肌瘤 2cm")["auto_abnormal"] is None


def test_an_implausible_value_is_refused_with_the_range():
    with pytest.raises(ValidationError) as error:
        judge(field("hb"), "female", number="900")
    assert "超出可信范围" in error.value.messages[0] and "20–250" in error.value.messages[0]


def test_garbage_and_unknown_choices_are_refused():
    with pytest.raises(ValidationError):
        judge(field("hb"), "female", number="abc")
    with pytest.raises(ValidationError):
        judge(field("hbsag"), "female", choice="maybe")


def test_hb_900_refuses_the_whole_save_and_writes_nothing(couple_a, clinician):
    screening = start(couple_a, clinician)
    with pytest.raises(ValidationError) as error:
        results_save(screening=screening, by=clinician, expected_version=screening.version,
                     values=full_values(screening, female__hb="900"))
    assert "female__hb" in error.value.message_dict
    assert not ScreeningResult.objects.filter(screening=screening).exists()
    screening.refresh_from_db()
    assert screening.version == 1 and screening.status == Screening.Status.DRAFT


def test_abnormal_but_plausible_is_accepted_and_flagged(couple_a, clinician):
    screening = completed(couple_a, clinician, female__hb="92")
    hb = ScreeningResult.objects.get(screening=screening, field__code="hb")
    assert hb.is_abnormal and hb.auto_abnormal and hb.unit == "g/L" and hb.ref_high == 150


def test_override_needs_a_reason_and_then_wins(couple_a, clinician):
    screening = start(couple_a, clinician)
    values = full_values(screening, female__hb="113")
    values["female__hb"]["flag"] = "normal"
    with pytest.raises(ValidationError) as error:
        results_save(screening=screening, by=clinician, expected_version=screening.version, values=values)
    assert "female__hb__reason" in error.value.message_dict
    values["female__hb"]["reason"] = "妊娠前生理性轻度降低，复查正常"
    results_save(screening=screening, by=clinician, expected_version=screening.version, values=values)
    hb = ScreeningResult.objects.get(screening=screening, field__code="hb")
    assert hb.auto_abnormal is True and hb.is_abnormal is False and hb.overridden and "复查" in hb.override_reason


def test_a_draft_keeps_what_was_typed_and_finish_needs_every_item(couple_a, clinician):
    screening = start(couple_a, clinician)
    results_save(screening=screening, by=clinician, expected_version=screening.version,
                 values={"female__hb": {"value": "128"}})
    assert screening.status == Screening.Status.DRAFT
    assert ScreeningResult.objects.get(screening=screening).value_number == 128
    with pytest.raises(ValidationError) as error:
        results_save(screening=screening, by=clinician, expected_version=screening.version,
                     values={"female__hb": {"value": "128"}}, finish=True)
    assert "female__tsh" in error.value.message_dict and "male__alt" in error.value.message_dict
    results_save(screening=screening, by=clinician, expected_version=screening.version,
                 values=full_values(screening), finish=True)
    assert screening.status == Screening.Status.COMPLETE


def test_a_stale_form_does_not_overwrite(couple_a, clinician):
    screening = start(couple_a, clinician)
    results_save(screening=screening, by=clinician, expected_version=1, values={"female__hb": {"value": "128"}})
    with pytest.raises(ConcurrentEdit):
        results_save(screening=screening, by=clinician, expected_version=1, values={"female__hb": {"value": "99"}})
    assert ScreeningResult.objects.get(screening=screening).value_number == 128


def test_one_screening_per_planned_child_unless_voided(couple_a, clinician):
    first = start(couple_a, clinician)
    with pytest.raises(ValidationError) as error:
        start(couple_a, clinician)
    assert "同一孩次只能检查一次" in error.value.message_dict["planned_child_order"][0]
    screening_void(screening=first, by=clinician, reason="录入错误")
    second = start(couple_a, clinician)
    first.refresh_from_db()
    assert second.is_current and not first.is_current and first.is_void


def test_a_screening_for_the_next_child_is_allowed(couple_a, clinician):
    start(couple_a, clinician, exam_date=timezone.localdate() - 400 * DAY)
    later = start(couple_a, clinician, order=couple_a.boys + couple_a.girls + 2)
    assert later.is_current and Screening.objects.filter(couple=couple_a, is_current=True).count() == 1


def test_consent_must_be_signed_before_the_exam(couple_a, clinician):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        screening_start(couple=couple_a, by=clinician, exam_date=today - DAY, consent="both", consent_on=today)
    assert "consent_on" in error.value.message_dict


def test_a_couple_not_in_the_register_joins_it_with_the_stated_intention(village_a, clinician):
    from tests.factories import CoupleFactory

    couple = CoupleFactory(household__village=village_a)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        screening_start(couple=couple, by=clinician, exam_date=today, consent="both", consent_on=today)
    assert "planned_timing" in error.value.message_dict
    screening_start(couple=couple, by=clinician, exam_date=today, consent="both", consent_on=today,
                    planned_timing="1")
    couple.refresh_from_db()
    assert couple.in_register and couple.planned_timing == "1"


def test_results_are_locked_after_assessment(couple_a, clinician):
    from .helpers import assessed

    screening = assessed(couple_a, clinician)
    with pytest.raises(ValidationError):
        results_save(screening=screening, by=clinician, expected_version=screening.version,
                     values=full_values(screening))
