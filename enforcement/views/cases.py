"""Cases: list (and the figures' drilldowns), open, read, edit, parties, workflow steps, evidence."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import capability_required
from accounts.roles import Cap
from core.forms import apply_errors
from core.pages import audit_view, filtered, form_page, without_version

from ..forms.cases import CaseForm, PartyForm, TransitionForm
from ..forms.filters import CaseFilterForm
from ..forms.records import EvidenceForm
from ..models import REASON_REQUIRED, CaseStatus, Evidence
from ..permissions import get_case_for_user, get_evidence_for_user
from ..selectors.lists import case_list as select_cases
from ..services.cases import case_open, case_party_add, case_transition, case_update
from ..services.evidence import evidence_attach, evidence_download
from .common import list_page

GET_POST = require_http_methods(["GET", "POST"])


def case_filters(request, basis: str = ""):
    return filtered(request, CaseFilterForm, select_cases, dated=True, basis=basis)


@require_GET
@capability_required(Cap.ENFORCEMENT_VIEW)
def case_list(request, basis: str = ""):
    form, qs = case_filters(request, basis)
    return list_page(
        request,
        template="enforcement/case_list.html",
        form=form,
        queryset=qs,
        audit_type="enforcement.case",
        extra={"basis": basis},
    )


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def case_create(request):
    return form_page(
        request,
        form=CaseForm(request.POST or None),
        template="enforcement/case_form.html",
        context={"creating": True},
        save=lambda data: case_open(by=request.user, request=request, **data),
        done=lambda case: _("已登记案件 %(n)s。") % {"n": case.number},
    )


@require_GET
@capability_required(Cap.ENFORCEMENT_VIEW)
def case_detail(request, pk):
    case = get_case_for_user(request.user, pk)
    audit_view(request, case)
    can_change = request.user.can(Cap.ENFORCEMENT_CHANGE)
    return render(
        request,
        "enforcement/case_detail.html",
        {
            "case": case,
            "today": timezone.localdate(),
            "can_change": can_change and not case.is_terminal,
            "parties": list(case.parties.select_related("facility").order_by("id")),
            "events": list(case.events.select_related("by").order_by("at", "id")),
            "evidence": list(case.evidence.select_related("uploaded_by").order_by("uploaded_at", "id")),
            "next_steps": [CaseStatus(s) for s in case.allowed_transitions],
        },
    )


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def case_edit(request, pk):
    case = get_case_for_user(request.user, pk, write=True)
    return form_page(
        request,
        form=CaseForm(request.POST or None, instance=case),
        template="enforcement/case_form.html",
        context={"case": case},
        done=_("已保存。"),
        save=lambda data: case_update(
            case=case,
            by=request.user,
            expected_version=data["version"] or 0,
            data=without_version(data),
            request=request,
        ),
    )


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def party_create(request, pk):
    case = get_case_for_user(request.user, pk, write=True)
    return form_page(
        request,
        form=PartyForm(request.POST or None, user=request.user),
        template="enforcement/party_form.html",
        context={"case": case},
        done=_("已添加当事人。"),
        redirect_to=case.get_absolute_url(),
        save=lambda data: case_party_add(case=case, by=request.user, request=request, **data),
    )


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def case_step(request, pk, to):
    """One workflow step: GET shows what the step needs (reason, referral, outcome), POST applies it."""
    case = get_case_for_user(request.user, pk, write=True)
    if to not in CaseStatus.values:
        raise Http404("no such stage")
    form = TransitionForm(request.POST or None, initial={"expected": case.status})
    refused = ""
    if to not in case.allowed_transitions and request.method == "GET":
        refused = _("案件当前处于“%(now)s”，流程不允许转为“%(to)s”。") % {
            "now": case.get_status_display(),
            "to": CaseStatus(to).label,
        }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = case_transition(
                case=case,
                to=to,
                by=request.user,
                reason=data.get("reason", ""),
                expected_status=data["expected"],
                outcome=form.outcome() if to == CaseStatus.DECIDED else None,
                referral_department=data.get("referral_department", ""),
                request=request,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("案件 %(n)s 已转为“%(to)s”。") % {"n": case.number, "to": case.get_status_display()}
            )
            return redirect(case)
    return render(
        request,
        "enforcement/case_step.html",
        {
            "case": case,
            "form": form,
            "to": CaseStatus(to),
            "reason_required": to in REASON_REQUIRED,
            "refused": refused,
        },
        status=409 if refused else 200,
    )


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def evidence_upload(request, pk):
    case = get_case_for_user(request.user, pk, write=True)
    return form_page(
        request,
        form=EvidenceForm(request.POST or None, request.FILES or None),
        template="enforcement/evidence_form.html",
        context={"case": case},
        done=_("证据材料已上传并登记校验值。"),
        redirect_to=case.get_absolute_url(),
        save=lambda data: evidence_attach(
            case=case, by=request.user, upload=data["upload"], description=data["description"], request=request
        ),
    )


@require_GET
@capability_required(Cap.ENFORCEMENT_VIEW)
def evidence_download_view(request, pk):
    """Inspectors and leaders only; verified against its SHA-256 first; audited either way."""
    evidence: Evidence = get_evidence_for_user(request.user, pk)
    try:
        handle = evidence_download(evidence=evidence, by=request.user, request=request)
    except ValidationError as error:
        return render(
            request,
            "enforcement/evidence_tampered.html",
            {"evidence": evidence, "case": evidence.case, "message": error.messages[0]},
            status=409,
        )
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["Cache-Control"] = "no-store"
    return response
