"""Assessor grants: per user, only bureau staff and leaders, given and revoked in the admin, audited."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from assessment.models import Assessor
from assessment.permissions import is_assessor
from assessment.services.grants import assessor_grant


def test_admin_grants_and_revokes_with_an_audit_row_each(client_for, admin_user, bureau_staff):
    client = client_for(admin_user)
    response = client.post(reverse("admin:assessment_assessor_add"), {"user": bureau_staff.pk, "is_active": "on",
                                                                      "note": "考核办"})
    assert response.status_code == 302
    grant = Assessor.objects.get(user=bureau_staff)
    assert grant.is_active and grant.granted_by == admin_user
    assert is_assessor(type(bureau_staff).objects.get(pk=bureau_staff.pk))
    client.post(reverse("admin:assessment_assessor_change", args=[grant.pk]), {"is_active": "", "note": "考核办"})
    grant.refresh_from_db()
    assert not grant.is_active and grant.revoked_at is not None
    assert not is_assessor(type(bureau_staff).objects.get(pk=bureau_staff.pk))
    actions = list(AuditEvent.objects.filter(object_type="assessment.assessor").values_list("action", flat=True)
                   .order_by("id"))
    assert actions == ["create", "delete"]


@pytest.mark.parametrize("who", ["clerk_a", "clinician", "inspector", "auditor"])
def test_other_roles_cannot_be_granted(request, admin_user, client_for, who):
    user = request.getfixturevalue(who)
    with pytest.raises(ValidationError):
        assessor_grant(user=user, by=admin_user)
    response = client_for(admin_user).post(reverse("admin:assessment_assessor_add"), {"user": user.pk,
                                                                                      "is_active": "on"})
    assert response.status_code == 200 and not Assessor.objects.exists()


def test_a_grant_does_nothing_once_the_role_changes(bureau_staff, admin_user):
    assessor_grant(user=bureau_staff, by=admin_user)
    bureau_staff.role = "clerk"
    bureau_staff.township = None
    assert not is_assessor(bureau_staff)


def test_only_the_admin_opens_the_grant_page(client_for, leader):
    assert client_for(leader).get(reverse("admin:assessment_assessor_changelist")).status_code in (302, 403)


def fresh(user):
    return type(user).objects.get(pk=user.pk)  # a new request's user: no per-request answer kept


def test_the_grant_gives_its_capabilities_through_the_capability_map(bureau_staff, leader, clerk_a, admin_user):
    """Assessment's grant is a grant-derived capability (accounts.roles.GRANTS): ``user.can``
    answers it like any role capability, so views use ``capability_required``."""
    from accounts.roles import Cap

    granted = {Cap.ASSESSMENT_VIEW, Cap.ASSESSMENT_COUNTY, Cap.ASSESSMENT_ENTER}
    assert not any(fresh(bureau_staff).can(cap) for cap in granted)
    assert fresh(leader).can(Cap.ASSESSMENT_COUNTY) and not fresh(leader).can(Cap.ASSESSMENT_ENTER)
    assessor_grant(user=bureau_staff, by=admin_user)
    assessor_grant(user=leader, by=admin_user)
    assert all(fresh(bureau_staff).can(cap) for cap in granted)
    assert granted <= fresh(bureau_staff).capabilities
    assert fresh(leader).can(Cap.ASSESSMENT_ENTER)
    # Leaders' own pages stay the leaders' role's, grant or not.
    assert not fresh(bureau_staff).can(Cap.ASSESSMENT_LIAISON) and not fresh(bureau_staff).can(Cap.ASSESSMENT_BRIEFING)
    assert not fresh(clerk_a).can(Cap.ASSESSMENT_ENTER) and not fresh(clerk_a).can(Cap.ASSESSMENT_COUNTY)
    staff = fresh(bureau_staff)
    staff.is_active = False
    assert not staff.can(Cap.ASSESSMENT_ENTER) and staff.capabilities == frozenset()
    Assessor.objects.filter(user=bureau_staff).update(is_active=False)
    from django.core.cache import cache

    from assessment.permissions import grant_cache_key

    cache.delete(grant_cache_key(bureau_staff.pk))  # update() sends no signal; the admin's save does
    assert not any(fresh(bureau_staff).can(cap) for cap in granted)


def test_no_assessment_view_or_page_compares_a_role():
    """Who may do what is the capability map's answer (``capability_required``, ``user.can``),
    never a role compared in a view, a selector or a template."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    files = [*root.glob("assessment/views/*.py"), *root.glob("assessment/selectors/*.py"),
             *root.glob("templates/assessment/*.html")]
    assert len(files) > 10
    found = [f"{path.name}: {line.strip()}" for path in files for line in path.read_text().splitlines()
             if re.search(r"\.role\b|role ?[!=]=|Role\.[A-Z]", line)]
    assert found == []
