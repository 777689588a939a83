"""包村联户: a group leader links members to households, leaders' coverage page and its masked
lists, needs raised in outreach visits (群众诉求) and every legal and illegal step."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.permissions import CapabilityDenied
from accounts.roles import Role
from households.models import CadreLink, Need, NeedStep
from households.selectors.cadres import coverage, quarter_start
from households.services.cadres import cadre_link, cadre_unlink
from households.services.needs import need_move
from households.services.outreach import outreach_record

from ..factories import HouseholdFactory, OutreachVisitFactory, UserFactory, VillageFactory, WorkGroupFactory
from .querycount import REQUEST

TODAY = timezone.localdate()


@pytest.fixture
def group(village_a, bureau_staff):
    """第一工作组: village_a; bureau_staff leads it, a colleague is a member."""
    colleague = UserFactory(username="colleague", name="赵敏", role=Role.BUREAU_STAFF)
    group = WorkGroupFactory(villages=[village_a], members=[bureau_staff, colleague])
    group.leader = bureau_staff
    group.save()
    group.colleague = colleague
    return group


@pytest.fixture
def homes(village_a):
    return [HouseholdFactory(village=village_a, head_name=f"户主{n}") for n in range(3)]


# --- linking ---------------------------------------------------------------------------------------
def test_the_group_leader_links_members_to_households_of_the_groups_villages(group, homes, bureau_staff, village_b):
    assert cadre_link(group=group, cadre=group.colleague, household_ids=[h.pk for h in homes[:2]],
                      by=bureau_staff) == 2
    assert cadre_link(group=group, cadre=group.colleague, household_ids=[homes[0].pk], by=bureau_staff) == 0
    outside = HouseholdFactory(village=village_b)
    with pytest.raises(ValidationError, match="不在本工作组"):
        cadre_link(group=group, cadre=group.colleague, household_ids=[homes[2].pk, outside.pk], by=bureau_staff)
    assert CadreLink.objects.count() == 2  # nothing of the refused batch
    with pytest.raises(CapabilityDenied):  # a member who does not lead the group
        cadre_link(group=group, cadre=bureau_staff, household_ids=[homes[2].pk], by=group.colleague)
    stranger = UserFactory(role=Role.BUREAU_STAFF)
    with pytest.raises(ValidationError, match="不是本工作组成员"):
        cadre_link(group=group, cadre=stranger, household_ids=[homes[2].pk], by=bureau_staff)
    link = CadreLink.objects.first()
    cadre_unlink(link=link, by=bureau_staff)
    link.refresh_from_db()
    assert link.ended_at is not None and CadreLink.objects.count() == 2  # ended, not deleted
    assert AuditEvent.objects.filter(object_type="households.cadrelink").count() == 3


def test_link_pages_are_the_group_leaders_only(client_for, group, homes, bureau_staff, leader, clerk_a):
    url = reverse("households:member_links", args=[group.pk, group.colleague.pk])
    response = client_for(bureau_staff).post(url, {"household": [homes[0].pk]})
    assert response.status_code == 302 and CadreLink.objects.filter(cadre=group.colleague).count() == 1
    # Another leader (not this group's) → 404; a clerk → 403; nothing written either way.
    assert client_for(leader).post(url, {"household": [homes[1].pk]}).status_code == 404
    assert client_for(clerk_a).post(url, {"household": [homes[1].pk]}).status_code == 403
    assert client_for(group.colleague).post(url, {"household": [homes[1].pk]}).status_code == 404
    assert CadreLink.objects.count() == 1
    page = client_for(bureau_staff).get(url, {"q": "户主"})
    assert [h.pk for h in page.context["candidates"]] == [homes[1].pk, homes[2].pk]
    assert client_for(bureau_staff).get(reverse("households:member_links",
                                                args=[group.pk, UserFactory().pk])).status_code == 404


# --- coverage --------------------------------------------------------------------------------------
def test_coverage_figures_and_the_lists_behind_them(client_for, group, homes, bureau_staff, leader, township_a,
                                                    django_assert_num_queries):
    cadre_link(group=group, cadre=group.colleague, household_ids=[h.pk for h in homes], by=bureau_staff)
    OutreachVisitFactory(household=homes[0], visitor=group.colleague, visit_date=TODAY)
    OutreachVisitFactory(household=homes[1], visitor=group.colleague,
                         visit_date=quarter_start(TODAY) - datetime.timedelta(days=1))  # last quarter
    lonely = VillageFactory(township=township_a, name="未联系村")
    figures = coverage(today=TODAY)
    # Staff in no group: the leader (a bureau member too); villages in no group: the new one.
    assert figures["staff_without_group"] == 1 and figures["villages_without_group"] == 1
    assert [(c["cadre_id"], c["linked"], c["unvisited"]) for c in figures["cadres"]] == [(group.colleague.pk, 3, 2)]
    client = client_for(leader)
    client.get(reverse("households:coverage"))
    with django_assert_num_queries(REQUEST + 3):
        assert client.get(reverse("households:coverage")).status_code == 200
    staff = client.get(reverse("households:coverage_list", args=["staff"]))
    assert [u.pk for u in staff.context["page"].object_list] == [leader.pk]
    villages = client.get(reverse("households:coverage_list", args=["villages"]))
    assert [v.pk for v in villages.context["page"].object_list] == [lonely.pk]
    unvisited = client.get(reverse("households:coverage_list", args=["unvisited"]), {"cadre": group.colleague.pk})
    assert sorted(link.household_id for link in unvisited.context["page"].object_list) == [homes[1].pk, homes[2].pk]
    assert "身份证" not in unvisited.content.decode().replace("不显示身份证号", "")
    assert AuditEvent.objects.filter(object_type="households.coverage.unvisited", user=leader).exists()
    assert client.get(reverse("households:coverage_list", args=["nope"])).status_code == 404
    assert client_for(bureau_staff).get(reverse("households:coverage")).status_code == 403


# --- needs -----------------------------------------------------------------------------------------
@pytest.fixture
def need(group, homes, bureau_staff, settings):
    settings.HOUSEHOLDS_NEED_DEADLINE_DAYS = 30
    outreach_record(household=homes[0], by=bureau_staff, visit_date=TODAY - datetime.timedelta(days=31),
                    content="走访", needs="希望帮助申请育儿补贴")
    return Need.objects.get()


def test_a_visit_with_needs_raises_one_with_its_deadline(need, homes):
    assert (need.status, need.household, need.text) == ("open", homes[0], "希望帮助申请育儿补贴")
    assert need.deadline == TODAY - datetime.timedelta(days=1)
    assert need.is_overdue(TODAY) and not need.is_overdue(TODAY - datetime.timedelta(days=1))


@pytest.mark.parametrize(("path", "legal"), [
    (["referred", "resolved"], True),
    (["referred", "closed"], True),
    (["resolved"], True),
    (["closed"], True),
    (["referred", "referred"], False),
    (["resolved", "referred"], False),
    (["closed", "resolved"], False),
    (["resolved", "closed"], False),
    (["open"], False),
])
def test_need_transitions(need, bureau_staff, path, legal):
    *steps, last = path
    for to in steps:
        need_move(need=need, by=bureau_staff, to=to, note="县医保局")
    if legal:
        need_move(need=need, by=bureau_staff, to=last, note="已办理")
        need.refresh_from_db()
        assert need.status == last and not need.is_open
        assert [s.to_status for s in NeedStep.objects.filter(need=need)] == ["open", *path]
    else:
        before = Need.objects.get(pk=need.pk).status
        with pytest.raises(ValidationError):
            need_move(need=need, by=bureau_staff, to=last, note="x")
        assert Need.objects.get(pk=need.pk).status == before
        assert NeedStep.objects.filter(need=need).count() == 1 + len(steps)


def test_a_step_needs_its_note_and_the_bureau(need, bureau_staff, clerk_a, client_for):
    with pytest.raises(ValidationError) as refused:
        need_move(need=need, by=bureau_staff, to="closed", note=" ")
    assert refused.value.message_dict == {"note": ["请填写无法解决的原因。"]}
    with pytest.raises(CapabilityDenied):
        need_move(need=need, by=clerk_a, to="resolved", note="x")
    url = reverse("households:need_detail", args=[need.pk])
    assert client_for(clerk_a).get(url).status_code == 200  # the township reads it
    assert client_for(clerk_a).post(url, {"to": "resolved", "note": "x"}).status_code == 403
    response = client_for(bureau_staff).post(url, {"to": "referred", "note": ""})
    assert response.status_code == 400 and response.context["form"]["to"].value() == "referred"
    assert client_for(bureau_staff).post(url, {"to": "referred", "note": "县医保局"}).status_code == 302
    need.refresh_from_db()
    assert (need.status, need.referred_to) == ("referred", "县医保局")


def test_needs_are_scoped(need, client_for, clerk_b, leader):
    url = reverse("households:need_detail", args=[need.pk])
    assert client_for(clerk_b).get(url).status_code == 404
    assert client_for(leader).get(url).status_code == 404  # not in a group linked to the village
    assert client_for(clerk_b).get(reverse("households:need_list")).context["page"].object_list == []


def test_open_and_overdue_needs_on_the_cadres_home(need, client_for, bureau_staff):
    html = client_for(bureau_staff).get(reverse("home")).content.decode()
    assert 'data-testid="home-needs-open" data-count="1"' in html
    assert 'data-testid="home-needs-overdue" data-count="1"' in html


def test_the_weekly_briefing_counts_uncovered_villages_unvisited_households_and_needs(
        group, homes, bureau_staff, township_a, need):
    """As of the end of last week: 1 village in no group; of 3 linked households, the one visited
    this quarter before the week's end is covered; the need (raised 31 days ago, due yesterday) is
    open and, if the week ended after its deadline, overdue."""
    from assessment.services.weekly import weekly_report_build
    from assessment.weeks import last_complete_week
    from households.selectors.cadres import weekly_coverage

    VillageFactory(township=township_a, name="未联系村")
    cadre_link(group=group, cadre=group.colleague, household_ids=[h.pk for h in homes], by=bureau_staff)
    CadreLink.objects.update(linked_at=timezone.now() - datetime.timedelta(days=60))
    week = last_complete_week()
    end = week + datetime.timedelta(days=7)
    OutreachVisitFactory(household=homes[1], visitor=group.colleague, visit_date=end - datetime.timedelta(days=1))
    got = weekly_coverage(end=end)
    visited_this_quarter = {homes[1].pk}
    if need.visit.visit_date >= quarter_start(end - datetime.timedelta(days=1)):
        visited_this_quarter.add(homes[0].pk)  # the visit that raised the need
    assert got["villages_without_group"] == 1
    assert got["unvisited_households"] == 3 - len(visited_this_quarter)
    assert got["needs_open"] == 1
    assert got["needs_overdue"] == (1 if need.deadline < end - datetime.timedelta(days=1) else 0)
    report = weekly_report_build(week_start=week).report
    assert report.figures["outreach"]["coverage"]["needs_open"] == 1
