"""The pathway: follow-up due dates from the windows (settings), one pregnancy across the
household's visits and the early follow-up, prenatal windows, and the queue's order and steps."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from households.models import FollowUpVisit
from households.services.visits import visit_record
from screening.models import PrenatalScreening, Screening
from screening.selectors.queue import Step, couple_pathway, pathway_queue
from screening.selectors.screenings import couple_pregnancies, couple_screenings
from screening.services.followups import (
    early_follow_up_record, outcome_follow_up_record, prenatal_diagnosis_record, prenatal_screening_record,
)

from ..factories import RegisterCoupleFactory
from .helpers import assessed, completed, pregnant, start

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


def step_of(couple, today):
    row = couple_pathway(couple_id=couple.pk, today=today)
    return row.step, row.due_on


def test_intention_couple_is_due_for_screening_within_the_invite_window(couple_a, clerk_a, today):
    from ..factories import IntentionSurveyFactory

    IntentionSurveyFactory(couple=couple_a, surveyor=clerk_a, surveyed_on=today - 10 * DAY)
    assert step_of(couple_a, today) == (Step.SCREEN, today + 50 * DAY)


def test_couple_not_planning_within_a_year_is_not_in_the_queue(village_a, clerk_a, today):
    couple = RegisterCoupleFactory(household__village=village_a, planned_timing="2")
    assert step_of(couple, today)[0] is None


def test_draft_complete_assess_advise_steps(couple_a, clinician, today):
    screening = start(couple_a, clinician, exam_date=today - 3 * DAY)
    assert step_of(couple_a, today) == (Step.COMPLETE, today + 11 * DAY)
    Screening.objects.filter(pk=screening.pk).update(status="complete")
    assert step_of(couple_a, today)[0] == Step.ASSESS


def test_high_risk_waits_for_advice_then_early_follow_up(couple_a, clinician, today):
    screening = assessed(couple_a, clinician, high=True, advised=False, exam_date=today - 2 * DAY)
    assert step_of(couple_a, today) == (Step.ADVISE, today + 7 * DAY)
    Screening.objects.filter(pk=screening.pk).update(advised_on=today)
    assert step_of(couple_a, today) == (Step.EARLY, today - 2 * DAY + 90 * DAY)


@override_settings(SCREENING_WINDOWS={**__import__("django.conf").conf.settings.SCREENING_WINDOWS, "early_first": 60})
def test_early_follow_up_window_is_a_setting(couple_a, clinician, today):
    assessed(couple_a, clinician, exam_date=today - 5 * DAY)
    assert step_of(couple_a, today) == (Step.EARLY, today + 55 * DAY)


def test_not_pregnant_repeats_then_closes_a_year_after_the_exam(couple_a, clinician, today):
    screening = assessed(couple_a, clinician, exam_date=today - 200 * DAY)
    early_follow_up_record(screening=screening, by=clinician, followed_on=today - 100 * DAY, result="2")
    assert step_of(couple_a, today) == (Step.EARLY, today - 10 * DAY)
    assert step_of(couple_a, today + 170 * DAY)[0] is None  # 370 days after the exam


def test_lost_to_follow_up_closes_the_pathway(couple_a, clinician, today):
    screening = assessed(couple_a, clinician, exam_date=today - 120 * DAY)
    early_follow_up_record(screening=screening, by=clinician, followed_on=today, result="3")
    assert step_of(couple_a, today)[0] is None


def test_pregnancy_moves_to_prenatal_then_outcome_with_due_dates(couple_a, clinician, today):
    screening = assessed(couple_a, clinician, exam_date=today - 100 * DAY)
    lmp = today - 60 * DAY
    pregnant(screening, clinician, lmp=lmp, followed_on=today - 5 * DAY)
    assert step_of(couple_a, today) == (Step.PRENATAL, lmp + 97 * DAY)
    # The serum window closes at 20+6 weeks: afterwards the outcome is next, due 14 days after the EDD.
    assert step_of(couple_a, lmp + 147 * DAY) == (Step.OUTCOME, lmp + 294 * DAY)


def test_a_high_risk_prenatal_result_waits_for_diagnosis(couple_a, clinician, today):
    screening = assessed(couple_a, clinician, exam_date=today - 150 * DAY)
    lmp = today - 85 * DAY
    pregnant(screening, clinician, lmp=lmp, followed_on=today - 30 * DAY)
    prenatal = prenatal_screening_record(screening=screening, by=clinician, test="nt", tested_on=today,
                                         gestational_weeks=12, gestational_days=1, result="high")
    assert step_of(couple_a, today) == (Step.DIAGNOSIS, today + 14 * DAY)
    prenatal_diagnosis_record(prenatal=prenatal, by=clinician, diagnosis_on=today, method="羊水穿刺", result="normal")
    assert step_of(couple_a, today)[0] == Step.OUTCOME


def test_prenatal_screening_outside_its_window_is_refused(couple_a, clinician, today):
    screening = assessed(couple_a, clinician, exam_date=today - 150 * DAY)
    lmp = today - 70 * DAY
    pregnant(screening, clinician, lmp=lmp, followed_on=today - 10 * DAY)
    with pytest.raises(ValidationError) as error:
        prenatal_screening_record(screening=screening, by=clinician, test="nt", tested_on=today,
                                  gestational_weeks=10, gestational_days=0, result="low")
    assert "11+0 至 13+6" in error.value.message_dict["gestational_weeks"][0]
    with pytest.raises(ValidationError) as error:  # in the window but not what the LMP says
        prenatal_screening_record(screening=screening, by=clinician, test="serum", tested_on=today,
                                  gestational_weeks=16, gestational_days=0, result="low")
    assert "相差超过 14 天" in error.value.message_dict["gestational_weeks"][0]
    assert not PrenatalScreening.objects.exists()


def test_delivered_closes_the_pathway_and_the_households_pregnancy(couple_a, clinician, today):
    screening = assessed(couple_a, clinician, exam_date=today - 400 * DAY)
    lmp = today - 300 * DAY
    pregnant(screening, clinician, lmp=lmp, followed_on=lmp + 50 * DAY)
    outcome_follow_up_record(screening=screening, by=clinician, followed_on=today, result="1", outcome="normal",
                             delivery_date=lmp + 275 * DAY, gestational_weeks=39, birth_weight_g=3300,
                             infant_sex="2", place="县妇幼保健院", method="vaginal")
    couple_a.refresh_from_db()
    assert step_of(couple_a, today)[0] is None and couple_a.pregnancy_status == "delivered"


def test_birth_weight_must_be_plausible(couple_a, clinician, today):
    screening = assessed(couple_a, clinician, exam_date=today - 400 * DAY)
    lmp = today - 300 * DAY
    pregnant(screening, clinician, lmp=lmp, followed_on=lmp + 50 * DAY)
    with pytest.raises(ValidationError) as error:
        outcome_follow_up_record(screening=screening, by=clinician, followed_on=today, result="1", outcome="normal",
                                 delivery_date=lmp + 275 * DAY, birth_weight_g=33000)
    assert "birth_weight_g" in error.value.message_dict


# --- one pregnancy, whoever records it first -----------------------------------------------------
def pregnant_visits(couple):
    return FollowUpVisit.objects.filter(couple=couple, is_void=False, pregnancy_status="pregnant")


def test_clerk_visit_first_then_early_follow_up_is_one_pregnancy(couple_a, clerk_a, clinician, today):
    screening = assessed(couple_a, clinician, exam_date=today - 120 * DAY)
    lmp = today - 50 * DAY
    visit = visit_record(couple=couple_a, by=clerk_a, visit_date=today - 5 * DAY, pregnancy_status="pregnant",
                         last_menstrual_period=lmp)
    # The household visit already makes the couple's next step the early follow-up, due within a week.
    assert step_of(couple_a, today) == (Step.EARLY, today + 2 * DAY)
    follow_up = pregnant(screening, clinician, lmp=lmp + 3 * DAY, followed_on=today)
    assert pregnant_visits(couple_a).count() == 1 and follow_up.pregnancy_visit_id == visit.pk
    screening.refresh_from_db()
    assert screening.pregnancy_visit_id == visit.pk and screening.pregnancy_lmp == lmp + 3 * DAY
    pregnancies = couple_pregnancies(couple_a, list(couple_screenings(couple_a)))
    assert len(pregnancies) == 1 and pregnancies[0]["screening"] == screening


def test_early_follow_up_first_records_the_pregnancy_on_the_households_visits(couple_a, clerk_a, clinician, today):
    screening = assessed(couple_a, clinician, exam_date=today - 120 * DAY)
    lmp = today - 50 * DAY
    follow_up = pregnant(screening, clinician, lmp=lmp, followed_on=today - 3 * DAY)
    couple_a.refresh_from_db()
    assert couple_a.pregnancy_status == "pregnant" and follow_up.pregnancy_visit.visitor == clinician
    # The clerk's later visit finds her still pregnant: the pathway still shows one pregnancy.
    visit_record(couple=couple_a, by=clerk_a, visit_date=today, pregnancy_status="pregnant", last_menstrual_period=lmp)
    pregnancies = couple_pregnancies(couple_a, list(couple_screenings(couple_a)))
    assert len(pregnancies) == 1 and len(pregnancies[0]["visits"]) == 2 and pregnancies[0]["screening"] == screening


def test_not_pregnant_is_refused_while_the_visits_say_pregnant(couple_a, clerk_a, clinician, today):
    screening = assessed(couple_a, clinician, exam_date=today - 120 * DAY)
    visit_record(couple=couple_a, by=clerk_a, visit_date=today - 5 * DAY, pregnancy_status="pregnant",
                 last_menstrual_period=today - 50 * DAY)
    with pytest.raises(ValidationError) as error:
        early_follow_up_record(screening=screening, by=clinician, followed_on=today, result="2")
    assert "随访记录显示已孕" in error.value.message_dict["result"][0]


# --- the queue ----------------------------------------------------------------------------------
def test_queue_puts_overdue_first_then_high_risk_then_earliest_due(village_a, clerk_a, clinician, today):
    def couple():
        return RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)

    general_soon = couple()
    assessed(general_soon, clinician, exam_date=today - 80 * DAY)  # early due in 10 days
    high_later = couple()
    assessed(high_later, clinician, exam_date=today - 10 * DAY, high=True)  # early due in 80 days
    overdue = couple()
    assessed(overdue, clinician, exam_date=today - 100 * DAY)  # early overdue by 10 days
    draft = couple()
    start(draft, clinician, exam_date=today - 1 * DAY)  # complete due in 13 days
    done = couple()
    s = assessed(done, clinician, exam_date=today - 120 * DAY)
    early_follow_up_record(screening=s, by=clinician, followed_on=today, result="3")
    order = [row.pk for row in pathway_queue(user=clerk_a, today=today)]
    assert order == [overdue.pk, high_later.pk, general_soon.pk, draft.pk]


def test_clerk_queue_is_the_township_and_clinician_filters_by_township(couple_a, couple_b, clerk_a, clinician, today):
    completed(couple_a, clinician)
    completed(couple_b, clinician)
    assert [r.pk for r in pathway_queue(user=clerk_a, today=today)] == [couple_a.pk]
    assert {r.pk for r in pathway_queue(user=clinician, today=today)} == {couple_a.pk, couple_b.pk}
    assert [r.pk for r in pathway_queue(user=clinician, today=today, township=couple_b.township)] == [couple_b.pk]
