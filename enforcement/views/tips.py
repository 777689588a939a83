"""Tips (举报): record, read, dismiss, turn into a case, record a reward.

The reporter's identity is shown on one page only: the tip's detail page, to inspectors
(``get_tip_for_user(..., reporter=True)``). Leaders read the same page without it.
"""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import capability_required
from accounts.roles import Cap
from core.pages import audit_view, filtered, form_page, without_version

from ..forms.cases import CaseForm
from ..forms.filters import TipFilterForm
from ..forms.records import TipForm, TipRewardForm
from ..models import TipStatus
from ..permissions import get_tip_for_user
from ..selectors.lists import tip_list as select_tips
from ..services.cases import case_open
from ..services.tips import tip_dismiss, tip_record, tip_reward_record
from .common import list_page, reason_page

GET_POST = require_http_methods(["GET", "POST"])


def tip_filters(request, basis: str = ""):
    return filtered(request, TipFilterForm, select_tips, dated=True, basis=basis)


@require_GET
@capability_required(Cap.ENFORCEMENT_VIEW)
def tip_list(request, basis: str = ""):
    form, qs = tip_filters(request, basis)
    return list_page(
        request,
        template="enforcement/tip_list.html",
        form=form,
        queryset=qs,
        audit_type="enforcement.tip",
        extra={"basis": basis},
    )


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def tip_create(request):
    return form_page(
        request,
        form=TipForm(request.POST or None),
        template="enforcement/tip_form.html",
        save=lambda data: tip_record(by=request.user, request=request, **data),
        done=lambda tip: _("已登记举报线索 %(n)s。") % {"n": tip.number},
    )


@require_GET
@capability_required(Cap.ENFORCEMENT_VIEW)
def tip_detail(request, pk):
    show_reporter = request.user.can(Cap.ENFORCEMENT_CHANGE)
    tip = get_tip_for_user(request.user, pk, reporter=show_reporter)
    audit_view(request, tip, detail="reporter shown" if show_reporter else "reporter hidden")
    case = getattr(tip, "case", None) if tip.status == TipStatus.CASE_OPENED else None
    return render(
        request,
        "enforcement/tip_detail.html",
        {
            "tip": tip,
            "case": case,
            "show_reporter": show_reporter,
            "can_change": show_reporter,
            "overdue": tip.is_overdue(),
        },
    )


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def tip_dismiss_view(request, pk):
    tip = get_tip_for_user(request.user, pk, write=True)
    return reason_page(
        request,
        subject=tip,
        back=tip.get_absolute_url(),
        title=_("不予处理"),
        hint=_("例如：内容不属于“两非”、信息不足无法核查、重复举报。理由会保留备查。"),
        done=_("举报线索 %(n)s 已不予处理，理由已记录。") % {"n": tip.number},
        apply=lambda reason: tip_dismiss(tip=tip, by=request.user, reason=reason, request=request),
    )


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def tip_open_case(request, pk):
    tip = get_tip_for_user(request.user, pk, write=True)
    form = CaseForm(
        request.POST or None, from_tip=True, initial={"township": tip.township_id, "title": tip.content[:60]}
    )
    return form_page(
        request,
        form=form,
        template="enforcement/case_form.html",
        context={"tip": tip, "creating": True},
        save=lambda data: case_open(by=request.user, tip=tip, source="tip", request=request, **without_version(data)),
        done=lambda case: _("已由举报线索 %(t)s 登记案件 %(n)s。") % {"t": tip.number, "n": case.number},
    )


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def tip_reward(request, pk):
    tip = get_tip_for_user(request.user, pk, write=True)
    form = TipRewardForm(
        request.POST or None,
        initial={
            "amount": tip.reward_amount,
            "paid_on": tip.reward_paid_on or timezone.localdate(),
            "note": tip.reward_note,
        },
    )
    return form_page(
        request,
        form=form,
        template="enforcement/reason_form.html",
        done=_("已记录举报奖励。"),
        context={
            "title": _("记录举报奖励"),
            "subject": tip,
            "back": tip.get_absolute_url(),
            "hint": _("奖励发放给举报人；举报人身份保密，奖励记录不显示举报人信息。"),
        },
        save=lambda data: tip_reward_record(
            tip=tip, by=request.user, request=request, amount=data["amount"], paid_on=data["paid_on"], note=data["note"]
        ),
    )
