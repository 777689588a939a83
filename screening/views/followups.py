"""Follow-up pages (clinicians): early pregnancy, prenatal screening and diagnosis, outcome, void."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.roles import Cap
from accounts.permissions import capability_required

from ..forms.common import ReasonForm, put_errors
from ..forms.followups import DiagnosisForm, EarlyForm, OutcomeForm, PrenatalForm
from ..models import EarlyPregnancyFollowUp, OutcomeFollowUp, PrenatalScreening
from ..permissions import get_follow_up_for_user, get_screening_for_user
from ..services.followups import (
    early_follow_up_record, follow_up_void, outcome_follow_up_record, prenatal_diagnosis_record,
    prenatal_screening_record,
)

VOIDABLE = {"early": EarlyPregnancyFollowUp, "outcome": OutcomeFollowUp, "prenatal": PrenatalScreening}


def _form_page(request, pk, *, form_class, service, template, done: str, form_kwargs=None):
    screening = get_screening_for_user(request.user, pk, write=True)
    form = form_class(request.POST or None, **(form_kwargs(screening) if form_kwargs else {}))
    if request.method == "POST" and form.is_valid():
        try:
            service(screening=screening, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("screening:couple", pk=screening.couple_id)
    return render(request, template, {"screening": screening, "form": form})


def _lmp_hint(screening):
    couple = screening.couple
    if couple.pregnancy_status == "pregnant" and couple.last_visit_date and couple.last_visit_date >= screening.exam_date:
        from households.selectors_visits import couple_visit_history

        visit = couple_visit_history(couple).filter(is_void=False, pregnancy_status="pregnant").first()
        return {"lmp_hint": visit.last_menstrual_period if visit else None}
    return {}


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SCREENING_CHANGE)
def early_create(request, pk):
    return _form_page(request, pk, form_class=EarlyForm, service=early_follow_up_record,
                      template="screening/early_form.html", done=_("早孕随访已登记。"), form_kwargs=_lmp_hint)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SCREENING_CHANGE)
def outcome_create(request, pk):
    return _form_page(request, pk, form_class=OutcomeForm, service=outcome_follow_up_record,
                      template="screening/outcome_form.html", done=_("妊娠结局随访已登记。"))


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SCREENING_CHANGE)
def prenatal_create(request, pk):
    return _form_page(request, pk, form_class=PrenatalForm, service=prenatal_screening_record,
                      template="screening/prenatal_form.html", done=_("产前筛查已登记。"))


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SCREENING_CHANGE)
def diagnosis(request, pk):
    prenatal = get_follow_up_for_user(request.user, PrenatalScreening, pk, write=True)
    form = DiagnosisForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            prenatal_diagnosis_record(prenatal=prenatal, by=request.user, diagnosis_on=data["diagnosis_on"],
                                      method=data["diagnosis_method"], result=data["diagnosis_result"],
                                      request=request)
        except ValidationError as error:
            put_errors(form, error, field_map={"diagnosis_result": "diagnosis_result"})
        else:
            messages.success(request, _("产前诊断已登记。"))
            return redirect(prenatal.screening.get_absolute_url())
    return render(request, "screening/diagnosis_form.html", {"prenatal": prenatal, "screening": prenatal.screening,
                                                             "form": form})


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SCREENING_CHANGE)
def follow_up_void_view(request, kind, pk):
    record = get_follow_up_for_user(request.user, VOIDABLE[kind], pk, write=True)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            follow_up_void(record=record, by=request.user, reason=form.cleaned_data["reason"], request=request)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("记录已作废。"))
            return redirect(record.screening.get_absolute_url())
    return render(request, "screening/void.html", {"screening": record.screening, "form": form,
                                                    "what": record._meta.verbose_name,
                                                    "back": record.screening.get_absolute_url()})
