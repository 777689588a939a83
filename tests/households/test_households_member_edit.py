"""Editing a member: version check, voids and merges not undone, a spouse's sex, future birth dates,
and the generic duplicate-number message."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.validators import build_id_number
from households.models import Person
from households.services.common import ConcurrentEdit
from households.services.merges import household_merge
from households.services.register import DuplicateIdNumber, person_update, person_void
from tests.factories import CoupleFactory, HouseholdFactory, PersonFactory, id_number

WOMAN = build_id_number("411099", datetime.date(1991, 4, 12), 246)  # even sequence: female


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def member(village_a):
    household = HouseholdFactory(village=village_a, head_name="周大海")
    return PersonFactory(household=household, name="周大海", sex="1", birth_date=datetime.date(1988, 2, 2),
                         id_number=id_number(7, sex="1", birth=datetime.date(1988, 2, 2)))


def edit_data(person, **overrides):
    data = {"name": person.name, "id_number": person.id_number, "sex": "", "birth_date": "", "relation": "0",
            "marital_status": "20", "phone": "", "version": person.version}
    data.update(overrides)
    return data


def service_data(person, **overrides):
    data = {"name": person.name, "id_number": person.id_number, "sex": person.sex, "birth_date": person.birth_date,
            "relation": person.relation, "marital_status": person.marital_status, "phone": person.phone}
    data.update(overrides)
    return data


# --- version check (finding 1) ----------------------------------------------------------------
def test_edit_form_carries_the_members_version(client_for, clerk_a, member):
    Person.objects.filter(pk=member.pk).update(version=4)
    form = client_for(clerk_a).get(f"/households/members/{member.pk}/edit/").context["form"]
    assert form.initial["version"] == 4
    assert form.fields["version"].widget.is_hidden


def test_second_member_edit_from_stale_form_is_refused_and_first_kept(client_for, clerk_a, member):
    client = client_for(clerk_a)
    url = f"/households/members/{member.pk}/edit/"
    opened_at = member.version

    first = client.post(url, edit_data(member, phone="13311112222", version=opened_at))
    second = client.post(url, edit_data(member, phone="13999999999", marital_status="40", version=opened_at))

    assert first.status_code == 302
    assert second.status_code == 200
    page = html(second)
    assert "该记录已被他人修改" in page
    assert 'value="13999999999"' in page  # what the second clerk typed is kept
    member.refresh_from_db()
    assert (member.phone, member.marital_status, member.version) == ("13311112222", "20", opened_at + 1)


def test_member_edit_without_version_is_refused(client_for, clerk_a, member):
    data = edit_data(member, phone="13311112222")
    del data["version"]
    response = client_for(clerk_a).post(f"/households/members/{member.pk}/edit/", data)
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.phone == ""


def test_stale_service_update_is_a_concurrent_edit(clerk_a, member):
    with pytest.raises(ConcurrentEdit):
        person_update(person=member, by=clerk_a, expected_version=member.version + 5,
                      data=service_data(member, phone="13311112222"))
    member.refresh_from_db()
    assert member.phone == ""


def test_update_from_a_copy_read_before_a_void_does_not_revive_the_member(clerk_a, member):
    stale = Person.objects.get(pk=member.pk)
    person_void(person=member, by=clerk_a, reason="迁出")

    with pytest.raises(ValidationError) as caught:
        person_update(person=stale, by=clerk_a, expected_version=stale.version, data=service_data(stale, phone="1"))

    assert "已作废" in " ".join(caught.value.messages)
    member.refresh_from_db()
    assert member.is_void and member.phone == ""


def test_update_from_a_copy_read_before_a_merge_leaves_the_member_in_the_target(clerk_a, member, village_a):
    target = HouseholdFactory(village=village_a)
    stale = Person.objects.get(pk=member.pk)
    household_merge(source=member.household, target=target, by=clerk_a, reason="重复登记")

    person_update(person=stale, by=clerk_a, expected_version=stale.version,
                  data=service_data(stale, phone="13311112222"))

    member.refresh_from_db()
    assert (member.household_id, member.phone, member.is_void) == (target.pk, "13311112222", False)


# --- a spouse's sex (finding 6) ---------------------------------------------------------------
def test_sex_of_a_husband_in_an_active_couple_cannot_change(client_for, clerk_a, village_a):
    couple = CoupleFactory(household=HouseholdFactory(village=village_a))
    husband = couple.husband
    name = husband.name
    response = client_for(clerk_a).post(
        f"/households/members/{husband.pk}/edit/",
        edit_data(husband, id_number="", clear_id_number="on", sex="2", birth_date=husband.birth_date.isoformat(), name="改名"))

    assert response.status_code == 200
    assert "不能修改性别" in html(response)
    assert 'value="改名"' in html(response)
    husband.refresh_from_db()
    assert (husband.sex, husband.name) == ("1", name)


def test_sex_of_a_wife_cannot_change_through_a_new_id_number(clerk_a, village_a):
    couple = CoupleFactory(household=HouseholdFactory(village=village_a))
    wife = couple.wife
    male_number = id_number(31, sex="1", birth=wife.birth_date)
    with pytest.raises(ValidationError) as caught:
        person_update(person=wife, by=clerk_a, expected_version=wife.version,
                      data=service_data(wife, id_number=male_number, sex=""))
    assert "sex" in caught.value.message_dict
    wife.refresh_from_db()
    assert wife.sex == "2" and wife.id_number != male_number


def test_sex_of_a_spouse_of_a_void_couple_may_be_corrected(client_for, clerk_a, village_a):
    couple = CoupleFactory(household=HouseholdFactory(village=village_a), is_void=True)
    husband = couple.husband
    response = client_for(clerk_a).post(
        f"/households/members/{husband.pk}/edit/",
        edit_data(husband, id_number="", clear_id_number="on", sex="2", birth_date=husband.birth_date.isoformat()))
    assert response.status_code == 302
    husband.refresh_from_db()
    assert husband.sex == "2"


# --- birth dates in the future (finding 7) ----------------------------------------------------
def test_member_without_id_born_tomorrow_is_refused(client_for, clerk_a, member):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client_for(clerk_a).post(f"/households/{member.household_id}/members/new/", {
        "name": "未来人", "id_number": "", "sex": "2", "birth_date": tomorrow.isoformat(), "relation": "3",
        "marital_status": "10", "phone": ""})
    assert response.status_code == 200
    assert "出生日期不能晚于今天" in html(response)
    assert not Person.objects.filter(name="未来人").exists()


def test_member_without_id_born_today_is_accepted(client_for, clerk_a, member):
    response = client_for(clerk_a).post(f"/households/{member.household_id}/members/new/", {
        "name": "新生儿", "id_number": "", "sex": "2", "birth_date": timezone.localdate().isoformat(),
        "relation": "3", "marital_status": "10", "phone": "", "confirm_not_duplicate": "on"})
    assert response.status_code == 302
    assert Person.objects.filter(name="新生儿").exists()


def test_member_edit_to_a_future_birth_date_is_refused(client_for, clerk_a, member):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client_for(clerk_a).post(f"/households/members/{member.pk}/edit/",
                                        edit_data(member, id_number="", clear_id_number="on", sex="1", birth_date=tomorrow.isoformat()))
    assert response.status_code == 200
    assert "出生日期不能晚于今天" in html(response)
    member.refresh_from_db()
    assert member.birth_date == datetime.date(1988, 2, 2)


# --- the duplicate-number message (finding 8) -------------------------------------------------
def test_duplicate_id_default_message_does_not_name_the_holder(village_b):
    holder = PersonFactory(household=HouseholdFactory(village=village_b), name="孙二娘")
    error = DuplicateIdNumber(holder)
    assert error.message_dict == {"id_number": ["该身份证号已登记，不能重复登记。"]}
    assert error.existing == holder


def test_editing_member_to_a_number_of_another_township_does_not_name_its_holder(client_for, clerk_a, member,
                                                                                    village_b):
    PersonFactory(household=HouseholdFactory(village=village_b), name="孙二娘", id_number=WOMAN,
                  birth_date=datetime.date(1991, 4, 12))
    response = client_for(clerk_a).post(f"/households/members/{member.pk}/edit/",
                                        edit_data(member, id_number=WOMAN, sex="", name="周大海"))
    assert response.status_code == 200
    assert "该身份证号已在其他镇/街道登记" in html(response)
    assert "孙二娘" not in html(response)
    member.refresh_from_db()
    assert member.id_number != WOMAN


# --- the whole ID number stays out of the edit form (issue #22 finding 9) ---------------------
def test_edit_form_shows_the_masked_number_never_the_whole_one(client_for, clerk_a, member):
    response = client_for(clerk_a).get(f"/households/members/{member.pk}/edit/")
    page = html(response)
    assert member.id_number not in page and member.id_number[6:14] not in page  # not even the birth date part
    assert member.masked_id_number in page
    assert not response.context["form"].initial.get("id_number")


def test_leaving_the_number_empty_keeps_it_and_a_new_one_replaces_it(client_for, clerk_a, member):
    client = client_for(clerk_a)
    url = f"/households/members/{member.pk}/edit/"
    kept = member.id_number
    assert client.post(url, edit_data(member, id_number="", phone="13311112222")).status_code == 302
    member.refresh_from_db()
    assert (member.id_number, member.phone) == (kept, "13311112222")
    new = id_number(8, sex="1", birth=datetime.date(1988, 2, 2))
    assert client.post(url, edit_data(member, id_number=new)).status_code == 302
    member.refresh_from_db()
    assert member.id_number == new


def test_removing_the_number_takes_the_box_and_then_needs_sex_and_birth_date(client_for, clerk_a, member):
    client = client_for(clerk_a)
    url = f"/households/members/{member.pk}/edit/"
    refused = client.post(url, edit_data(member, id_number="", clear_id_number="on"))
    assert refused.status_code == 200 and "未填身份证号时，请选择性别" in html(refused)
    assert member.id_number not in html(refused)
    done = client.post(url, edit_data(member, id_number="", clear_id_number="on", sex="1", birth_date="1988-02-02"))
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.id_number in ("", None)
