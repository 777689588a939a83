"""Work-group outreach (大走访): linked-village households, recording visits, the visit lists."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from households.models import OutreachVisit
from households.services.outreach import outreach_record

from .querycount import REQUEST
from ..factories import (
    HouseholdFactory, OutreachVisitFactory, PersonFactory, UserFactory, VillageFactory, WorkGroupFactory,
)

HOUSEHOLDS = reverse("households:outreach_households")
VISITS = reverse("households:outreach_list")
DAY = datetime.timedelta(days=1)


def create_url(household):
    return reverse("households:outreach_create", args=[household.pk])


def rows(response):
    return [x.pk for x in response.context["page"].object_list]


@pytest.fixture
def linked(village_a, bureau_staff):
    """The bureau staff member's work group is linked to village_a only."""
    return WorkGroupFactory(villages=[village_a], members=[bureau_staff])


@pytest.fixture
def household(village_a, linked):
    return HouseholdFactory(village=village_a, head_name="陈大山", phone="13811112222")


@pytest.fixture
def outside(township_a):
    """A household in township A but in a village the work group is not linked to."""
    return HouseholdFactory(village=VillageFactory(township=township_a))


def data(**overrides):
    return {"visit_date": timezone.localdate().isoformat(), "content": "宣传生育支持政策", "needs": "希望了解托育服务",
            **overrides}


# --- households of linked villages ---------------------------------------------------------------
def test_bureau_staff_see_households_of_linked_villages_only(client_for, bureau_staff, household, outside, village_b):
    HouseholdFactory(village=village_b)
    HouseholdFactory(village=household.village, is_void=True)

    response = client_for(bureau_staff).get(HOUSEHOLDS)

    assert response.status_code == 200
    assert rows(response) == [household.pk]


def test_inactive_work_group_links_nothing(client_for, bureau_staff, household, linked):
    linked.is_active = False
    linked.save()
    assert rows(client_for(bureau_staff).get(HOUSEHOLDS)) == []
    assert client_for(bureau_staff).get(create_url(household)).status_code == 404


def test_household_list_masks_the_head_id_and_searches(client_for, bureau_staff, household, village_a):
    head = PersonFactory(household=household, name="陈大山")
    other = HouseholdFactory(village=village_a, head_name="周小河", phone="13900000000")
    client = client_for(bureau_staff)

    html = client.get(HOUSEHOLDS).content.decode()
    assert head.id_number not in html
    assert head.masked_id_number in html
    for q in ("陈大山", "13811112222", head.id_number[-4:], head.id_number):
        found = rows(client.get(HOUSEHOLDS, {"q": q}))
        assert household.pk in found and other.pk not in found, q


def test_household_filter_by_unlinked_village_is_404(client_for, bureau_staff, linked, village_b):
    assert client_for(bureau_staff).get(HOUSEHOLDS, {"village": village_b.pk}).status_code == 404


@pytest.mark.parametrize("who", ["clerk_a", "clinician", "inspector", "auditor", "admin_user"])
def test_outreach_households_is_for_the_bureau_only(request, client_for, who):
    assert client_for(request.getfixturevalue(who)).get(HOUSEHOLDS).status_code == 403


def test_outreach_households_query_count_does_not_grow(client_for, bureau_staff, village_a, linked,
                                                       django_assert_num_queries, settings):
    settings.HOUSEHOLDS_PAGE_SIZE = 50
    client = client_for(bureau_staff)
    for _ in range(5):
        PersonFactory(household=HouseholdFactory(village=village_a))
    client.get(HOUSEHOLDS)
    with django_assert_num_queries(REQUEST + 4):  # village choices, keys with the capped total, rows, heads
        assert len(rows(client.get(HOUSEHOLDS))) == 5
    for _ in range(25):
        PersonFactory(household=HouseholdFactory(village=village_a))
    with django_assert_num_queries(REQUEST + 4):
        assert len(rows(client.get(HOUSEHOLDS))) == 30


# --- recording a visit -------------------------------------------------------------------------
def test_bureau_staff_record_outreach_visit(client_for, bureau_staff, household):
    client = client_for(bureau_staff)
    assert client.get(create_url(household)).status_code == 200

    response = client.post(create_url(household), data())

    assert response.status_code == 302
    assert response["Location"] == VISITS
    visit = OutreachVisit.objects.get()
    assert (visit.household, visit.visitor, visit.township_id) == (household, bureau_staff, household.township_id)
    assert (visit.content, visit.needs) == ("宣传生育支持政策", "希望了解托育服务")
    assert AuditEvent.objects.filter(action="create", object_type="households.outreachvisit").count() == 1


def test_future_date_or_missing_content_is_refused_and_input_kept(client_for, bureau_staff, household):
    tomorrow = (timezone.localdate() + DAY).isoformat()
    response = client_for(bureau_staff).post(create_url(household), data(visit_date=tomorrow, needs="修路"))

    assert response.status_code == 200
    assert response.context["form"].errors["visit_date"] == ["走访日期不能晚于今天。"]
    assert "修路" in response.content.decode()
    response = client_for(bureau_staff).post(create_url(household), data(content=""))
    assert "content" in response.context["form"].errors
    assert not OutreachVisit.objects.exists()


def test_bureau_staff_get_404_for_households_outside_linked_villages(client_for, bureau_staff, linked, outside,
                                                                     village_b):
    other_township = HouseholdFactory(village=village_b)
    client = client_for(bureau_staff)
    for target in (outside, other_township):
        assert client.get(create_url(target)).status_code == 404
        assert client.post(create_url(target), data()).status_code == 404
        target.refresh_from_db()
        assert target.version == 1
    assert not OutreachVisit.objects.exists()


def test_clerks_cannot_record_outreach(client_for, clerk_a, household):
    assert client_for(clerk_a).get(create_url(household)).status_code == 403
    assert client_for(clerk_a).post(create_url(household), data()).status_code == 403
    assert not OutreachVisit.objects.exists()


@pytest.mark.parametrize("who", ["clinician", "inspector", "auditor", "admin_user"])
def test_other_roles_cannot_record_outreach(request, client_for, household, who):
    assert client_for(request.getfixturevalue(who)).post(create_url(household), data()).status_code == 403
    assert not OutreachVisit.objects.exists()


def test_outreach_create_refuses_other_methods_and_needs_login(client, client_for, bureau_staff, household):
    assert client.get(create_url(household)).status_code == 302
    assert client_for(bureau_staff).delete(create_url(household)).status_code == 405


def test_service_refuses_unlinked_households_and_non_bureau_users(bureau_staff, clerk_a, household, outside):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="联系村"):
        outreach_record(household=outside, by=bureau_staff, visit_date=today, content="走访")
    with pytest.raises(ValidationError, match="局机关工作人员"):
        outreach_record(household=household, by=clerk_a, visit_date=today, content="走访")
    assert not OutreachVisit.objects.exists()


# --- lists of outreach visits --------------------------------------------------------------------
def test_bureau_staff_see_only_their_own_outreach_visits(client_for, bureau_staff, household):
    mine = OutreachVisitFactory(household=household, visitor=bureau_staff)
    colleague = UserFactory(role=Role.BUREAU_STAFF)
    OutreachVisitFactory(household=household, visitor=colleague)

    response = client_for(bureau_staff).get(VISITS)

    assert response.status_code == 200
    assert rows(response) == [mine.pk]


def test_clerks_read_outreach_visits_to_their_township(client_for, clerk_a, household, village_b):
    theirs = OutreachVisitFactory(household=household)
    OutreachVisitFactory(household=HouseholdFactory(village=village_b))

    response = client_for(clerk_a).get(VISITS)

    assert rows(response) == [theirs.pk]
    assert f'href="{reverse("households:outreach_households")}"' not in response.content.decode()  # read-only


def test_outreach_list_search_and_dates(client_for, bureau_staff, household):
    today = timezone.localdate()
    a = OutreachVisitFactory(household=household, visitor=bureau_staff, visit_date=today - 10 * DAY, content="慰问")
    b = OutreachVisitFactory(household=household, visitor=bureau_staff, visit_date=today, content="宣传托育政策")
    client = client_for(bureau_staff)
    assert rows(client.get(VISITS, {"q": "托育"})) == [b.pk]
    assert rows(client.get(VISITS, {"date_to": (today - DAY).isoformat()})) == [a.pk]


@pytest.mark.parametrize("who", ["clinician", "inspector", "auditor", "admin_user"])
def test_outreach_list_refuses_other_roles(request, client_for, who):
    assert client_for(request.getfixturevalue(who)).get(VISITS).status_code == 403


def test_outreach_list_refuses_post(client_for, bureau_staff):
    assert client_for(bureau_staff).post(VISITS).status_code == 405


def test_outreach_list_query_count_does_not_grow(client_for, bureau_staff, household, django_assert_num_queries,
                                                 settings):
    settings.HOUSEHOLDS_PAGE_SIZE = 50
    client = client_for(bureau_staff)
    for _ in range(5):
        OutreachVisitFactory(household=HouseholdFactory(village=household.village), visitor=bureau_staff)
    client.get(VISITS)
    with django_assert_num_queries(REQUEST + 2):  # keys with the capped total, rows
        assert len(rows(client.get(VISITS))) == 5
    for _ in range(25):
        OutreachVisitFactory(household=HouseholdFactory(village=household.village), visitor=bureau_staff)
    with django_assert_num_queries(REQUEST + 2):
        assert len(rows(client.get(VISITS))) == 30


def test_outreach_create_url_sits_under_the_household(household):
    # It used to come out as /households/households/<pk>/outreach/new/.
    assert create_url(household) == f"/households/{household.pk}/outreach/new/"


# --- leaders are bureau members too (机关全体人员) ------------------------------------------------
def test_a_leader_in_a_work_group_records_outreach(client_for, leader, village_a, household):
    """Outside any group a leader sees no household (404, nothing written); once a member of the
    group linked to the village, they record a visit like bureau staff."""
    client = client_for(leader)
    assert client.post(create_url(household), data()).status_code == 404
    assert not OutreachVisit.objects.exists()
    WorkGroupFactory(villages=[village_a], members=[leader])
    assert client.post(create_url(household), data()).status_code == 302
    visit = OutreachVisit.objects.get()
    assert visit.visitor == leader
    assert rows(client.get(VISITS)) == [visit.pk]
