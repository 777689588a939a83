"""Follow-up pages (clinicians): early pregnancy, prenatal screening and diagnosis, outcome, void."""
import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.roles import Cap
from accounts.permissions import capability_required
from core.pages import form_page

from ..forms.followups import DiagnosisForm, EarlyForm, OutcomeForm, PrenatalForm
from ..models import EarlyPregnancyFollowUp, OutcomeFollowUp, PrenatalScreening
from ..permissions import get_follow_up_for_user, get_screening_for_user
from ..services.followups import (
    early_follow_up_record, follow_up_void, outcome_follow_up_record, prenatal_diagnosis_record,
    gestation_window, prenatal_screening_record,
)
from .common import void_page

VOIDABLE = {"early": EarlyPregnancyFollowUp, "outcome": OutcomeFollowUp, "prenatal": PrenatalScreening}


def _form_page(request, pk, *, form_class, service, title: str, done: str, form_kwargs=None, hint=None):
    screening = get_screening_for_user(request.user, pk, write=True)
    return form_page(
        request, form=form_class(request.POST or None, **(form_kwargs(screening) if form_kwargs else {})),
        save=lambda data: service(screening=screening, by=request.user, request=request, **data),
        template="screening/followup_form.html", done=done,
        redirect_to=reverse("screening:couple", kwargs={"pk": screening.couple_id}),
        context={"screening": screening, "page_title": title, "hint": hint(screening) if hint else ""})


def _lmp_hint(screening):
    couple = screening.couple
    since_exam = couple.last_visit_date is not None and couple.last_visit_date >= screening.exam_date
    if couple.pregnancy_status == "pregnant" and since_exam:
        from households.api import couple_visit_history

        visit = couple_visit_history(couple).filter(is_void=False, pregnancy_status="pregnant").first()
        return {"lmp_hint": visit.last_menstrual_period if visit else None}
    return {}


def _prenatal_windows(screening) -> str:
    """The dates of the two windows for this pregnancy, so the clinician need not count weeks."""
    if not screening.pregnancy_lmp:
        return ""
    lmp, day = screening.pregnancy_lmp, datetime.timedelta(days=1)
    spans = {test: gestation_window(test) for test in PrenatalScreening.Test.values}
    nt, serum = spans[PrenatalScreening.Test.NT], spans[PrenatalScreening.Test.SERUM]
    return _("NT 筛查窗口 %(a)s 至 %(b)s；血清学筛查窗口 %(c)s 至 %(d)s。") % {
        "a": (lmp + nt[0] * day).isoformat(), "b": (lmp + nt[1] * day).isoformat(),
        "c": (lmp + serum[0] * day).isoformat(), "d": (lmp + serum[1] * day).isoformat()}


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SCREENING_CHANGE)
def early_create(request, pk):
    return _form_page(request, pk, form_class=EarlyForm, service=early_follow_up_record,
                      title=_("早孕随访"), done=_("早孕随访已登记。"), form_kwargs=_lmp_hint)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SCREENING_CHANGE)
def outcome_create(request, pk):
    return _form_page(request, pk, form_class=OutcomeForm, service=outcome_follow_up_record,
                      title=_("妊娠结局随访"), done=_("妊娠结局随访已登记。"))


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SCREENING_CHANGE)
def prenatal_create(request, pk):
    return _form_page(request, pk, form_class=PrenatalForm, service=prenatal_screening_record,
                      title=_("免费产前筛查"), done=_("产前筛查已登记。"), hint=_prenatal_windows)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SCREENING_CHANGE)
def diagnosis(request, pk):
    prenatal = get_follow_up_for_user(request.user, PrenatalScreening, pk, write=True)
    return form_page(
        request, form=DiagnosisForm(request.POST or None),
        save=lambda data: prenatal_diagnosis_record(
            prenatal=prenatal, by=request.user, diagnosis_on=data["diagnosis_on"], method=data["diagnosis_method"],
            result=data["diagnosis_result"], request=request),
        template="screening/followup_form.html", done=_("产前诊断已登记。"),
        redirect_to=prenatal.screening.get_absolute_url(),
        context={"screening": prenatal.screening, "page_title": _("产前诊断"),
                 "hint": _("%(test)s %(d)s：高风险。") % {"test": prenatal.get_test_display(),
                                                     "d": prenatal.tested_on.isoformat()}})


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SCREENING_CHANGE)
def follow_up_void_view(request, kind, pk):
    record = get_follow_up_for_user(request.user, VOIDABLE[kind], pk, write=True)
    return void_page(request, screening=record.screening, what=record._meta.verbose_name, done=_("记录已作废。"),
                     apply=lambda reason: follow_up_void(record=record, by=request.user, reason=reason, request=request))
