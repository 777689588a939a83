"""A leader's liaison page: their townships' scores, ranks and rank changes, and the figure that
counts in the leader's own assessment (docs/assessment.md "联系镇街成绩")."""
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.models import User
from accounts.permissions import OutOfScope, capability_required
from accounts.roles import Cap, roles_with

from ..selectors.leaders import leader_summary
from .ranking import _year


@require_GET
@capability_required(Cap.ASSESSMENT_COUNTY)  # leaders and assessors; clerks 403
def leader_page(request, pk):
    try:
        leader = User.objects.get(pk=pk, role__in=roles_with(Cap.ASSESSMENT_LIAISON))
    except (User.DoesNotExist, ValueError):
        raise OutOfScope("accounts.user", pk) from None
    year = _year(request)
    return render(request, "assessment/leader.html", {"leader": leader, "year": year,
                                                      **leader_summary(leader=leader, year=year)})


@require_GET
@capability_required(Cap.ASSESSMENT_LIAISON)  # leaders; a granted bureau staff member has no liaison townships
def my_liaison(request):
    return redirect(reverse("assessment:leader", args=[request.user.pk]) + (
        f"?year={request.GET['year']}" if request.GET.get("year", "").isdigit() else ""))
