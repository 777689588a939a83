"""Access helpers (accounts/permissions.py) and ScopedQuerySet (accounts/scoping.py).

ScopedQuerySet has no concrete user in accounts itself (households brings the first), so these
tests scope the real Village table with a queryset declared here, as an app would.
A small URLconf below puts the helpers behind views to prove the 404/403 answers and their audit
rows end to end.
"""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import path

from accounts.models import AuditEvent, Village
from accounts.permissions import (
    CapabilityDenied,
    OutOfScope,
    capability_required,
    get_object_for_user,
    get_township_for_user,
    require_capability,
)
from accounts.roles import Cap, Role
from accounts.scoping import Scope, ScopedQuerySet, ScopeRule
from config.urls import urlpatterns as project_urlpatterns


class ScopedVillages(ScopedQuerySet):
    township_path = "township"
    scopes = {Role.CLERK: Scope.TOWNSHIP, Role.INSPECTOR: Scope.ALL, Role.BUREAU_STAFF: Scope.LINKED_VILLAGES}


def villages():
    return ScopedVillages(model=Village).order_by("code")


# --- ScopedQuerySet -------------------------------------------------------------------------

def test_clerk_sees_only_own_township(clerk_a, clerk_b, village_a, village_b):
    assert list(villages().visible_to(clerk_a)) == [village_a]
    assert list(villages().visible_to(clerk_b)) == [village_b]


def test_county_wide_scope_sees_every_township(inspector, village_a, village_b):
    assert list(villages().visible_to(inspector)) == [village_a, village_b]


@pytest.mark.parametrize("who", ["leader", "auditor", "admin_user", "clinician"])
def test_role_missing_from_scopes_sees_nothing(request, who, village_a, village_b):
    assert list(villages().visible_to(request.getfixturevalue(who))) == []


def test_linked_villages_without_village_path_sees_nothing(bureau_staff, village_a):
    assert list(villages().visible_to(bureau_staff)) == []


class VillagesByLink(ScopedVillages):
    village_path = "pk"  # a village is its own village


def test_bureau_staff_sees_villages_linked_to_an_active_work_group(bureau_staff, village_a, village_b,
                                                                   django_assert_num_queries):
    from households.models import WorkGroup  # declares the relation accounts.scoping relies on

    group = WorkGroup.objects.create(name="第一工作组")
    group.members.add(bureau_staff)
    group.villages.add(village_a)
    linked = VillagesByLink(model=Village)

    with django_assert_num_queries(1):  # the link is a subquery, not a second round trip
        assert list(linked.visible_to(bureau_staff)) == [village_a]
    WorkGroup.objects.filter(pk=group.pk).update(is_active=False)
    assert list(linked.visible_to(bureau_staff)) == []


def test_inactive_or_anonymous_user_sees_nothing(clerk_a, village_a):
    assert list(villages().visible_to(AnonymousUser())) == []
    clerk_a.is_active = False
    assert list(villages().visible_to(clerk_a)) == []


def test_scoped_list_is_one_query(clerk_a, village_a, village_b, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(list(villages().visible_to(clerk_a))) == 1


# --- get_object_for_user --------------------------------------------------------------------

# --- A rule per purpose (ScopeRule) ---------------------------------------------------------
CLINICS = ScopeRule({Role.CLINICIAN: Scope.ALL, Role.CLERK: Scope.TOWNSHIP})


def test_a_purpose_rule_replaces_the_entity_rule(clinician, clerk_a, inspector, bureau_staff, village_a, village_b):
    """Another app reaching the entity states its own rule once and passes it."""
    assert list(villages().visible_to(clinician)) == []  # not in the entity's own rule
    assert list(villages().visible_to(clinician, rule=CLINICS)) == [village_a, village_b]
    assert list(villages().visible_to(clerk_a, rule=CLINICS)) == [village_a]
    assert list(villages().visible_to(inspector, rule=CLINICS)) == []  # in the entity's rule only
    assert list(villages().visible_to(bureau_staff, rule=CLINICS)) == []


def test_reach_names_the_township_a_user_is_held_to(clinician, clerk_a, inspector):
    assert CLINICS.reach(clinician) == (True, None)
    assert CLINICS.reach(clerk_a) == (True, clerk_a.township_id)
    assert CLINICS.reach(inspector) == (False, None)
    clinician.is_active = False
    assert CLINICS.reach(clinician) == (False, None)
    assert CLINICS.reach(AnonymousUser()) == (False, None)


def test_a_capability_rule_is_asked_before_the_roles(leader, clerk_a, inspector, village_a, village_b):
    rule = ScopeRule({Role.INSPECTOR: Scope.TOWNSHIP},
                     by_capability=((Cap.ENFORCEMENT_VIEW, Scope.ALL), (Cap.REGISTER_VIEW, Scope.TOWNSHIP)))
    assert list(villages().visible_to(leader, rule=rule)) == [village_a, village_b]  # ENFORCEMENT_VIEW
    assert list(villages().visible_to(inspector, rule=rule)) == [village_a, village_b]  # capability first
    assert list(villages().visible_to(clerk_a, rule=rule)) == [village_a]  # REGISTER_VIEW


def test_get_object_for_user_returns_record_in_scope(clerk_a, village_a):
    assert get_object_for_user(villages(), clerk_a, village_a.pk, capability=Cap.REGISTER_CHANGE) == village_a


def test_get_object_for_user_hides_record_outside_scope(clerk_a, village_b):
    with pytest.raises(OutOfScope) as refused:
        get_object_for_user(villages(), clerk_a, village_b.pk)
    assert isinstance(refused.value, Http404)
    assert (refused.value.object_type, refused.value.object_id) == ("accounts.village", str(village_b.pk))


@pytest.mark.parametrize("pk", ["not-a-number", None, 10**9])
def test_get_object_for_user_treats_bad_or_unknown_ids_as_out_of_scope(clerk_a, village_a, pk):
    with pytest.raises(OutOfScope):
        get_object_for_user(villages(), clerk_a, pk)


def test_get_object_for_user_refuses_visible_record_without_capability(inspector, village_a):
    # Visible (county-wide) but the role may not change it: 403, not 404.
    with pytest.raises(CapabilityDenied) as refused:
        get_object_for_user(villages(), inspector, village_a.pk, capability=Cap.REGISTER_CHANGE)
    assert refused.value.capability == Cap.REGISTER_CHANGE
    assert (refused.value.object_type, refused.value.object_id) == ("accounts.village", str(village_a.pk))


# --- get_township_for_user ------------------------------------------------------------------

def test_clerk_reaches_only_own_township(clerk_a, township_a, township_b):
    assert get_township_for_user(clerk_a, township_a.pk) == township_a
    with pytest.raises(OutOfScope):
        get_township_for_user(clerk_a, township_b.pk)
    with pytest.raises(OutOfScope):
        get_township_for_user(clerk_a, "x")


def test_county_wide_roles_reach_every_township(leader, township_a, township_b):
    assert get_township_for_user(leader, township_a.pk) == township_a
    assert get_township_for_user(leader, township_b.pk) == township_b


# --- require_capability and the role map ----------------------------------------------------

def test_require_capability_refuses_role_without_it(clerk_a):
    with pytest.raises(PermissionDenied) as refused:
        require_capability(clerk_a, Cap.AUDIT_VIEW)
    assert isinstance(refused.value, CapabilityDenied)
    assert refused.value.capability == Cap.AUDIT_VIEW


def test_require_capability_passes_role_with_it(auditor):
    assert require_capability(auditor, Cap.AUDIT_VIEW) is None


def test_deactivated_user_loses_every_capability(auditor):
    auditor.is_active = False
    assert auditor.capabilities == frozenset()
    with pytest.raises(CapabilityDenied):
        require_capability(auditor, Cap.AUDIT_VIEW)


@pytest.mark.parametrize("capability", [
    Cap.REGISTER_VIEW, Cap.REGISTER_CHANGE, Cap.SCREENING_VIEW, Cap.ENFORCEMENT_VIEW, Cap.AUDIT_VIEW,
])
def test_admin_is_not_a_back_door_into_records_or_the_trail(admin_user, capability):
    assert not admin_user.can(capability)


def test_only_auditor_reads_the_trail_and_only_admin_runs_the_admin_site(cast):
    assert {name for name, user in cast.items() if user.can(Cap.AUDIT_VIEW)} == {"auditor"}
    assert {name for name, user in cast.items() if user.can(Cap.ADMIN_SITE)} == {"admin"}


# --- end to end: the helpers behind views ---------------------------------------------------

def village_view(request, pk):
    return HttpResponse(get_object_for_user(villages(), request.user, pk).name)


def township_view(request, pk):
    return HttpResponse(get_township_for_user(request.user, pk).name)


@capability_required(Cap.REGISTER_CHANGE)
def change_view(request):
    return HttpResponse("changed")


urlpatterns = [
    path("scoping-test/village/<str:pk>/", village_view),
    path("scoping-test/township/<str:pk>/", township_view),
    path("scoping-test/change/", change_view),
    *project_urlpatterns,
]


@pytest.mark.urls(__name__)
def test_clerk_gets_404_for_other_township_village_and_it_is_audited(client_for, clerk_a, village_b):
    response = client_for(clerk_a).get(f"/scoping-test/village/{village_b.pk}/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "不在您的工作范围内" in html
    assert village_b.name not in html  # existence is not revealed
    denied = AuditEvent.objects.get(action=AuditEvent.Action.DENIED)
    assert (denied.user, denied.success) == (clerk_a, False)
    assert (denied.object_type, denied.object_id) == ("accounts.village", str(village_b.pk))
    assert denied.detail == f"404 GET /scoping-test/village/{village_b.pk}/"


@pytest.mark.urls(__name__)
def test_clerk_opens_own_village_and_township(client_for, clerk_a, village_a):
    client = client_for(clerk_a)
    assert client.get(f"/scoping-test/village/{village_a.pk}/").content.decode() == "李家村"
    assert client.get(f"/scoping-test/township/{clerk_a.township_id}/").content.decode() == "城关镇"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DENIED).exists()


@pytest.mark.urls(__name__)
def test_clerk_gets_404_for_other_township(client_for, clerk_a, township_b):
    response = client_for(clerk_a).get(f"/scoping-test/township/{township_b.pk}/")
    assert response.status_code == 404
    assert AuditEvent.objects.get(action=AuditEvent.Action.DENIED).object_type == "accounts.township"


@pytest.mark.urls(__name__)
def test_role_without_capability_gets_403_and_it_is_audited(client_for, leader):
    response = client_for(leader).get("/scoping-test/change/")

    assert response.status_code == 403
    denied = AuditEvent.objects.get(action=AuditEvent.Action.DENIED)
    assert (denied.user, denied.success) == (leader, False)
    assert denied.detail == f"403 GET /scoping-test/change/ ({Cap.REGISTER_CHANGE})"
