"""Input hygiene at the register's door: control characters, plausible dates, same-site ``next``,
and messages that speak to a clerk (issue #6; the generic machinery is tested in tests/core)."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from households.models import Couple, FollowUpVisit, Household, Person
from households.services.visits import NEXT_VISIT_MAX_DAYS, visit_record

from ..factories import HouseholdFactory, PersonFactory, RegisterCoupleFactory
from .test_households_views import create_data, member_data
from .test_visits_views import form_data

DAY = datetime.timedelta(days=1)


@pytest.fixture
def couple(village_a, clerk_a):
    return RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)


@pytest.fixture
def household_a(village_a):
    household = HouseholdFactory(village=village_a, head_name="周大海")
    PersonFactory(household=household, name="周大海", sex="1", birth_date=datetime.date(1988, 2, 2))
    return household


def visit_url(couple):
    return f"/households/couples/{couple.pk}/visits/new/"


# --- control characters ----------------------------------------------------------------------
def test_household_form_stores_text_without_control_characters(client_for, clerk_a, village_a):
    data = create_data(village_a, address="三组\x0012\u200b 号\x7f", head_name="陈\u202e红\t")

    response = client_for(clerk_a).post("/households/new/", data)

    assert response.status_code == 302
    household = Household.objects.get()
    assert (household.address, household.head_name) == ("三组12 号", "陈红")
    assert Person.objects.get().name == "陈红"


def test_visit_notes_keep_their_lines_but_lose_control_characters(client_for, clerk_a, couple):
    response = client_for(clerk_a).post(visit_url(couple), form_data(notes="已宣传\x1b政策\r\n下次带叶酸\x00"))

    assert response.status_code == 302
    assert FollowUpVisit.objects.get().notes == "已宣传政策\n下次带叶酸"


# --- messages --------------------------------------------------------------------------------
def test_too_long_name_is_refused_in_words_a_clerk_reads(client_for, clerk_a, household_a):
    response = client_for(clerk_a).post(f"/households/{household_a.pk}/members/new/", member_data(name="周" * 31))

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["姓名最多 30 个字（现在 31 个）。"]
    assert "确保" not in response.content.decode()
    assert not household_a.members.filter(name="周" * 31).exists()


def test_missing_village_says_which_field(client_for, clerk_a, village_a):
    response = client_for(clerk_a).post("/households/new/", {**create_data(village_a), "village": "", "address": ""})

    errors = response.context["form"].errors
    assert errors["village"] == ["请选择村/社区。"]
    assert errors["address"] == ["请填写家庭地址。"]
    assert not Household.objects.exists()


def test_duplicate_id_message_says_it_once(client_for, clerk_a, household_a, village_a):
    head = household_a.members.get()
    response = client_for(clerk_a).post("/households/new/", create_data(village_a, id_number=head.id_number))

    message = " ".join(str(e) for e in response.context["form"].errors["id_number"])
    assert message.count("该身份证号已登记") == 1
    assert "查看该户" in message


# --- plausible dates -------------------------------------------------------------------------
def test_birth_date_with_a_mistyped_year_is_refused(client_for, clerk_a, household_a):
    data = member_data(id_number="", sex="1", birth_date="1026-05-01")
    response = client_for(clerk_a).post(f"/households/{household_a.pk}/members/new/", data)

    assert response.status_code == 200
    assert "出生日期不能早于" in response.context["form"].errors["birth_date"][0]
    assert household_a.members.count() == 1


def test_marriage_date_in_the_future_is_refused(client_for, clerk_a, couple):
    tomorrow = (timezone.localdate() + DAY).isoformat()
    before = couple.marriage_date
    response = client_for(clerk_a).post(f"/households/couples/{couple.pk}/edit/", {
        "marriage_date": tomorrow, "boys": 0, "girls": 0, "version": couple.version})

    assert response.context["form"].errors["marriage_date"] == ["结婚日期不能晚于今天。"]
    couple.refresh_from_db()
    assert couple.marriage_date == before


def test_survey_date_years_ago_is_refused(client_for, clerk_a, couple):
    response = client_for(clerk_a).post(f"/households/couples/{couple.pk}/surveys/new/", {
        "surveyed_on": "2001-01-01", "planned_timing": "1", "family_situation": "average"})

    assert "摸底日期不能早于" in response.context["form"].errors["surveyed_on"][0]
    assert not couple.surveys.exists()


def test_next_visit_in_year_9999_is_refused_and_the_couple_stays_due(client_for, clerk_a, couple):
    before = Couple.objects.get(pk=couple.pk).next_visit_due

    response = client_for(clerk_a).post(visit_url(couple), form_data(next_due="9999-12-31"))

    assert response.status_code == 200
    assert response.context["form"].errors["next_due"][0].startswith("下次随访日期不能晚于 ")
    assert not FollowUpVisit.objects.exists()
    assert Couple.objects.get(pk=couple.pk).next_visit_due == before


def test_next_visit_more_than_a_year_after_the_visit_is_refused(client_for, clerk_a, couple):
    today = timezone.localdate()
    response = client_for(clerk_a).post(visit_url(couple), form_data(next_due=(today + 400 * DAY).isoformat()))

    assert response.context["form"].errors["next_due"] == ["下次随访日期应在随访日期后一年以内。"]
    assert not FollowUpVisit.objects.exists()


def test_the_visit_service_refuses_a_far_next_visit_too(clerk_a, couple):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        visit_record(couple=couple, by=clerk_a, visit_date=today, pregnancy_status="not_pregnant",
                     next_due=today + (NEXT_VISIT_MAX_DAYS + 1) * DAY)
    assert "next_due" in refused.value.message_dict
    assert visit_record(couple=couple, by=clerk_a, visit_date=today, pregnancy_status="not_pregnant",
                        next_due=today + NEXT_VISIT_MAX_DAYS * DAY).pk


def test_last_menstrual_period_ten_months_before_the_visit_is_refused(client_for, clerk_a, couple):
    today = timezone.localdate()
    response = client_for(clerk_a).post(visit_url(couple), form_data(
        pregnancy_status="pregnant", last_menstrual_period=(today - 310 * DAY).isoformat()))

    assert "末次月经日期距随访日期超过" in response.context["form"].errors["last_menstrual_period"][0]
    assert not FollowUpVisit.objects.exists()


def test_visit_date_more_than_a_year_back_is_refused(client_for, clerk_a, couple):
    response = client_for(clerk_a).post(visit_url(couple), form_data(visit_date="2001-06-01"))

    assert "随访日期不能早于" in response.context["form"].errors["visit_date"][0]
    assert not FollowUpVisit.objects.exists()


# --- next= on the visit form -------------------------------------------------------------------
@pytest.mark.parametrize("target", ["abc", "https://evil.example/x", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_visit_form_next_off_site_or_not_a_path_falls_back_to_the_couple(client_for, clerk_a, couple, target):
    response = client_for(clerk_a).post(visit_url(couple) + f"?next={target}", form_data(next=target))

    assert response.status_code == 302
    assert response["Location"] == couple.get_absolute_url()
    assert FollowUpVisit.objects.count() == 1


def test_visit_form_next_on_site_is_followed(client_for, clerk_a, couple):
    response = client_for(clerk_a).post(visit_url(couple), form_data(next="/households/due/?page=2"))

    assert response["Location"] == "/households/due/?page=2"


def test_visit_form_does_not_echo_a_bad_next_into_the_page(client_for, clerk_a, couple):
    html = client_for(clerk_a).get(visit_url(couple) + "?next=abc").content.decode()
    assert 'name="next" value="abc"' not in html
