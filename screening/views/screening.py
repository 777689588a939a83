"""Clinicians' pages: find a couple (or register a walk-in), start a screening with consent,
enter results, assess risk, print the letter; the screenings list; voiding.

Every page that shows results, risk factors or advice is audited as a view of the screening
(PIPL Art. 28), and every print of the letter as an export.
"""
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import AuditEvent
from accounts.permissions import capability_required
from accounts.roles import Cap
from accounts.services import audit_log
from core.forms import apply_errors
from core.pages import audit_view, form_page
from core.pagination import paginate, query_without_page
from core.records import ConcurrentEdit
from core.views import export_start

from ..forms.pathway import FindForm, ScreeningFilterForm
from ..forms.screening import AssessForm, ResultsForm, StartForm, WalkInForm
from ..models import Screening
from ..permissions import get_couple_for_user, get_screening_for_user
from ..selectors.screenings import find_couples, screening_follow_ups, screening_list, screening_results
from ..services.screenings import (
    catalogue_for_entry, letter_print, propose_factors, results_save, risk_assess, screening_start, screening_void,
)
from ..services.walkin import walk_in_register
from .common import void_page


@require_GET
@capability_required(Cap.SCREENING_CHANGE)
def find(request):
    form = FindForm(request.GET or None)
    f = form.values()
    couples = list(find_couples(user=request.user, q=f.get("q", ""), township=f.get("township")))
    if f.get("q"):
        audit_log(action=AuditEvent.Action.VIEW, request=request, object_type="households.couple",
                  detail=f"screening search, {len(couples)} found")
    return render(request, "screening/find.html", {"form": form, "couples": couples, "searched": bool(f.get("q"))})


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SCREENING_CHANGE)
def walk_in(request):
    form = WalkInForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            couple = walk_in_register(
                by=request.user, village=data["village"], address=data["address"], husband_name=data["husband_name"],
                husband_id=data["husband_id"], wife_name=data["wife_name"], wife_id=data["wife_id"],
                phone=data["phone"], marriage_date=data["marriage_date"], boys=data["boys"], girls=data["girls"],
                planned_timing=data["planned_timing"], confirmed_not_duplicate=data["confirm_not_duplicate"],
                request=request)
        except ValidationError as error:
            duplicates = list(getattr(error, "matches", []))
            field = getattr(error, "walk_in_field", "husband_id")
            apply_errors(form, error, field_map={"id_number": field, "wife": "wife_id", "husband": "husband_id",
                                               "sex": field, "birth_date": field})
        else:
            messages.success(request, _("已登记 %(w)s / %(h)s，并列入所在镇街的摸底造册。") % {
                "w": couple.wife.name, "h": couple.husband.name})
            return redirect("screening:screening_start", pk=couple.pk)
    return render(request, "screening/walk_in.html", {"form": form, "duplicates": duplicates})


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SCREENING_CHANGE)
def screening_start_view(request, pk):
    couple = get_couple_for_user(request.user, pk, write=True)
    return form_page(
        request, form=StartForm(request.POST or None, couple=couple, facility=settings.SCREENING_FACILITY_NAME),
        save=lambda data: screening_start(
            couple=couple, by=request.user, exam_date=data["exam_date"], consent=data["consent"],
            consent_on=data["consent_on"], planned_child_order=data["planned_child_order"],
            facility=data["facility"], planned_timing=data.get("planned_timing", ""), request=request),
        template="screening/start.html", context={"couple": couple}, done=_("已登记检查，请录入结果。"),
        redirect_to=lambda screening: reverse("screening:results", args=[screening.pk]))


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SCREENING_CHANGE)
def results(request, pk):
    """Tablet entry: items grouped, numbers with a decimal keyboard, 阴性/阳性 as large buttons.
    保存草稿 keeps what is typed; 完成录入 needs every item of the examined spouses."""
    screening = get_screening_for_user(request.user, pk, write=True)
    groups = catalogue_for_entry(screening)
    pairs = [pair for g in groups for item in g["items"] for pair in item["rows"]]
    existing = {(r.subject, r.field_id): r for r in screening.results.all()}
    form = ResultsForm(request.POST or None, pairs=pairs, existing=existing, version=screening.version)
    if request.method == "POST" and form.is_valid():
        finish = "finish" in request.POST
        try:
            results_save(screening=screening, by=request.user, expected_version=form.cleaned_data["version"],
                         values=form.values(), finish=finish, request=request)
        except (ValidationError, ConcurrentEdit) as error:
            if isinstance(error, ConcurrentEdit):
                form.add_error(None, str(error))
            else:
                apply_errors(form, error)
        else:
            if finish:
                messages.success(request, _("结果已录完，请做风险评估。"))
                return redirect("screening:assess", pk=screening.pk)
            messages.success(request, _("草稿已保存，可稍后继续录入。"))
            return redirect("screening:results", pk=screening.pk)
    audit_view(request, screening, "results entry")
    rows = {row["key"]: row for row in form.rows}
    for group in groups:
        for item in group["items"]:
            item["entries"] = [rows[f"{subject}__{field.code}"] | {
                "value": form[f"{subject}__{field.code}"], "flag": form[f"{subject}__{field.code}__flag"],
                "reason": form[f"{subject}__{field.code}__reason"], "range": field.range_for(subject),
                "ref_text": field.reference_text(subject)} for subject, field in item["rows"]]
    return render(request, "screening/results.html", {"screening": screening, "form": form, "groups": groups})


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SCREENING_CHANGE)
def assess(request, pk):
    screening = get_screening_for_user(request.user, pk, write=True)
    if screening.status == Screening.Status.DRAFT:
        messages.warning(request, _("检查结果尚未完成录入，请先完成录入再做风险评估。"))
        return redirect("screening:results", pk=screening.pk)
    proposals = propose_factors(screening)
    form = AssessForm(request.POST or None, proposals=proposals, version=screening.version,
                      initial={"advice": screening.advice, "referral": screening.referral})
    if request.method == "POST" and form.is_valid():
        try:
            risk_assess(screening=screening, by=request.user, expected_version=form.cleaned_data["version"],
                        factors=form.factors(), advice=form.cleaned_data["advice"],
                        referral=form.cleaned_data["referral"], request=request)
        except ConcurrentEdit as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("风险评估已确认：%(level)s。请打印评估建议告知书。") % {
                "level": screening.get_risk_level_display()})
            return redirect("screening:letter", pk=screening.pk)
    audit_view(request, screening, "risk assessment")
    abnormal = [r for r in screening_results(screening) if r.is_abnormal]
    return render(request, "screening/assess.html", {"screening": screening, "form": form, "abnormal": abnormal})


@require_GET
@capability_required(Cap.SCREENING_RESULTS)
def screening_detail(request, pk):
    screening = get_screening_for_user(request.user, pk, results=True)
    audit_view(request, screening, "screening detail")
    results_list = list(screening_results(screening))
    return render(request, "screening/screening_detail.html", {
        "screening": screening, "results": results_list, "abnormal_count": sum(r.is_abnormal for r in results_list),
        "factors": list(screening.risk_factors.all()), **screening_follow_ups(screening),
        "can_change": request.user.can(Cap.SCREENING_CHANGE),
    })


@require_GET
@capability_required(Cap.SCREENING_RESULTS)
def letter(request, pk):
    """The 评估建议告知书, print-ready A4. Opening it is a view of the results (audited); printing
    goes through ``letter_print_view`` so that every print is in the audit trail."""
    screening = get_screening_for_user(request.user, pk, results=True)
    if screening.status != Screening.Status.ASSESSED:
        messages.warning(request, _("完成风险评估后才能打印告知书。"))
        return redirect(screening.get_absolute_url())
    audit_view(request, screening, "letter")
    return render(request, "screening/letter.html", {
        "screening": screening, "results": list(screening_results(screening)),
        "factors": list(screening.risk_factors.all()), "print_now": request.GET.get("print") == "1",
        "facility_name": screening.facility,
    })


@require_POST
@capability_required(Cap.SCREENING_CHANGE)
def letter_print_view(request, pk):
    screening = get_screening_for_user(request.user, pk, write=True)
    try:
        letter_print(screening=screening, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(screening.get_absolute_url())
    return redirect(reverse("screening:letter", args=[screening.pk]) + "?print=1")


def _screening_list(request):
    form = ScreeningFilterForm(request.GET or None)
    return form, screening_list(user=request.user, **form.values())


@require_GET
@capability_required(Cap.SCREENING_RESULTS)
def screening_list_view(request):
    form, screenings = _screening_list(request)
    return render(request, "screening/screening_list.html", {
        "form": form, "page": paginate(request, screenings), "query": query_without_page(request)})


@require_GET
@capability_required(Cap.SCREENING_RESULTS)
def screening_export_view(request):
    return export_start(request, "screening.screenings")  # screening/exports.py


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SCREENING_CHANGE)
def screening_void_view(request, pk):
    screening = get_screening_for_user(request.user, pk, write=True)
    return void_page(request, screening=screening, what=_("孕前优生健康检查"), done=_("检查记录已作废。"),
                     apply=lambda reason: screening_void(screening=screening, by=request.user, reason=reason,
                                                         request=request),
                     redirect_to=reverse("screening:couple", kwargs={"pk": screening.couple_id}))
