"""Couples: create from a household, detail, edit (version check), intention survey, 专人, void."""
import datetime

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from households.models import Assignment, Couple, IntentionSurvey
from tests.factories import (
    CoupleFactory, HouseholdFactory, IntentionSurveyFactory, PersonFactory, UserFactory, WorkGroupFactory,
)


def html(response) -> str:
    return response.content.decode()


def years_ago(n: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - n) - datetime.timedelta(days=days)


@pytest.fixture
def family(village_a):
    household = HouseholdFactory(village=village_a, head_name="高志强")
    husband = PersonFactory(household=household, name="高志强", sex="1", birth_date=years_ago(35))
    wife = PersonFactory(household=household, name="林娜", sex="2", relation="1", birth_date=years_ago(30))
    return household, wife, husband


@pytest.fixture
def couple_a(village_a):
    return CoupleFactory(household=HouseholdFactory(village=village_a))


@pytest.fixture
def couple_b(village_b):
    return CoupleFactory(household=HouseholdFactory(village=village_b))


@pytest.fixture
def linked_staff(bureau_staff, village_a):
    WorkGroupFactory(villages=[village_a], members=[bureau_staff])
    return bureau_staff


def couple_data(wife, husband=None, **overrides):
    data = {"wife": wife.pk, "husband": husband.pk if husband else "", "husband_id_number": "",
            "marriage_date": "2020-05-01", "boys": 1, "girls": 1}  # both past the legal marriage age then
    data.update(overrides)
    return data


# --- create ---------------------------------------------------------------------------------
def test_clerk_registers_couple_from_household_members(client_for, clerk_a, family):
    household, wife, husband = family
    response = client_for(clerk_a).post(f"/households/{household.pk}/couples/new/", couple_data(wife, husband))

    couple = Couple.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/households/couples/{couple.pk}/"
    assert (couple.wife, couple.husband, couple.boys, couple.girls, couple.township_id) == (
        wife, husband, 1, 1, household.township_id)
    assert couple.marriage_date == datetime.date(2020, 5, 1)


def test_husband_registered_in_another_household_is_found_by_id_number(client_for, clerk_a, village_a, family):
    household, wife, _husband = family
    elsewhere = PersonFactory(household=HouseholdFactory(village=village_a), sex="1", birth_date=years_ago(33))

    response = client_for(clerk_a).post(f"/households/{household.pk}/couples/new/",
                                        couple_data(wife, husband_id_number=elsewhere.id_number))

    assert response.status_code == 302
    assert Couple.objects.get().husband == elsewhere


def test_husband_id_number_of_other_township_is_not_found(client_for, clerk_a, village_b, family):
    household, wife, _husband = family
    stranger = PersonFactory(household=HouseholdFactory(village=village_b), sex="1", name="外镇男")
    response = client_for(clerk_a).post(f"/households/{household.pk}/couples/new/",
                                        couple_data(wife, husband_id_number=stranger.id_number))
    assert response.status_code == 200
    assert "本镇/街道没有登记该身份证号的成员" in html(response)
    assert "外镇男" not in html(response)
    assert not Couple.objects.exists()


def test_wife_over_49_is_refused_by_the_service(client_for, clerk_a, family):
    household, _wife, husband = family
    older = PersonFactory(household=household, sex="2", relation="1", birth_date=years_ago(50, days=1))
    response = client_for(clerk_a).post(f"/households/{household.pk}/couples/new/", couple_data(older, husband))
    assert response.status_code == 200
    assert "妻子年龄应在 15–49 岁之间（现为 50 岁）" in html(response)
    assert not Couple.objects.exists()


def test_wife_already_in_a_couple_is_refused(client_for, clerk_a, family):
    household, wife, husband = family
    CoupleFactory(household=household, wife=wife, husband=husband)
    response = client_for(clerk_a).post(f"/households/{household.pk}/couples/new/", couple_data(wife, husband))
    assert "该妇女已登记为育龄夫妇" in html(response)
    assert Couple.objects.count() == 1


def test_man_cannot_be_chosen_as_wife(client_for, clerk_a, family):
    household, _wife, husband = family
    response = client_for(clerk_a).post(f"/households/{household.pk}/couples/new/", couple_data(husband, husband))
    assert response.status_code == 200
    assert "wife" in response.context["form"].errors
    assert not Couple.objects.exists()


def test_wife_id_of_other_township_in_post_is_404(client_for, clerk_a, family, village_b):
    household, _wife, husband = family
    foreign = PersonFactory(household=HouseholdFactory(village=village_b), sex="2", birth_date=years_ago(28))
    response = client_for(clerk_a).post(f"/households/{household.pk}/couples/new/", couple_data(foreign, husband))
    assert response.status_code == 404
    assert not Couple.objects.exists()


def test_couple_create_in_other_township_household_is_404(client_for, clerk_b, family):
    household, wife, husband = family
    response = client_for(clerk_b).post(f"/households/{household.pk}/couples/new/", couple_data(wife, husband))
    assert response.status_code == 404
    assert not Couple.objects.exists()


@pytest.mark.parametrize("who", ["linked_staff", "clinician", "leader"])
def test_couple_create_needs_register_change(request, client_for, family, who):
    household, wife, husband = family
    response = client_for(request.getfixturevalue(who)).post(f"/households/{household.pk}/couples/new/",
                                                            couple_data(wife, husband))
    assert response.status_code == 403
    assert not Couple.objects.exists()


def test_couple_create_refuses_put(client_for, clerk_a, family):
    assert client_for(clerk_a).put(f"/households/{family[0].pk}/couples/new/").status_code == 405


# --- detail ---------------------------------------------------------------------------------
def test_couple_detail_shows_facts_history_and_visit_panel(client_for, clerk_a, couple_a):
    IntentionSurveyFactory(couple=couple_a, surveyor=clerk_a, planned_timing="2", reasons=["lonely"],
                           services_wanted=["pre_pregnancy"])
    Assignment.objects.create(couple=couple_a, staff=clerk_a, assigned_by=clerk_a, reason="摸底登记人")

    response = client_for(clerk_a).get(f"/households/couples/{couple_a.pk}/")

    page = html(response)
    assert response.status_code == 200
    assert couple_a.wife.id_number not in page and couple_a.husband.id_number not in page
    assert couple_a.wife.masked_id_number in page and couple_a.husband.masked_id_number in page
    assert f"{couple_a.wife.age} 岁" in page and f"{couple_a.husband.age} 岁" in page
    assert 'data-testid="survey-row"' in page and "一个孩子太孤单" in page and "免费孕前优生健康检查" in page
    assert 'data-testid="assignment-row"' in page and "摸底登记人" in page
    assert 'data-testid="couple-visits"' in page  # the visits engineer's partial is included
    assert AuditEvent.objects.filter(
        action="view", object_type="households.couple", object_id=str(couple_a.pk)).exists()


def test_clerk_cannot_open_other_township_couple(client_for, clerk_a, couple_b):
    assert client_for(clerk_a).get(f"/households/couples/{couple_b.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["linked_staff", "leader", "clinician", "admin_user"])
def test_couple_detail_is_for_township_clerks(request, client_for, couple_a, who):
    assert client_for(request.getfixturevalue(who)).get(f"/households/couples/{couple_a.pk}/").status_code == 403


def test_couple_detail_anonymous_goes_to_login(client, couple_a):
    assert client.get(f"/households/couples/{couple_a.pk}/").status_code == 302


def test_couple_detail_refuses_post(client_for, clerk_a, couple_a):
    assert client_for(clerk_a).post(f"/households/couples/{couple_a.pk}/").status_code == 405


# --- edit -----------------------------------------------------------------------------------
def edit_data(couple, **overrides):
    data = {"marriage_date": "2016-10-01", "boys": couple.boys, "girls": couple.girls, "version": couple.version}
    data.update(overrides)
    return data


def test_clerk_edits_couple_children(client_for, clerk_a, couple_a):
    response = client_for(clerk_a).post(f"/households/couples/{couple_a.pk}/edit/", edit_data(couple_a, girls=2))
    assert response.status_code == 302
    couple_a.refresh_from_db()
    assert (couple_a.girls, couple_a.version) == (2, 2)


def test_stale_couple_edit_is_refused_and_first_kept(client_for, clerk_a, couple_a):
    client = client_for(clerk_a)
    url = f"/households/couples/{couple_a.pk}/edit/"
    client.post(url, edit_data(couple_a, girls=2))
    second = client.post(url, edit_data(couple_a, boys=3))  # still the version it was opened at
    assert second.status_code == 200
    assert "该记录已被他人修改" in html(second)
    couple_a.refresh_from_db()
    assert (couple_a.boys, couple_a.girls) == (1, 2)


def test_edit_other_township_couple_is_404_and_unchanged(client_for, clerk_a, couple_b):
    response = client_for(clerk_a).post(f"/households/couples/{couple_b.pk}/edit/", edit_data(couple_b, boys=5))
    assert response.status_code == 404
    couple_b.refresh_from_db()
    assert couple_b.boys == 1


def test_edit_couple_refuses_put(client_for, clerk_a, couple_a):
    assert client_for(clerk_a).put(f"/households/couples/{couple_a.pk}/edit/").status_code == 405


# --- intention survey -----------------------------------------------------------------------
def survey_data(**overrides):
    data = {"surveyed_on": timezone.localdate().isoformat(), "planned_timing": "1", "next_child_order": 2,
            "family_situation": "average", "reasons": ["lonely", "elders"], "services_wanted": ["pre_pregnancy"],
            "notes": "想在明年要二孩"}
    data.update(overrides)
    return data


def test_survey_with_intention_puts_couple_in_register_with_surveyor_as_staff(client_for, clerk_a, couple_a):
    response = client_for(clerk_a).post(f"/households/couples/{couple_a.pk}/surveys/new/", survey_data())

    assert response.status_code == 302
    survey = IntentionSurvey.objects.get()
    assert (survey.planned_timing, survey.reasons, survey.services_wanted, survey.surveyor) == (
        "1", ["lonely", "elders"], ["pre_pregnancy"], clerk_a)
    couple_a.refresh_from_db()
    assert (couple_a.in_register, couple_a.planned_timing, couple_a.responsible) == (True, "1", clerk_a)
    assert couple_a.next_visit_due is not None


def test_survey_without_plan_keeps_couple_out_of_register(client_for, clerk_a, couple_a):
    client_for(clerk_a).post(f"/households/couples/{couple_a.pk}/surveys/new/",
                             survey_data(planned_timing="5", reasons=[]))
    couple_a.refresh_from_db()
    assert (couple_a.in_register, couple_a.planned_timing) == (False, "5")


def test_survey_with_more_than_three_reasons_is_refused(client_for, clerk_a, couple_a):
    response = client_for(clerk_a).post(f"/households/couples/{couple_a.pk}/surveys/new/",
                                        survey_data(reasons=["lonely", "both", "elders", "old_age"]))
    assert response.status_code == 200
    assert "生育原因最多选 3 项" in html(response)
    assert 'value="想在明年要二孩"' in html(response) or "想在明年要二孩" in html(response)
    assert not IntentionSurvey.objects.exists()


def test_survey_in_the_future_is_refused(client_for, clerk_a, couple_a):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client_for(clerk_a).post(f"/households/couples/{couple_a.pk}/surveys/new/",
                                        survey_data(surveyed_on=tomorrow.isoformat()))
    assert "摸底日期不能晚于今天" in html(response)
    assert not IntentionSurvey.objects.exists()


def test_survey_of_other_township_couple_is_404(client_for, clerk_a, couple_b):
    assert client_for(clerk_a).post(f"/households/couples/{couple_b.pk}/surveys/new/", survey_data()).status_code == 404
    couple_b.refresh_from_db()
    assert not couple_b.in_register and not IntentionSurvey.objects.exists()


def test_bureau_staff_cannot_survey(client_for, linked_staff, couple_a):
    response = client_for(linked_staff).post(f"/households/couples/{couple_a.pk}/surveys/new/", survey_data())
    assert response.status_code == 403
    assert not IntentionSurvey.objects.exists()


def test_survey_refuses_put(client_for, clerk_a, couple_a):
    assert client_for(clerk_a).put(f"/households/couples/{couple_a.pk}/surveys/new/").status_code == 405


# --- 专人 -------------------------------------------------------------------------------------
def test_reassigning_staff_keeps_the_history(client_for, clerk_a, township_a, couple_a):
    colleague = UserFactory(role=Role.CLERK, township=township_a, name="何平")
    client = client_for(clerk_a)
    url = f"/households/couples/{couple_a.pk}/assign/"

    client.post(url, {"staff": clerk_a.pk, "reason": "初次指定"})
    response = client.post(url, {"staff": colleague.pk, "reason": "工作调整"})

    assert response.status_code == 302
    couple_a.refresh_from_db()
    assert couple_a.responsible == colleague
    history = list(couple_a.assignments.order_by("started_at", "id"))
    assert [(a.staff, a.reason, a.ended_at is None) for a in history] == [
        (clerk_a, "初次指定", False), (colleague, "工作调整", True)]
    assert "何平" in html(client.get(f"/households/couples/{couple_a.pk}/"))


def test_assigning_staff_of_other_township_is_404(client_for, clerk_a, clerk_b, couple_a):
    response = client_for(clerk_a).post(f"/households/couples/{couple_a.pk}/assign/", {"staff": clerk_b.pk})
    assert response.status_code == 404
    couple_a.refresh_from_db()
    assert couple_a.responsible is None and not couple_a.assignments.exists()


def test_assigning_inactive_colleague_is_a_form_error(client_for, clerk_a, township_a, couple_a):
    gone = UserFactory(role=Role.CLERK, township=township_a, is_active=False)
    response = client_for(clerk_a).post(f"/households/couples/{couple_a.pk}/assign/", {"staff": gone.pk})
    assert response.status_code == 200
    assert "staff" in response.context["form"].errors


def test_assign_on_other_township_couple_is_404(client_for, clerk_a, couple_b):
    response = client_for(clerk_a).post(f"/households/couples/{couple_b.pk}/assign/", {"staff": clerk_a.pk})
    assert response.status_code == 404
    assert not couple_b.assignments.exists()


def test_assign_refuses_put(client_for, clerk_a, couple_a):
    assert client_for(clerk_a).put(f"/households/couples/{couple_a.pk}/assign/").status_code == 405


# --- void -----------------------------------------------------------------------------------
def test_clerk_voids_couple_and_it_leaves_the_register(client_for, clerk_a, couple_a):
    Couple.objects.filter(pk=couple_a.pk).update(in_register=True, planned_timing="1")
    client = client_for(clerk_a)
    response = client.post(f"/households/couples/{couple_a.pk}/void/", {"reason": "离婚"})
    assert response.status_code == 302
    couple_a.refresh_from_db()
    assert couple_a.is_void and couple_a.void_reason == "离婚"
    assert not Couple.objects.in_register().filter(pk=couple_a.pk).exists()
    assert 'data-testid="couple-void"' in html(client.get(f"/households/couples/{couple_a.pk}/"))


def test_void_other_township_couple_is_404(client_for, clerk_a, couple_b):
    assert client_for(clerk_a).post(f"/households/couples/{couple_b.pk}/void/", {"reason": "x"}).status_code == 404
    couple_b.refresh_from_db()
    assert not couple_b.is_void


def test_void_couple_refuses_put(client_for, clerk_a, couple_a):
    assert client_for(clerk_a).put(f"/households/couples/{couple_a.pk}/void/").status_code == 405
