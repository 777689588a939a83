"""Couples: re-entering the register, surveys under the couple's lock, one active couple per
husband, the 专人 when a couple is voided, and who becomes the 专人 after a survey."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role
from households.models import Assignment, Couple, IntentionSurvey
from households.services.register import couple_assign, couple_create, couple_void, survey_record
from households.services.visits import visit_record
from tests.factories import CoupleFactory, HouseholdFactory, PersonFactory, RegisterCoupleFactory, UserFactory

INTERVAL = datetime.timedelta(days=90)  # settings.HOUSEHOLDS_VISIT_INTERVAL_DAYS["not_pregnant"]


def html(response) -> str:
    return response.content.decode()


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def couple_a(village_a):
    return CoupleFactory(household=HouseholdFactory(village=village_a))


# --- re-entering the register (finding 2) -----------------------------------------------------
def test_couple_re_entering_the_register_is_due_one_interval_after_the_new_survey(clerk_a, couple_a):
    survey_record(couple=couple_a, by=clerk_a, planned_timing="1", surveyed_on=days_ago(700))
    survey_record(couple=couple_a, by=clerk_a, planned_timing="5", surveyed_on=days_ago(400))
    couple_a.refresh_from_db()
    assert not couple_a.in_register

    survey_record(couple=couple_a, by=clerk_a, planned_timing="2", surveyed_on=days_ago(3))

    couple_a.refresh_from_db()
    assert couple_a.in_register
    assert couple_a.next_visit_due == days_ago(3) + INTERVAL
    assert couple_a.days_overdue() == 0


def test_couple_re_entering_keeps_the_due_date_of_a_visit_after_the_new_survey(clerk_a, couple_a):
    survey_record(couple=couple_a, by=clerk_a, planned_timing="1", surveyed_on=days_ago(400))
    visit = visit_record(couple=couple_a, by=clerk_a, visit_date=days_ago(100), pregnancy_status="pregnant",
                         last_menstrual_period=days_ago(150))
    survey_record(couple=couple_a, by=clerk_a, planned_timing="5", surveyed_on=days_ago(300))  # latest: out
    couple_a.refresh_from_db()
    assert not couple_a.in_register

    survey_record(couple=couple_a, by=clerk_a, planned_timing="1", surveyed_on=days_ago(200))  # latest: in

    couple_a.refresh_from_db()
    assert couple_a.in_register
    assert couple_a.next_visit_due == visit.next_due


def test_a_further_survey_while_in_the_register_keeps_the_due_date(clerk_a, couple_a):
    survey_record(couple=couple_a, by=clerk_a, planned_timing="1", surveyed_on=days_ago(60))
    couple_a.refresh_from_db()
    due = couple_a.next_visit_due

    survey_record(couple=couple_a, by=clerk_a, planned_timing="2", surveyed_on=days_ago(1))

    couple_a.refresh_from_db()
    assert couple_a.next_visit_due == due == days_ago(60) + INTERVAL


# --- surveys under the couple's lock (finding 3) ----------------------------------------------
def test_survey_of_a_couple_voided_after_it_was_read_is_refused(clerk_a, couple_a):
    stale = Couple.objects.get(pk=couple_a.pk)
    couple_void(couple=couple_a, by=clerk_a, reason="离婚")

    with pytest.raises(ValidationError) as caught:
        survey_record(couple=stale, by=clerk_a, planned_timing="1")

    assert "已作废" in " ".join(caught.value.messages)
    assert not IntentionSurvey.objects.exists()
    couple_a.refresh_from_db()
    assert not couple_a.in_register and couple_a.responsible is None


def test_survey_from_a_stale_copy_does_not_write_back_an_old_due_date(clerk_a, village_a):
    couple = RegisterCoupleFactory(household=HouseholdFactory(village=village_a), responsible=clerk_a,
                                   next_visit_due=days_ago(-60))
    stale = Couple.objects.get(pk=couple.pk)
    visit = visit_record(couple=couple, by=clerk_a, visit_date=timezone.localdate(), pregnancy_status="pregnant",
                         last_menstrual_period=days_ago(40))
    assert visit.next_due != stale.next_visit_due

    survey_record(couple=stale, by=clerk_a, planned_timing="1")

    couple.refresh_from_db()
    assert couple.next_visit_due == visit.next_due
    assert stale.next_visit_due == visit.next_due  # the caller's copy follows the row


def test_survey_view_on_a_void_couple_is_refused(client_for, clerk_a, couple_a):
    couple_void(couple=couple_a, by=clerk_a, reason="离婚")
    response = client_for(clerk_a).post(f"/households/couples/{couple_a.pk}/surveys/new/", {
        "surveyed_on": timezone.localdate().isoformat(), "planned_timing": "1", "family_situation": "average"})
    assert response.status_code == 302
    assert not IntentionSurvey.objects.exists()


# --- one active couple per husband (finding 4) ------------------------------------------------
def test_husband_already_in_another_active_couple_is_refused(client_for, clerk_a, village_a):
    first = CoupleFactory(household=HouseholdFactory(village=village_a))
    other_wife = PersonFactory(household=first.household, sex="2", relation="8", name="第二位",
                               birth_date=datetime.date(1995, 1, 1))

    response = client_for(clerk_a).post(f"/households/{first.household_id}/couples/new/", {
        "wife": other_wife.pk, "husband": first.husband.pk, "husband_id_number": "", "marriage_date": "",
        "boys": 0, "girls": 0})

    assert response.status_code == 200
    assert "该男子已在其他育龄夫妇登记中" in html(response)
    assert "husband" in response.context["form"].errors
    assert Couple.objects.filter(husband=first.husband).count() == 1


def test_husband_of_a_void_couple_may_be_registered_again(clerk_a, village_a):
    first = CoupleFactory(household=HouseholdFactory(village=village_a))
    couple_void(couple=first, by=clerk_a, reason="离婚")
    wife = PersonFactory(household=first.household, sex="2", relation="1", birth_date=datetime.date(1995, 1, 1))

    couple = couple_create(household=first.household, wife=wife, husband=first.husband, by=clerk_a)

    assert couple.husband_id == first.husband_id and not couple.is_void


def test_wife_already_in_an_active_couple_is_refused_by_the_service(clerk_a, couple_a):
    husband = PersonFactory(household=couple_a.household, sex="1", relation="8", birth_date=datetime.date(1990, 1, 1))
    with pytest.raises(ValidationError) as caught:
        couple_create(household=couple_a.household, wife=couple_a.wife, husband=husband, by=clerk_a)
    assert "wife" in caught.value.message_dict
    assert Couple.objects.count() == 1


# --- the 专人 when a couple is voided (finding 5) ---------------------------------------------
def test_voiding_a_couple_closes_its_open_assignment(client_for, clerk_a, couple_a):
    couple_assign(couple=couple_a, staff=clerk_a, by=clerk_a, reason="初次指定")

    response = client_for(clerk_a).post(f"/households/couples/{couple_a.pk}/void/", {"reason": "离婚"})

    assert response.status_code == 302
    assignment = Assignment.objects.get(couple=couple_a)
    assert assignment.ended_at is not None
    assert not Assignment.objects.filter(couple=couple_a, ended_at__isnull=True).exists()


def test_refused_void_leaves_the_assignment_open(clerk_a, couple_a):
    couple_assign(couple=couple_a, staff=clerk_a, by=clerk_a)
    with pytest.raises(ValidationError):
        couple_void(couple=couple_a, by=clerk_a, reason="  ")
    assert Assignment.objects.get(couple=couple_a).ended_at is None


# --- who becomes the 专人 after a survey (finding 11) -----------------------------------------
def test_surveyor_who_is_not_an_assignable_clerk_of_the_township_is_not_made_staff(clerk_b, couple_a):
    survey = survey_record(couple=couple_a, by=clerk_b, planned_timing="1")

    couple_a.refresh_from_db()
    assert survey.surveyor == clerk_b
    assert couple_a.in_register and couple_a.responsible is None
    assert not Assignment.objects.exists()


def test_inactive_clerk_of_the_township_is_not_made_staff(township_a, couple_a):
    gone = UserFactory(role=Role.CLERK, township=township_a, is_active=False)
    survey_record(couple=couple_a, by=gone, planned_timing="1")
    couple_a.refresh_from_db()
    assert couple_a.in_register and couple_a.responsible is None


def test_surveying_clerk_of_the_township_becomes_staff(clerk_a, couple_a):
    survey_record(couple=couple_a, by=clerk_a, planned_timing="1")
    couple_a.refresh_from_db()
    assert couple_a.responsible == clerk_a
    assert couple_a.responsible_id == clerk_a.pk
    assert Assignment.objects.get(couple=couple_a, ended_at__isnull=True).staff == clerk_a
