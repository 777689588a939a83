"""Merging duplicate households (a clerk, within the township) and the admin's reversal."""
import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from households.models import Couple, Household, HouseholdMerge, OutreachVisit, Person
from households.services.merges import household_merge, household_merge_revert
from tests.factories import (
    CoupleFactory, FollowUpVisitFactory, HouseholdFactory, OutreachVisitFactory, PersonFactory, VillageFactory,
    WorkGroupFactory,
)


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def pair(village_a):
    """Two households of township A that are really one: the source has a couple, a child and an
    outreach visit; the target has its own head."""
    source = HouseholdFactory(village=village_a, head_name="张三", address="一组 1 号")
    couple = CoupleFactory(household=source)
    child = PersonFactory(household=source, relation="2", name="张小三")
    outreach = OutreachVisitFactory(household=source)
    FollowUpVisitFactory(couple=couple)
    target = HouseholdFactory(village=village_a, head_name="张三", address="一组 1号")
    target_head = PersonFactory(household=target, name="张三丰", sex="1")
    return {"source": source, "target": target, "couple": couple, "child": child, "outreach": outreach,
            "target_head": target_head}


def source_people(pair):
    return sorted([pair["couple"].wife.pk, pair["couple"].husband.pk, pair["child"].pk])


# --- the services ---------------------------------------------------------------------------
def test_merge_moves_members_couples_and_outreach_and_voids_the_source(clerk_a, pair):
    source, target = pair["source"], pair["target"]

    merge = household_merge(source=source, target=target, by=clerk_a, reason="同一户重复登记")

    assert sorted(merge.moved_person_ids) == source_people(pair)
    assert merge.moved_couple_ids == [pair["couple"].pk]
    assert merge.moved_outreach_ids == [pair["outreach"].pk]
    assert set(Person.objects.filter(household=target).values_list("pk", flat=True)) == {
        *source_people(pair), pair["target_head"].pk}
    assert Couple.objects.get(pk=pair["couple"].pk).household_id == target.pk
    assert OutreachVisit.objects.get(pk=pair["outreach"].pk).household_id == target.pk
    source.refresh_from_db()
    assert (source.is_void, source.merged_into_id, source.voided_by) == (True, target.pk, clerk_a)
    assert "同一户重复登记" in source.void_reason
    assert (merge.township_id, merge.merged_by, merge.reason) == (source.township_id, clerk_a, "同一户重复登记")
    for household in (source, target):
        assert AuditEvent.objects.filter(
            action="update", object_type="households.household", object_id=str(household.pk)).exists()


def test_revert_moves_back_exactly_the_recorded_rows(clerk_a, admin_user, pair):
    source, target = pair["source"], pair["target"]
    merge = household_merge(source=source, target=target, by=clerk_a, reason="重复")
    added_later = PersonFactory(household=target, relation="3", name="后来的人")

    household_merge_revert(merge=merge, by=admin_user)

    assert sorted(Person.objects.filter(household=source).values_list("pk", flat=True)) == source_people(pair)
    assert set(Person.objects.filter(household=target).values_list("pk", flat=True)) == {
        pair["target_head"].pk, added_later.pk}
    assert Couple.objects.get(pk=pair["couple"].pk).household_id == source.pk
    assert OutreachVisit.objects.get(pk=pair["outreach"].pk).household_id == source.pk
    source.refresh_from_db()
    assert (source.is_void, source.merged_into_id, source.void_reason) == (False, None, "")
    merge.refresh_from_db()
    assert merge.reverted_by == admin_user and merge.reverted_at is not None


def test_revert_twice_is_refused(clerk_a, admin_user, pair):
    merge = household_merge(source=pair["source"], target=pair["target"], by=clerk_a, reason="重复")
    household_merge_revert(merge=merge, by=admin_user)
    with pytest.raises(ValidationError, match="不能重复撤销"):
        household_merge_revert(merge=merge, by=admin_user)


def test_revert_refused_when_a_moved_row_left_the_target(clerk_a, admin_user, pair, village_a):
    merge = household_merge(source=pair["source"], target=pair["target"], by=clerk_a, reason="重复")
    third = HouseholdFactory(village=village_a)
    Person.objects.filter(pk=pair["child"].pk).update(household=third)
    with pytest.raises(ValidationError, match="已转到其他家庭户"):
        household_merge_revert(merge=merge, by=admin_user)
    assert Person.objects.get(pk=pair["couple"].wife.pk).household_id == pair["target"].pk  # nothing half-done


def test_merge_across_townships_is_refused(clerk_a, pair, village_b):
    foreign = HouseholdFactory(village=village_b)
    with pytest.raises(ValidationError):
        household_merge(source=pair["source"], target=foreign, by=clerk_a, reason="x")
    assert Person.objects.filter(household=pair["source"]).count() == 3


def test_merge_into_void_household_or_itself_is_refused(clerk_a, pair):
    with pytest.raises(ValidationError):
        household_merge(source=pair["source"], target=pair["source"], by=clerk_a, reason="x")
    Household.objects.filter(pk=pair["target"].pk).update(is_void=True)
    with pytest.raises(ValidationError, match="保留户已作废"):
        household_merge(source=pair["source"], target=pair["target"], by=clerk_a, reason="x")
    assert not HouseholdMerge.objects.exists()


# --- the view -------------------------------------------------------------------------------
def test_clerk_finds_candidates_of_own_township_only(client_for, clerk_a, pair, village_b):
    HouseholdFactory(village=village_b, head_name="张三")
    response = client_for(clerk_a).get(f"/households/{pair['source'].pk}/merge/", {"q": "张三"})
    assert [h.pk for h in response.context["candidates"]] == [pair["target"].pk]


def test_preview_lists_what_moves(client_for, clerk_a, pair):
    response = client_for(clerk_a).get(f"/households/{pair['source'].pk}/merge/", {"target": pair["target"].pk})
    page = html(response)
    assert response.status_code == 200
    assert 'data-testid="merge-preview"' in page
    assert "张小三" in page and pair["couple"].wife.name in page
    assert "转移走访记录 1 条" in page
    assert pair["child"].id_number not in page  # masked here too


def test_clerk_merges_with_reason(client_for, clerk_a, pair):
    response = client_for(clerk_a).post(f"/households/{pair['source'].pk}/merge/",
                                        {"target": pair["target"].pk, "reason": "同一户"})
    assert response.status_code == 302
    assert response["Location"] == f"/households/{pair['target'].pk}/"
    pair["source"].refresh_from_db()
    assert pair["source"].merged_into_id == pair["target"].pk
    assert HouseholdMerge.objects.get().reason == "同一户"


def test_merge_without_reason_moves_nothing(client_for, clerk_a, pair):
    response = client_for(clerk_a).post(f"/households/{pair['source'].pk}/merge/",
                                        {"target": pair["target"].pk, "reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert not HouseholdMerge.objects.exists()
    assert Person.objects.filter(household=pair["source"]).count() == 3


def test_merge_target_of_other_township_in_post_is_404(client_for, clerk_a, pair, village_b):
    foreign = HouseholdFactory(village=village_b)
    response = client_for(clerk_a).post(f"/households/{pair['source'].pk}/merge/",
                                        {"target": foreign.pk, "reason": "x"})
    assert response.status_code == 404
    assert not HouseholdMerge.objects.exists()
    assert client_for(clerk_a).get(f"/households/{pair['source'].pk}/merge/", {"target": foreign.pk}).status_code == 404


def test_merge_of_other_township_source_is_404(client_for, clerk_b, pair):
    response = client_for(clerk_b).post(f"/households/{pair['source'].pk}/merge/",
                                        {"target": pair["target"].pk, "reason": "x"})
    assert response.status_code == 404
    pair["source"].refresh_from_db()
    assert not pair["source"].is_void


def test_bureau_staff_cannot_merge(client_for, bureau_staff, pair, village_a):
    WorkGroupFactory(villages=[village_a], members=[bureau_staff])
    response = client_for(bureau_staff).post(f"/households/{pair['source'].pk}/merge/",
                                             {"target": pair["target"].pk, "reason": "x"})
    assert response.status_code == 403
    assert not HouseholdMerge.objects.exists()


def test_merge_refuses_put(client_for, clerk_a, pair):
    assert client_for(clerk_a).put(f"/households/{pair['source'].pk}/merge/").status_code == 405


def test_merged_household_detail_points_to_the_target(client_for, clerk_a, pair):
    household_merge(source=pair["source"], target=pair["target"], by=clerk_a, reason="重复")
    page = html(client_for(clerk_a).get(f"/households/{pair['source'].pk}/"))
    assert 'data-testid="merged-into"' in page and f'href="/households/{pair["target"].pk}/"' in page


# --- the admin ------------------------------------------------------------------------------
ADMIN_MERGES = "/admin/households/householdmerge/"


def test_admin_reverts_a_merge_round_trip(client_for, clerk_a, admin_user, pair):
    merge = household_merge(source=pair["source"], target=pair["target"], by=clerk_a, reason="重复")

    response = client_for(admin_user).post(ADMIN_MERGES, {
        "action": "revert_merges", "_selected_action": [merge.pk], "index": 0}, follow=True)

    assert response.status_code == 200
    assert "已撤销 1 次合并" in html(response)
    assert sorted(Person.objects.filter(household=pair["source"]).values_list("pk", flat=True)) == source_people(pair)
    assert Couple.objects.get(pk=pair["couple"].pk).household_id == pair["source"].pk
    merge.refresh_from_db()
    pair["source"].refresh_from_db()
    assert merge.reverted_by == admin_user and not pair["source"].is_void

    again = client_for(admin_user).post(ADMIN_MERGES, {
        "action": "revert_merges", "_selected_action": [merge.pk], "index": 0}, follow=True)
    assert "不能重复撤销" in html(again)


def test_admin_merge_list_shows_ids_not_personal_details(client_for, clerk_a, admin_user, pair):
    merge = household_merge(source=pair["source"], target=pair["target"], by=clerk_a, reason="重复")
    client = client_for(admin_user)
    for url in (ADMIN_MERGES, f"{ADMIN_MERGES}{merge.pk}/change/"):
        page = html(client.get(url))
        assert f"#{pair['source'].pk}" in page and f"#{pair['target'].pk}" in page
        assert "一组 1 号" not in page and pair["couple"].wife.name not in page


@pytest.mark.parametrize("who", ["clerk_a", "auditor", "leader"])
def test_other_roles_cannot_revert_in_admin(request, client_for, admin_user, clerk_a, pair, who):
    merge = household_merge(source=pair["source"], target=pair["target"], by=clerk_a, reason="重复")
    response = client_for(request.getfixturevalue(who)).post(ADMIN_MERGES, {
        "action": "revert_merges", "_selected_action": [merge.pk], "index": 0})
    assert response.status_code == 403
    merge.refresh_from_db()
    assert merge.reverted_at is None


def test_admin_manages_work_groups_of_bureau_staff(client_for, admin_user, bureau_staff, clerk_a, village_a):
    client = client_for(admin_user)
    form = client.get("/admin/households/workgroup/add/").context["adminform"].form
    members = list(form.fields["members"].queryset)
    assert bureau_staff in members and clerk_a not in members

    response = client.post("/admin/households/workgroup/add/", {
        "name": "第九工作组", "members": [bureau_staff.pk], "villages": [village_a.pk], "is_active": "on"})
    assert response.status_code == 302
    assert client.get("/admin/households/workgroup/").status_code == 200
    assert "第九工作组" in html(client.get("/admin/households/workgroup/"))


# --- audit and scope around merges ------------------------------------------------------------
def test_showing_the_merge_preview_writes_a_view_row_for_the_source(client_for, clerk_a, pair):
    client = client_for(clerk_a)
    url = f"/households/{pair['source'].pk}/merge/"
    views = AuditEvent.objects.filter(action="view", object_type="households.household",
                                      object_id=str(pair["source"].pk))

    client.get(url, {"q": "张三"})  # the search alone shows no member of the source
    assert not views.exists()

    client.get(url, {"target": pair["target"].pk})
    event = views.get()
    assert (event.user, event.township_id) == (clerk_a, pair["source"].township_id)


def test_household_detail_lists_only_merged_households_in_the_users_scope(client_for, clerk_a, bureau_staff,
                                                                         township_a, village_a):
    other_village = VillageFactory(township=township_a, code="411099001009", name="河湾村")
    target = HouseholdFactory(village=village_a, head_name="保留户主")
    hidden = HouseholdFactory(village=other_village, head_name="邻村户主")
    shown = HouseholdFactory(village=village_a, head_name="本村户主")
    household_merge(source=hidden, target=target, by=clerk_a, reason="重复")
    household_merge(source=shown, target=target, by=clerk_a, reason="重复")
    WorkGroupFactory(villages=[village_a], members=[bureau_staff])

    staff_page = client_for(bureau_staff).get(f"/households/{target.pk}/")
    clerk_page = client_for(clerk_a).get(f"/households/{target.pk}/")

    assert [h.pk for h in staff_page.context["merged_from"]] == [shown.pk]
    assert "邻村户主" not in html(staff_page) and "本村户主" in html(staff_page)
    assert [h.pk for h in clerk_page.context["merged_from"]] == [hidden.pk, shown.pk]
