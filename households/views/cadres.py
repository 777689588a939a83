"""包村联户: a group leader links members to households; leaders' coverage page and the masked lists
behind it; needs raised in outreach visits (群众诉求) and their handling.

Access: linking is the group's leader's (``Cap.CADRE_LINK`` + leads that group, else 404 for the
group); coverage is leaders' (``Cap.COVERAGE_VIEW``), every list behind a figure audited; needs
follow ``Need.objects.visible_to`` (clerks their township, the bureau their groups' villages) and
only the bureau moves them (``Cap.OUTREACH_RECORD``, else 403).
"""
from django import forms
from django.contrib import messages
from django.db.models import Count
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import AuditEvent, User
from accounts.permissions import CapabilityDenied, OutOfScope, capability_required, get_object_for_user
from accounts.roles import Cap
from accounts.services import audit_log
from core.forms import Form
from core.pagination import paginate, query_without_page

from core.forms import apply_errors
from ..models import CadreLink, Need, WorkGroup
from ..selectors.cadres import (
    coverage,
    linkable_households,
    linked_households,
    need_counts,
    needs_in_scope,
    staff_without_group,
    unvisited_links,
    villages_without_group,
)
from ..services.cadres import cadre_link, cadre_unlink
from ..services.needs import TRANSITIONS, need_move


# --- linking (联户) ------------------------------------------------------------------------------
@require_GET
@capability_required(Cap.CADRE_LINK)
def group_links(request):
    """The groups the user leads, each member with their number of linked households."""
    groups = list(WorkGroup.objects.filter(leader=request.user, is_active=True).prefetch_related("members"))
    counts = dict(CadreLink.objects.filter(group__in=groups, ended_at__isnull=True).order_by().values_list(
        "cadre_id").annotate(n=Count("id")))
    rows = [(group, [(member, counts.get(member.pk, 0)) for member in group.members.all()]) for group in groups]
    return render(request, "households/group_links.html", {"rows": rows})


def _group_and_member(request, group_pk, user_pk):
    group = WorkGroup.objects.filter(pk=group_pk, leader=request.user, is_active=True).first()
    if group is None:
        raise OutOfScope("households.workgroup", group_pk)
    member = group.members.filter(pk=user_pk).first()
    if member is None:
        raise OutOfScope("accounts.user", user_pk)
    return group, member


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CADRE_LINK)
def member_links(request, group_pk, user_pk):
    group, member = _group_and_member(request, group_pk, user_pk)
    if request.method == "POST":
        try:
            if request.POST.get("unlink"):
                link = get_object_or_404(CadreLink, pk=request.POST["unlink"], group=group, cadre=member)
                cadre_unlink(link=link, by=request.user, request=request)
                messages.success(request, _("已解除联系户。"))
            else:
                ids = [int(v) for v in request.POST.getlist("household") if v.isdigit()]
                if not ids:
                    raise ValidationError(_("请勾选要联系的家庭户。"))
                n = cadre_link(group=group, cadre=member, household_ids=ids, by=request.user, request=request)
                messages.success(request, _("已为 %(name)s 增加 %(n)s 户联系户。") % {"name": member.get_full_name(), "n": n})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(reverse("households:member_links", args=[group.pk, member.pk]))
    q = request.GET.get("q", "")
    return render(request, "households/member_links.html", {
        "group": group, "member": member, "links": list(linked_households(cadre_id=member.pk)), "q": q,
        "candidates": linkable_households(group=group, q=q, cadre_id=member.pk),
    })


# --- coverage (leaders) ----------------------------------------------------------------------------
@require_GET
@capability_required(Cap.COVERAGE_VIEW)
def coverage_page(request):
    return render(request, "households/coverage.html", coverage())


COVERAGE_LISTS = {
    "staff": gettext_lazy("未加入工作组的机关人员"),
    "villages": gettext_lazy("未联系工作组的村（社区）"),
    "linked": gettext_lazy("联系户"),
    "unvisited": gettext_lazy("本季度未走访的联系户"),
}


@require_GET
@capability_required(Cap.COVERAGE_VIEW)
def coverage_list(request, kind):
    """The masked list behind a coverage figure (names and villages, no ID numbers), audited."""
    if kind not in COVERAGE_LISTS:
        raise Http404("no such list")
    cadre = None
    if request.GET.get("cadre"):
        try:
            cadre = User.objects.get(pk=request.GET["cadre"])
        except (User.DoesNotExist, ValueError):
            raise Http404("no such cadre") from None
    if kind == "staff":
        rows = staff_without_group()
    elif kind == "villages":
        rows = villages_without_group()
    elif kind == "linked":
        if cadre is None:
            raise Http404("no cadre")
        rows = linked_households(cadre_id=cadre.pk)
    else:
        rows = unvisited_links(cadre_id=cadre.pk if cadre else None).select_related(
            "household__village", "household__township", "cadre").order_by("cadre__username", "household__head_name")
    page = paginate(request, rows)
    audit_log(action=AuditEvent.Action.VIEW, request=request, object_type=f"households.coverage.{kind}",
              object_id=cadre.pk if cadre else "", detail=f"page {page.number} ({len(page.object_list)} rows)")
    return render(request, "households/coverage_list.html", {
        "kind": kind, "title": COVERAGE_LISTS[kind], "cadre": cadre, "page": page, "query": query_without_page(request),
    })


# --- needs (群众诉求) -------------------------------------------------------------------------------
class NeedMoveForm(Form):
    to = forms.ChoiceField(label=_("办理"), choices=[(s, s.label) for s in (
        Need.Status.REFERRED, Need.Status.RESOLVED, Need.Status.CLOSED)])
    note = forms.CharField(label=_("转办单位/办理结果/无法解决的原因"), max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, status: str, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the steps that may follow the need's status (the service refuses the others too).
        self.fields["to"].choices = [(to, Need.Status(to).label) for to, (allowed, _field, _msg) in TRANSITIONS.items()
                                     if status in allowed]


def _require_needs(user) -> None:
    """Needs are read by the bureau (their groups' villages) and clerks (their township)."""
    if not (user.can(Cap.OUTREACH_RECORD) or user.can(Cap.REGISTER_VIEW)):
        raise CapabilityDenied(Cap.OUTREACH_RECORD)


@require_GET
def need_list(request):
    _require_needs(request.user)
    status = request.GET.get("status", "")
    status = status if status in Need.Status.values else ""
    overdue = request.GET.get("overdue") == "1"
    needs = needs_in_scope(user=request.user, status=status, overdue=overdue)
    return render(request, "households/need_list.html", {
        "page": paginate(request, needs), "query": query_without_page(request), "status": status,
        "overdue": overdue, "statuses": Need.Status.choices, "counts": need_counts(user=request.user),
    })


@require_http_methods(["GET", "POST"])
def need_detail(request, pk):
    _require_needs(request.user)
    need = get_object_for_user(Need.objects.select_related("household__village", "township", "raised_by", "visit"),
                               request.user, pk)
    form = NeedMoveForm(request.POST or None, status=need.status)
    if request.method == "POST":
        if not request.user.can(Cap.OUTREACH_RECORD):
            raise CapabilityDenied(Cap.OUTREACH_RECORD)
        if form.is_valid():
            try:
                need_move(need=need, by=request.user, request=request, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("诉求已更新为“%(s)s”。") % {"s": need.get_status_display()})
                return redirect(need.get_absolute_url())
    return render(request, "households/need_detail.html", {
        "need": need, "form": form, "steps": list(need.steps.select_related("by")),
        "can_move": request.user.can(Cap.OUTREACH_RECORD) and need.is_open,
    }, status=400 if form.errors else 200)
