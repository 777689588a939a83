"""Work-group outreach (大走访, 包村联户): bureau staff visit households of their linked villages.

The households a bureau staff member sees are ``Household.objects.visible_to(user)``: villages
linked to their active work groups. Anything else answers 404. Township clerks may read the
outreach visits made to their township's households, but recording one is the bureau's (403).
"""
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.pagination import paginate, query_without_page
from accounts.permissions import capability_required, get_object_for_user
from accounts.roles import Cap
from core.forms import Form
from core.pages import form_page, list_page

from ..forms.visits import OutreachForm, OutreachHouseholdFilterForm, OutreachVisitFilterForm
from ..models import OutreachVisit
from ..permissions import get_household_for_user
from ..selectors.visits import outreach_households as select_outreach_households
from ..selectors.visits import outreach_visits_in_scope
from ..services.outreach import outreach_editable_by, outreach_record, outreach_update


@require_GET
@capability_required(Cap.OUTREACH_RECORD)
def outreach_households(request):
    form = OutreachHouseholdFilterForm(request.GET or None, user=request.user)
    return list_page(request, template="households/outreach_households.html", form=form,
                     queryset=select_outreach_households(user=request.user, **form.values()))


@require_http_methods(["GET", "POST"])
@capability_required(Cap.OUTREACH_RECORD)
def outreach_create(request, pk):
    household = get_household_for_user(request.user, pk)
    recent = OutreachVisit.objects.visible_to(request.user).filter(household=household).select_related(
        "visitor").order_by("-visit_date", "-id")[:5]  # read only when the form is shown
    return form_page(
        request, form=OutreachForm(request.POST or None), template="households/outreach_form.html",
        context={"household": household, "recent": recent},
        save=lambda data: outreach_record(household=household, by=request.user, request=request, **data),
        done=_("已记录对 %(head)s 家的走访。") % {"head": household.head_name},
        redirect_to=reverse("households:outreach_list"))


@require_GET
@capability_required(Cap.REGISTER_VIEW)
def outreach_list(request):
    form = OutreachVisitFilterForm(request.GET or None, user=request.user)
    f = form.values()
    visits = outreach_visits_in_scope(
        user=request.user, q=f.get("q", ""), date_from=f.get("date_from"), date_to=f.get("date_to"))
    page = paginate(request, visits)
    page.object_list = list(page.object_list)
    for visit in page.object_list:
        # The visitor's own rows, still within the 24 hours: a 修改 link.
        visit.can_edit = outreach_editable_by(visit, request.user)
    return render(request, "households/outreach_list.html", {
        "form": form, "page": page, "query": query_without_page(request),
        "can_record": request.user.can(Cap.OUTREACH_RECORD),
    })


class OutreachEditForm(Form):
    """Correcting a visit: what was said and asked; the date and household stay as recorded."""

    content = OutreachForm.base_fields["content"]
    needs = OutreachForm.base_fields["needs"]


@require_http_methods(["GET", "POST"])
@capability_required(Cap.OUTREACH_RECORD)
def outreach_edit(request, pk):
    """Bureau staff correct their own visit within 24 hours. Outside their linked villages → 404,
    someone else's visit → 403; after 24 hours the page says so and nothing is saved."""
    visit = get_object_for_user(
        OutreachVisit.objects.select_related("household__village", "township", "visitor"), request.user, pk,
        capability=Cap.OUTREACH_RECORD,
    )
    if visit.visitor_id != request.user.pk:
        raise PermissionDenied(_("只能修改本人记录的走访。"))
    return form_page(
        request, form=OutreachEditForm(request.POST or None, initial={"content": visit.content, "needs": visit.needs}),
        template="households/outreach_edit.html",
        context={"visit": visit, "household": visit.household, "editable": outreach_editable_by(visit, request.user)},
        save=lambda data: outreach_update(visit=visit, by=request.user, request=request, **data),
        done=_("走访记录已修改。"), redirect_to=reverse("households:outreach_list"))
