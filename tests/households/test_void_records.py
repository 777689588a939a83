"""Review fixes around corrections: the head's name kept the same on the household and its
member, voided couples out of the due lists, and correcting one's own outreach visit."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from households.models import Household, OutreachVisit, Person
from households.services.outreach import outreach_update
from households.services.register import couple_assign, couple_void, household_update, person_update
from tests.factories import (
    HouseholdFactory, OutreachVisitFactory, PersonFactory, RegisterCoupleFactory, UserFactory, WorkGroupFactory,
)


def html(response) -> str:
    return response.content.decode()


# --- the head's name: household.head_name and the member with relation 本人/户主 -----------------
@pytest.fixture
def family(village_a):
    household = HouseholdFactory(village=village_a, head_name="周大海")
    head = PersonFactory(household=household, name="周大海", sex="1", relation="0")
    wife = PersonFactory(household=household, name="李秀英", sex="2", relation="1")
    return household, head, wife


def person_data(person, **overrides):
    data = {"name": person.name, "id_number": person.id_number, "sex": person.sex, "birth_date": person.birth_date,
            "relation": person.relation, "marital_status": person.marital_status, "phone": person.phone}
    data.update(overrides)
    return data


def household_form(household, **overrides):
    data = {"village": household.village_id, "address": household.address, "head_name": household.head_name,
            "phone": household.phone, "hukou_type": household.hukou_type, "code": household.code,
            "version": household.version}
    data.update(overrides)
    return data


def person_form(person, **overrides):
    data = {"name": person.name, "id_number": person.id_number, "sex": "", "birth_date": "",
            "relation": person.relation, "marital_status": "20", "phone": "", "version": person.version}
    data.update(overrides)
    return data


def test_renaming_the_head_member_renames_the_household_and_bumps_its_version(clerk_a, family):
    household, head, _wife = family
    version = household.version

    person_update(person=head, by=clerk_a, expected_version=head.version, data=person_data(head, name="周大江"))

    household.refresh_from_db()
    assert (household.head_name, household.version) == ("周大江", version + 1)
    assert AuditEvent.objects.filter(action="update", object_type="households.household",
                                     object_id=str(household.pk), detail__contains="head_name").exists()


def test_member_becoming_the_head_with_a_new_name_renames_the_household(clerk_a, family):
    household, head, wife = family
    Person.objects.filter(pk=head.pk).update(relation="2")

    person_update(person=wife, by=clerk_a, expected_version=wife.version,
                  data=person_data(wife, name="李秀芳", relation="0"))

    household.refresh_from_db()
    assert household.head_name == "李秀芳"


def test_renaming_a_member_who_is_not_the_head_leaves_the_household(clerk_a, family):
    household, _head, wife = family
    version = household.version

    person_update(person=wife, by=clerk_a, expected_version=wife.version, data=person_data(wife, name="李秀芳"))

    household.refresh_from_db()
    assert (household.head_name, household.version) == ("周大海", version)


def test_editing_the_head_without_renaming_leaves_the_household_version(clerk_a, family):
    household, head, _wife = family
    version = household.version

    person_update(person=head, by=clerk_a, expected_version=head.version, data=person_data(head, phone="13311112222"))

    household.refresh_from_db()
    assert household.version == version


def test_household_form_opened_before_the_head_was_renamed_is_refused(client_for, clerk_a, family):
    household, head, _wife = family
    client = client_for(clerk_a)
    opened = household_form(household, phone="13500000000")  # the household form, opened first

    assert client.post(f"/households/members/{head.pk}/edit/", person_form(head, name="周大江")).status_code == 302
    response = client.post(f"/households/{household.pk}/edit/", opened)

    assert response.status_code == 200
    assert "该记录已被他人修改" in html(response)
    household.refresh_from_db()
    assert household.head_name == "周大江"
    assert household.phone != "13500000000"


def test_renaming_the_household_head_renames_the_single_head_member(clerk_a, family):
    household, head, wife = family
    version = head.version

    household_update(household=household, by=clerk_a, expected_version=household.version,
                     data={"head_name": "周大江"})

    head.refresh_from_db()
    wife.refresh_from_db()
    assert (head.name, head.version) == ("周大江", version + 1)
    assert wife.name == "李秀英"
    assert AuditEvent.objects.filter(action="update", object_type="households.person",
                                     object_id=str(head.pk), detail__contains="name").exists()


def test_renaming_the_household_head_leaves_members_when_two_are_marked_head(clerk_a, family):
    household, head, wife = family
    Person.objects.filter(pk=wife.pk).update(relation="0")

    household_update(household=household, by=clerk_a, expected_version=household.version,
                     data={"head_name": "周大江"})

    assert sorted(Person.objects.filter(household=household).values_list("name", flat=True)) == ["周大海", "李秀英"]


def test_renaming_the_household_head_skips_a_voided_head_member(clerk_a, family):
    household, head, _wife = family
    Person.objects.filter(pk=head.pk).update(is_void=True)

    household_update(household=household, by=clerk_a, expected_version=household.version,
                     data={"head_name": "周大江"})

    head.refresh_from_db()
    assert head.name == "周大海"


def test_member_form_opened_before_the_household_head_was_renamed_is_refused(client_for, clerk_a, family):
    household, head, _wife = family
    client = client_for(clerk_a)
    opened = person_form(head, phone="13311112222")  # the member form, opened first

    assert client.post(f"/households/{household.pk}/edit/", household_form(household, head_name="周大江")).status_code == 302
    response = client.post(f"/households/members/{head.pk}/edit/", opened)

    assert response.status_code == 200
    assert "该记录已被他人修改" in html(response)
    head.refresh_from_db()
    assert (head.name, head.phone) == ("周大江", "")


def test_household_edit_without_a_new_head_name_leaves_the_member(clerk_a, family):
    household, head, _wife = family
    version = head.version

    household_update(household=household, by=clerk_a, expected_version=household.version,
                     data={"head_name": "周大海", "address": "八组 1 号"})

    head.refresh_from_db()
    assert head.version == version
    assert Household.objects.get(pk=household.pk).address == "八组 1 号"


# --- a voided couple leaves the due lists, though its last 专人 stays on record -------------------
def test_voided_couple_with_an_overdue_visit_is_in_no_due_list(client_for, clerk_a, village_a):
    overdue = timezone.localdate() - datetime.timedelta(days=10)
    kept = RegisterCoupleFactory(household__village=village_a, next_visit_due=overdue)
    voided = RegisterCoupleFactory(household__village=village_a, next_visit_due=overdue)
    for couple in (kept, voided):
        couple_assign(couple=couple, staff=clerk_a, by=clerk_a)
    couple_void(couple=voided, by=clerk_a, reason="登记错误")
    voided.refresh_from_db()
    assert voided.responsible_id == clerk_a.pk  # history: left as it was
    client = client_for(clerk_a)

    for name in ("due_mine", "due_township"):
        response = client.get(f"/households/due/{'township/' if name == 'due_township' else ''}")
        shown = [c.pk for c in response.context["page"]]
        assert kept.pk in shown, name
        assert voided.pk not in shown, name


# --- correcting one's own outreach visit within 24 hours ------------------------------------------
OUTREACH_LIST = reverse("households:outreach_list")


def edit_url(visit) -> str:
    return reverse("households:outreach_edit", args=[visit.pk])


@pytest.fixture
def linked(village_a, bureau_staff):
    return WorkGroupFactory(villages=[village_a], members=[bureau_staff])


@pytest.fixture
def own_visit(village_a, bureau_staff, linked):
    return OutreachVisitFactory(household=HouseholdFactory(village=village_a), visitor=bureau_staff,
                                content="宣传生育支持政策", needs="")


@pytest.fixture
def colleague(village_a):
    """Another bureau staff member in a work group linked to the same village."""
    user = UserFactory(role=Role.BUREAU_STAFF)
    WorkGroupFactory(villages=[village_a], members=[user])
    return user


def age(visit, hours):
    OutreachVisit.objects.filter(pk=visit.pk).update(created_at=timezone.now() - datetime.timedelta(hours=hours))
    visit.refresh_from_db()


def test_visitor_corrects_own_visit_within_24_hours(bureau_staff, own_visit):
    age(own_visit, 23)

    outreach_update(visit=own_visit, by=bureau_staff, content=" 宣传托育补贴政策 ", needs="希望办理托育补贴")

    own_visit.refresh_from_db()
    assert (own_visit.content, own_visit.needs) == ("宣传托育补贴政策", "希望办理托育补贴")
    assert AuditEvent.objects.filter(action="update", object_type="households.outreachvisit",
                                     object_id=str(own_visit.pk), user=bureau_staff).exists()


def test_visit_older_than_24_hours_cannot_be_corrected(bureau_staff, own_visit):
    age(own_visit, 25)

    with pytest.raises(ValidationError, match="24 小时"):
        outreach_update(visit=own_visit, by=bureau_staff, content="改过的内容")

    own_visit.refresh_from_db()
    assert own_visit.content == "宣传生育支持政策"


def test_someone_elses_visit_cannot_be_corrected_in_the_service(colleague, own_visit):
    with pytest.raises(ValidationError, match="本人"):
        outreach_update(visit=own_visit, by=colleague, content="改过的内容")
    own_visit.refresh_from_db()
    assert own_visit.content == "宣传生育支持政策"


def test_blank_content_is_refused(bureau_staff, own_visit):
    with pytest.raises(ValidationError) as error:
        outreach_update(visit=own_visit, by=bureau_staff, content="  ")
    assert "content" in error.value.message_dict


def test_edit_page_saves_and_returns_to_the_list(client_for, bureau_staff, own_visit):
    client = client_for(bureau_staff)
    assert client.get(edit_url(own_visit)).status_code == 200

    response = client.post(edit_url(own_visit), {"content": "宣传托育补贴政策", "needs": "希望办理托育补贴"})

    assert response.status_code == 302
    assert response["Location"] == OUTREACH_LIST
    own_visit.refresh_from_db()
    assert (own_visit.content, own_visit.needs) == ("宣传托育补贴政策", "希望办理托育补贴")


def test_edit_page_after_24_hours_says_so_and_saves_nothing(client_for, bureau_staff, own_visit):
    age(own_visit, 30)
    client = client_for(bureau_staff)
    assert "24 小时" in html(client.get(edit_url(own_visit)))

    response = client.post(edit_url(own_visit), {"content": "改过的内容", "needs": ""})

    assert response.status_code == 200
    assert "24 小时" in html(response)
    assert "改过的内容" in html(response)  # what was typed stays
    own_visit.refresh_from_db()
    assert own_visit.content == "宣传生育支持政策"


def test_outreach_list_links_only_own_visits_within_24_hours(client_for, bureau_staff, own_visit, village_a):
    old = OutreachVisitFactory(household=HouseholdFactory(village=village_a), visitor=bureau_staff)
    age(old, 48)

    text = html(client_for(bureau_staff).get(OUTREACH_LIST))

    assert edit_url(own_visit) in text
    assert edit_url(old) not in text


def test_outreach_list_shows_clerks_no_edit_link(client_for, clerk_a, own_visit):
    text = html(client_for(clerk_a).get(OUTREACH_LIST))
    assert own_visit.content in text
    assert edit_url(own_visit) not in text


def test_other_bureau_staff_get_403_for_someone_elses_visit(client_for, colleague, own_visit):
    client = client_for(colleague)
    assert client.get(edit_url(own_visit)).status_code == 403
    assert client.post(edit_url(own_visit), {"content": "改过的内容"}).status_code == 403
    own_visit.refresh_from_db()
    assert own_visit.content == "宣传生育支持政策"


def test_bureau_staff_get_404_for_a_visit_outside_their_linked_villages(client_for, bureau_staff, linked, village_b):
    visit = OutreachVisitFactory(household=HouseholdFactory(village=village_b), visitor=bureau_staff)
    # Their work group no longer covers the village: the visit is out of scope, even though theirs.
    response = client_for(bureau_staff).post(edit_url(visit), {"content": "改过的内容"})
    assert response.status_code == 404
    visit.refresh_from_db()
    assert visit.content != "改过的内容"


def test_clerk_gets_403_for_a_visit_in_their_township(client_for, clerk_a, own_visit):
    client = client_for(clerk_a)
    assert client.get(edit_url(own_visit)).status_code == 403
    assert client.post(edit_url(own_visit), {"content": "改过的内容"}).status_code == 403
    own_visit.refresh_from_db()
    assert own_visit.content == "宣传生育支持政策"


def test_clerk_of_another_township_is_refused_by_role_and_nothing_saved(client_for, clerk_b, own_visit):
    # The role check (decorator) answers first: clerks may never correct outreach visits.
    response = client_for(clerk_b).post(edit_url(own_visit), {"content": "改过的内容"})
    assert response.status_code == 403
    own_visit.refresh_from_db()
    assert own_visit.content == "宣传生育支持政策"


def test_edit_page_refuses_put(client_for, bureau_staff, own_visit):
    assert client_for(bureau_staff).put(edit_url(own_visit)).status_code == 405


def test_edit_page_sends_anonymous_to_login(client, own_visit):
    response = client.get(edit_url(own_visit))
    assert response.status_code == 302
    assert "login" in response["Location"]
