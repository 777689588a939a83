"""Duplicate checks at entry: a registered ID number links to the existing person instead of
creating a second one; a likely duplicate (same name and birth date in the township, or the same
phone) is shown before saving and needs the clerk's confirmation."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.validators import build_id_number, mask_id_number
from households.models import Household, Person
from households.services.register import (
    DuplicateIdNumber, LikelyDuplicate, household_register, person_add,
)
from tests.factories import HouseholdFactory, PersonFactory

CREATE = "/households/new/"
BIRTH = datetime.date(1990, 8, 8)
NUMBER = build_id_number("411099", BIRTH, 388)


def create_data(village, **overrides):
    data = {
        "village": village.pk, "address": "二组 5 号", "head_name": "马丽", "phone": "13600001111",
        "hukou_type": "2", "id_number": NUMBER, "sex": "", "birth_date": "", "marital_status": "20",
    }
    data.update(overrides)
    return data


def html(response) -> str:
    return response.content.decode()


# --- a registered ID number ------------------------------------------------------------------
def test_registered_id_in_own_township_links_to_existing_household(client_for, clerk_a, village_a):
    existing = PersonFactory(household=HouseholdFactory(village=village_a), name="马丽", id_number=NUMBER,
                             birth_date=BIRTH)

    response = client_for(clerk_a).post(CREATE, create_data(village_a))

    assert response.status_code == 200
    page = html(response)
    assert "该身份证号已登记" in page
    assert f'href="/households/{existing.household_id}/#person-{existing.pk}"' in page
    assert Household.objects.count() == 1 and Person.objects.count() == 1
    assert 'value="二组 5 号"' in page  # the typed form is kept


def test_registered_id_in_other_township_is_reported_without_details(client_for, clerk_a, village_a, village_b):
    existing = PersonFactory(household=HouseholdFactory(village=village_b, address="秘密地址"), name="别镇人",
                             id_number=NUMBER, birth_date=BIRTH)

    response = client_for(clerk_a).post(CREATE, create_data(village_a))

    page = html(response)
    assert "该身份证号已在其他镇/街道登记" in page
    assert "别镇人" not in page and "秘密地址" not in page
    assert f"/households/{existing.household_id}/" not in page
    assert Household.objects.count() == 1


def test_voided_holder_of_a_number_still_blocks_it_without_a_500(client_for, clerk_a, village_a):
    PersonFactory(household=HouseholdFactory(village=village_a), id_number=NUMBER, birth_date=BIRTH, is_void=True)
    response = client_for(clerk_a).post(CREATE, create_data(village_a))
    assert response.status_code == 200
    assert "该记录已作废" in html(response)
    assert Household.objects.count() == 1


def test_adding_member_with_registered_id_links_to_that_persons_household(client_for, clerk_a, village_a):
    existing = PersonFactory(household=HouseholdFactory(village=village_a), id_number=NUMBER, birth_date=BIRTH)
    other = HouseholdFactory(village=village_a)

    response = client_for(clerk_a).post(f"/households/{other.pk}/members/new/", {
        "name": "马丽", "id_number": NUMBER, "relation": "1", "marital_status": "20"})

    assert response.status_code == 200
    assert f'href="{existing.get_absolute_url()}"' in html(response)
    assert not other.members.exists()


def test_editing_member_to_a_registered_id_is_refused(client_for, clerk_a, village_a):
    PersonFactory(household=HouseholdFactory(village=village_a), id_number=NUMBER, birth_date=BIRTH)
    person = PersonFactory(household=HouseholdFactory(village=village_a), name="改号人")
    response = client_for(clerk_a).post(f"/households/members/{person.pk}/edit/", {
        "name": "改号人", "id_number": NUMBER, "relation": "0", "marital_status": "20", "version": person.version})
    assert "该身份证号已登记" in html(response)
    person.refresh_from_db()
    assert person.id_number != NUMBER


def test_service_refuses_registered_number_before_writing(clerk_a, village_a):
    existing = PersonFactory(household=HouseholdFactory(village=village_a), id_number=NUMBER, birth_date=BIRTH)
    with pytest.raises(DuplicateIdNumber) as caught:
        household_register(by=clerk_a, village=village_a, address="x", head_name="马丽", id_number=NUMBER)
    assert caught.value.existing == existing
    assert Household.objects.count() == 1


def test_person_add_with_voided_holder_raises_duplicate_not_integrity_error(clerk_a, village_a):
    PersonFactory(household=HouseholdFactory(village=village_a), id_number=NUMBER, birth_date=BIRTH, is_void=True)
    with pytest.raises(DuplicateIdNumber):
        person_add(household=HouseholdFactory(village=village_a), by=clerk_a, name="马丽", id_number=NUMBER)


def test_household_and_head_are_written_together_or_not_at_all(clerk_a, village_a):
    # No ID number and no birth date: the household row is valid, the head is not. Nothing stays.
    with pytest.raises(ValidationError):
        household_register(by=clerk_a, village=village_a, address="x", head_name="无生日", sex="2",
                           confirmed_not_duplicate=True)
    assert not Household.objects.exists()


# --- likely duplicates ----------------------------------------------------------------------
def test_same_name_and_birth_date_warns_and_needs_confirmation(client_for, clerk_a, village_a):
    lookalike = PersonFactory(household=HouseholdFactory(village=village_a, phone="13800000009"), name="马丽",
                              birth_date=BIRTH, id_number=build_id_number("411099", BIRTH, 390))
    client = client_for(clerk_a)
    data = create_data(village_a)

    warned = client.post(CREATE, data)

    page = html(warned)
    assert warned.status_code == 200
    assert 'data-testid="likely-duplicates"' in page
    # Neither the masked ID nor the birth date (together they are the whole number): age and village.
    listed = page.split('data-testid="likely-duplicates"')[1].split("</ul>")[0]
    assert lookalike.id_number not in page and mask_id_number(lookalike.id_number) not in page
    assert lookalike.id_number[-4:] not in listed
    assert f"{BIRTH:%Y-%m-%d}" not in listed and f"{BIRTH:%Y%m%d}" not in listed
    assert f"{lookalike.age_on(timezone.localdate())} 岁" in listed and village_a.name in listed
    # Shown is seen: the check is audited like opening the record.
    seen = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, object_id=str(lookalike.pk))
    assert (seen.user, seen.object_type, seen.detail) == (clerk_a, "households.person", "likely duplicate check")
    assert seen.township_id == village_a.township_id
    assert f'href="{lookalike.get_absolute_url()}"' in page
    assert "确认不是同一户，继续保存" in page
    assert Household.objects.count() == 1

    saved = client.post(CREATE, {**data, "confirm_not_duplicate": "on"})
    assert saved.status_code == 302
    assert Household.objects.count() == 2


def test_same_phone_warns(client_for, clerk_a, village_a):
    PersonFactory(household=HouseholdFactory(village=village_a, phone="13600001111"), relation="0")
    response = client_for(clerk_a).post(CREATE, create_data(village_a, head_name="另一人"))
    assert 'data-testid="likely-duplicates"' in html(response)
    assert Household.objects.count() == 1


def test_head_of_household_with_same_phone_is_listed(clerk_a, village_a):
    head = PersonFactory(household=HouseholdFactory(village=village_a, phone="13600001111"), relation="0")
    with pytest.raises(LikelyDuplicate) as caught:
        household_register(by=clerk_a, village=village_a, address="x", head_name="新户", phone="13600001111",
                           id_number=NUMBER)
    assert caught.value.matches == [head]


def test_lookalike_in_other_township_is_not_a_likely_duplicate(client_for, clerk_a, village_a, village_b):
    PersonFactory(household=HouseholdFactory(village=village_b, phone="13600001111"), name="马丽", birth_date=BIRTH,
                  id_number=build_id_number("411099", BIRTH, 390))
    response = client_for(clerk_a).post(CREATE, create_data(village_a))
    assert response.status_code == 302


def test_adding_member_lookalike_in_another_household_needs_confirmation(client_for, clerk_a, village_a):
    PersonFactory(household=HouseholdFactory(village=village_a), name="马丽", birth_date=BIRTH,
                  id_number=build_id_number("411099", BIRTH, 390))
    household = HouseholdFactory(village=village_a)
    client = client_for(clerk_a)
    data = {"name": "马丽", "id_number": NUMBER, "relation": "1", "marital_status": "20"}

    warned = client.post(f"/households/{household.pk}/members/new/", data)
    assert 'data-testid="likely-duplicates"' in html(warned)
    assert not household.members.exists()

    client.post(f"/households/{household.pk}/members/new/", {**data, "confirm_not_duplicate": "on"})
    assert household.members.get().id_number == NUMBER
