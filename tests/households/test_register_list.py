"""The register list (摸底造册, households:register_list): scope, search, filters, sort, masking, queries."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role

from .querycount import CLERK_REQUEST
from ..factories import RegisterCoupleFactory, UserFactory, VillageFactory, id_number

URL = reverse("households:register_list")
DAY = datetime.timedelta(days=1)


def rows(response):
    return [c.pk for c in response.context["page"].object_list]


@pytest.fixture
def couple(village_a, clerk_a):
    c = RegisterCoupleFactory(household__village=village_a, household__phone="13912345678", responsible=clerk_a)
    # A birth date no factory uses, so the ID's tail is this wife's alone.
    birth = datetime.date(1991, 11, 11)
    c.wife.name, c.wife.birth_date, c.wife.id_number = "李秀英", birth, id_number(901, sex="2", birth=birth)
    c.wife.save()
    return c


def test_clerk_sees_own_township_couples_in_register_only(client_for, clerk_a, village_a, village_b, couple):
    RegisterCoupleFactory(household__village=village_b)  # other township
    RegisterCoupleFactory(household__village=village_a, in_register=False, planned_timing="5")  # not in register
    RegisterCoupleFactory(household__village=village_a, is_void=True)  # void

    response = client_for(clerk_a).get(URL)

    assert response.status_code == 200
    assert rows(response) == [couple.pk]


def test_register_list_masks_id_numbers(client_for, clerk_a, couple):
    html = client_for(clerk_a).get(URL).content.decode()
    assert couple.wife.id_number not in html
    assert couple.husband.id_number not in html
    assert couple.wife.masked_id_number in html
    assert couple.wife.masked_id_number.count("*") == 8


@pytest.mark.parametrize("term", ["秀英", "TAIL4", "FULL", "full-lowercase-x", "13912345678", "HUSBAND"])
def test_search_by_name_id_tail_full_id_and_phone(client_for, clerk_a, village_a, couple, term):
    other = RegisterCoupleFactory(household__village=village_a, household__phone="13700000000")
    term = {"TAIL4": couple.wife.id_number[-4:], "FULL": couple.wife.id_number,
            "full-lowercase-x": couple.wife.id_number.lower(), "HUSBAND": couple.husband.name}.get(term, term)

    response = client_for(clerk_a).get(URL, {"q": term})

    assert couple.pk in rows(response)
    assert other.pk not in rows(response)


def test_search_by_last_four_id_characters(client_for, clerk_a, couple):
    assert couple.pk in rows(client_for(clerk_a).get(URL, {"q": couple.wife.id_number[-4:]}))


def test_search_does_not_reach_other_township(client_for, clerk_a, village_b):
    other = RegisterCoupleFactory(household__village=village_b)
    assert rows(client_for(clerk_a).get(URL, {"q": other.wife.id_number})) == []


def test_filters_village_timing_status_and_staff(client_for, clerk_a, township_a, village_a, couple):
    village_2 = VillageFactory(township=township_a, name="张湾村")
    colleague = UserFactory(role=Role.CLERK, township=township_a)
    in_v2 = RegisterCoupleFactory(household__village=village_2, planned_timing="3", pregnancy_status="pregnant",
                                  responsible=colleague)
    client = client_for(clerk_a)

    assert rows(client.get(URL, {"village": village_2.pk})) == [in_v2.pk]
    assert rows(client.get(URL, {"planned_timing": "3"})) == [in_v2.pk]
    assert rows(client.get(URL, {"pregnancy_status": "pregnant"})) == [in_v2.pk]
    assert rows(client.get(URL, {"responsible": clerk_a.pk})) == [couple.pk]


def test_sort_by_next_due_timing_and_village(client_for, clerk_a, township_a, village_a):
    today = timezone.localdate()
    v_late = VillageFactory(township=township_a, code="411099001999", name="后村")
    a = RegisterCoupleFactory(household__village=v_late, planned_timing="1", next_visit_due=today + 9 * DAY)
    b = RegisterCoupleFactory(household__village=village_a, planned_timing="2", next_visit_due=today - 3 * DAY)
    c = RegisterCoupleFactory(household__village=village_a, planned_timing="4", next_visit_due=today + DAY)
    client = client_for(clerk_a)

    assert rows(client.get(URL)) == [b.pk, c.pk, a.pk]
    assert rows(client.get(URL, {"sort": "timing"})) == [a.pk, b.pk, c.pk]
    assert rows(client.get(URL, {"sort": "village"}))[-1] == a.pk


def test_filters_are_kept_across_pages(client_for, clerk_a, village_a, settings):
    settings.HOUSEHOLDS_PAGE_SIZE = 2
    for _ in range(3):
        RegisterCoupleFactory(household__village=village_a, planned_timing="2")
    html = client_for(clerk_a).get(URL, {"planned_timing": "2"}).content.decode()
    assert "?planned_timing=2&amp;after=" in html  # the next page keeps the filter (keyset link)


def test_other_township_village_in_filter_is_404(client_for, clerk_a, village_b):
    assert client_for(clerk_a).get(URL, {"village": village_b.pk}).status_code == 404


def test_other_township_staff_in_filter_is_404(client_for, clerk_a, clerk_b):
    assert client_for(clerk_a).get(URL, {"responsible": clerk_b.pk}).status_code == 404


@pytest.mark.parametrize("who", ["bureau_staff", "leader", "clinician", "inspector", "auditor", "admin_user"])
def test_register_list_is_for_clerks_only(request, client_for, who):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 403


def test_register_list_refuses_post(client_for, clerk_a):
    assert client_for(clerk_a).post(URL).status_code == 405


def test_register_list_needs_login(client, db):
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_register_list_query_count_does_not_grow_with_rows(client_for, clerk_a, village_a,
                                                           django_assert_num_queries, settings):
    settings.HOUSEHOLDS_PAGE_SIZE = 50
    client = client_for(clerk_a)
    for _ in range(5):
        RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)
    client.get(URL)  # warm the session
    with django_assert_num_queries(CLERK_REQUEST + 4):  # filter choices (village, staff), keys with the capped total, rows
        assert len(rows(client.get(URL))) == 5
    for _ in range(25):
        RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)
    with django_assert_num_queries(CLERK_REQUEST + 4):
        assert len(rows(client.get(URL))) == 30


def test_filter_panel_is_folded_until_a_filter_is_used(client_for, clerk_a, couple):
    client = client_for(clerk_a)
    assert 'open data-testid="more-filters"' not in client.get(URL, {"q": "李"}).content.decode()
    assert 'open data-testid="more-filters"' in client.get(URL, {"planned_timing": "1"}).content.decode()


def test_an_invalid_filter_is_reported_and_the_valid_ones_still_apply(client_for, clerk_a, township_a, village_a,
                                                                     couple):
    village_2 = VillageFactory(township=township_a)
    RegisterCoupleFactory(household__village=village_2)

    response = client_for(clerk_a).get(URL, {"village": village_a.pk, "planned_timing": "9"})

    # It used to drop every filter and show the whole register.
    assert response.status_code == 200
    assert rows(response) == [couple.pk]
    assert "planned_timing" in response.context["form"].errors


def test_filter_by_a_deactivated_colleague_is_a_form_error_not_a_404(client_for, clerk_a, township_a, couple):
    gone = UserFactory(role=Role.CLERK, township=township_a, is_active=False)

    response = client_for(clerk_a).get(URL, {"responsible": gone.pk})

    assert response.status_code == 200
    assert "responsible" in response.context["form"].errors
