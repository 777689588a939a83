"""Writes after the screening: early-pregnancy and outcome follow-ups, prenatal screening and its
diagnosis follow-up, and voiding them.

One pregnancy, one record: the household's follow-up visits (households app) are where a
pregnancy and its end are recorded, once. An early follow-up of 已孕 links to the couple's visit
that already recorded this pregnancy (an LMP within SCREENING_WINDOWS["same_pregnancy"] days),
or records it through ``households.services.visits.visit_record`` when none has; an outcome of
已分娩 closes it there the same way. Screening never writes the households tables itself.
"""
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, User
from accounts.services import audit_log
from core.records import void_record
from households.api import couple_visit_history, visit_record

from ..models import (
    EarlyPregnancyFollowUp, EarlyResult, Exposure, FolicAcid, Illness, Outcome, OutcomeFollowUp, OutcomeResult,
    PrenatalScreening, Screening,
)
from .pathway import refresh_pathway

DAY = datetime.timedelta(days=1)
# households.PregnancyStatus values (the visit's pregnancy status).
PREGNANT, DELIVERED, TERMINATED = "pregnant", "delivered", "terminated"


def _lock(screening: Screening) -> Screening:
    locked = Screening.objects.select_for_update().select_related("couple").get(pk=screening.pk)
    if locked.is_void:
        raise ValidationError(_("该检查已作废，不能登记随访。"))
    return locked


def _check_date(errors: dict, field: str, day, *, not_before: datetime.date, label: str) -> None:
    if day is None:
        errors[field] = _("请填写%(label)s。") % {"label": label}
    elif day > timezone.localdate():
        errors[field] = _("%(label)s不能晚于今天。") % {"label": label}
    elif day < not_before:
        errors[field] = _("%(label)s不能早于 %(d)s。") % {"label": label, "d": not_before.isoformat()}


def _visit_write(*, couple, by: User, visit_date, status: str, lmp=None, notes: str, request, field_map: dict):
    """Record the pregnancy fact through the households service; its refusal lands on our form."""
    try:
        return visit_record(couple=couple, by=by, visit_date=visit_date, pregnancy_status=status,
                            last_menstrual_period=lmp, services=["prenatal_care"], notes=notes, request=request)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError({field_map.get(k, "__all__"): v for k, v in error.message_dict.items()}) from None
        raise ValidationError(
            _("孕情需登记在该夫妇的随访记录中，但随访记录拒绝了本次登记：%(why)s 请联系镇街专干核实摸底造册。")
            % {"why": " ".join(error.messages)}) from None


def pregnancy_visit_for(couple, lmp: datetime.date):
    """The couple's active visit that recorded this pregnancy (LMP within the same-pregnancy
    window), latest first; None when no visit has."""
    window = datetime.timedelta(days=settings.SCREENING_WINDOWS["same_pregnancy"])
    return (couple_visit_history(couple).filter(
        is_void=False, pregnancy_status=PREGNANT, last_menstrual_period__gte=lmp - window,
        last_menstrual_period__lte=lmp + window).first())


@transaction.atomic
def early_follow_up_record(
    *, screening: Screening, by: User, followed_on: datetime.date, result: str, lmp=None, lmp_exact: bool = True,
    folic_acid: str = "", exposures=(), illnesses=(), medication: str = "", confirming_facility: str = "",
    ultrasound: str = "", notes: str = "", request=None,
) -> EarlyPregnancyFollowUp:
    """Record an early-pregnancy follow-up (已孕/未孕/失访) of an assessed screening.

    已孕 needs the LMP (not after the follow-up, not more than 20 weeks before it) and links to —
    or records — the household visit that holds the pregnancy. 未孕 is refused while the couple's
    visits say she is pregnant since the exam: the two records must not disagree.
    """
    locked = _lock(screening)
    couple = locked.couple
    errors: dict[str, str] = {}
    if locked.status != Screening.Status.ASSESSED:
        raise ValidationError(_("完成风险评估后才能登记早孕随访。"))
    if locked.pregnancy_lmp is not None:
        raise ValidationError(_("本次检查已登记已孕；妊娠结束请登记妊娠结局随访。"))
    _check_date(errors, "followed_on", followed_on, not_before=locked.exam_date, label=_("随访日期"))
    if result not in EarlyResult.values:
        errors["result"] = _("请选择随访结果。")
    if result == EarlyResult.PREGNANT:
        if lmp is None:
            errors["lmp"] = _("已孕时必须填写末次月经日期。")
        elif followed_on and lmp > followed_on:
            errors["lmp"] = _("末次月经日期不能晚于随访日期。")
        elif followed_on and (followed_on - lmp).days > 20 * 7:
            errors["lmp"] = _("末次月经距随访日期超过 20 周，已不属于早孕随访，请核对日期。")
    else:
        lmp = None
    if result == EarlyResult.NOT_PREGNANT and couple.pregnancy_status == PREGNANT and couple.last_visit_date \
            and couple.last_visit_date >= locked.exam_date:
        errors["result"] = _("该夫妇的随访记录显示已孕（%(d)s 随访），与“未孕”不符，请核实。") % {
            "d": couple.last_visit_date.isoformat()}
    if folic_acid and folic_acid not in FolicAcid.values:
        errors["folic_acid"] = _("叶酸服用情况无效。")
    exposures, illnesses = list(dict.fromkeys(exposures)), list(dict.fromkeys(illnesses))
    if any(e not in Exposure.values for e in exposures):
        errors["exposures"] = _("暴露情况中有无效的选项。")
    if any(i not in Illness.values for i in illnesses):
        errors["illnesses"] = _("患病情况中有无效的选项。")
    if errors:
        raise ValidationError(errors)
    visit = None
    if result == EarlyResult.PREGNANT:
        visit = pregnancy_visit_for(couple, lmp) or _visit_write(
            couple=couple, by=by, visit_date=followed_on, status=PREGNANT, lmp=lmp,
            notes=_("孕前优生健康检查早孕随访：已孕。"), request=request,
            field_map={"visit_date": "followed_on", "last_menstrual_period": "lmp"})
    follow_up = EarlyPregnancyFollowUp.objects.create(
        screening=locked, worker=by, followed_on=followed_on, result=result, lmp=lmp, lmp_exact=lmp_exact,
        folic_acid=folic_acid if result == EarlyResult.PREGNANT else "", exposures=exposures, illnesses=illnesses,
        medication=medication.strip(), confirming_facility=confirming_facility.strip(), ultrasound=ultrasound.strip(),
        notes=notes.strip(), pregnancy_visit=visit, created_by=by)
    refresh_pathway(locked.pk)
    audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=follow_up)
    return follow_up


@transaction.atomic
def outcome_follow_up_record(
    *, screening: Screening, by: User, followed_on: datetime.date, result: str, outcome: str = "",
    delivery_date=None, gestational_weeks=None, birth_weight_g=None, infant_sex: str = "",
    multiple_birth: bool = False, place: str = "", method: str = "", notes: str = "", request=None,
) -> OutcomeFollowUp:
    """Record a pregnancy-outcome follow-up (已分娩/失访/未分娩) of the screening's pregnancy.

    已分娩 needs the outcome and the date (between the LMP and the follow-up); a live birth's
    weight must be plausible (300–7000 g) and its week 20–45. The pregnancy's end is recorded on
    the household's visits too (once: not again when a visit since the LMP already says so).
    """
    locked = _lock(screening)
    if locked.pregnancy_lmp is None:
        raise ValidationError(_("尚未登记本次妊娠（早孕随访已孕），不能登记妊娠结局。"))
    if locked.outcome_result in (OutcomeResult.DELIVERED, OutcomeResult.LOST):
        raise ValidationError(_("本次妊娠的结局随访已完成。"))
    lmp = locked.pregnancy_lmp
    errors: dict[str, str] = {}
    _check_date(errors, "followed_on", followed_on, not_before=lmp, label=_("随访日期"))
    if result not in OutcomeResult.values:
        errors["result"] = _("请选择随访结果。")
    if result == OutcomeResult.DELIVERED:
        if outcome not in Outcome.values:
            errors["outcome"] = _("请选择妊娠结局。")
        if delivery_date is None:
            errors["delivery_date"] = _("请填写分娩（终止）日期。")
        elif delivery_date < lmp or (followed_on and delivery_date > followed_on):
            errors["delivery_date"] = _("分娩日期应在末次月经（%(lmp)s）之后、随访日期之前。") % {
                "lmp": lmp.isoformat()}
        if gestational_weeks is not None and not 4 <= gestational_weeks <= 45:
            errors["gestational_weeks"] = _("孕周应在 4–45 周之间。")
        if birth_weight_g is not None and not 300 <= birth_weight_g <= 7000:
            errors["birth_weight_g"] = _("出生体重应在 300–7000 克之间，请核对。")
    else:
        outcome, delivery_date, gestational_weeks, birth_weight_g = "", None, None, None
        infant_sex, place, method = "", "", ""
        multiple_birth = False
    if errors:
        raise ValidationError(errors)
    visit = None
    if result == OutcomeResult.DELIVERED:
        status = TERMINATED if outcome == Outcome.MISCARRIAGE else DELIVERED
        visit = (couple_visit_history(locked.couple).filter(
            is_void=False, pregnancy_status__in=[DELIVERED, TERMINATED], visit_date__gte=lmp).first()
            or _visit_write(couple=locked.couple, by=by, visit_date=followed_on, status=status,
                            notes=_("孕前优生健康检查妊娠结局随访。"), request=request,
                            field_map={"visit_date": "followed_on"}))
    follow_up = OutcomeFollowUp.objects.create(
        screening=locked, worker=by, followed_on=followed_on, result=result, outcome=outcome,
        delivery_date=delivery_date, gestational_weeks=gestational_weeks, birth_weight_g=birth_weight_g,
        infant_sex=infant_sex, multiple_birth=multiple_birth, place=place.strip(), method=method,
        notes=notes.strip(), outcome_visit=visit, created_by=by)
    refresh_pathway(locked.pk)
    audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=follow_up)
    return follow_up


def gestation_window(test: str) -> tuple[int, int]:
    w = settings.SCREENING_WINDOWS
    return (w["nt_from"], w["nt_to"]) if test == PrenatalScreening.Test.NT else (w["serum_from"], w["serum_to"])


def weeks_text(days: int) -> str:
    return f"{days // 7}+{days % 7}"


@transaction.atomic
def prenatal_screening_record(
    *, screening: Screening, by: User, test: str, tested_on: datetime.date, gestational_weeks: int,
    gestational_days: int = 0, result: str, detail: str = "", facility: str = "", request=None,
) -> PrenatalScreening:
    """Record a free prenatal screening of the screening's pregnancy. The gestational age must lie
    in the test's window (NT 11+0–13+6, serum 15+0–20+6 weeks) and agree with the LMP (±2 weeks)."""
    locked = _lock(screening)
    if locked.pregnancy_lmp is None:
        raise ValidationError(_("尚未登记本次妊娠（早孕随访已孕），不能登记产前筛查。"))
    lmp = locked.pregnancy_lmp
    errors: dict[str, str] = {}
    _check_date(errors, "tested_on", tested_on, not_before=lmp, label=_("筛查日期"))
    if test not in PrenatalScreening.Test.values:
        errors["test"] = _("请选择筛查项目。")
    if result not in PrenatalScreening.Result.values:
        errors["result"] = _("请选择筛查结果。")
    if gestational_weeks is None or not 0 <= (gestational_days or 0) <= 6:
        errors["gestational_weeks"] = _("请填写孕周（周 + 0–6 天）。")
    if not errors:
        ga = gestational_weeks * 7 + (gestational_days or 0)
        low, high = gestation_window(test)
        by_lmp = (tested_on - lmp).days
        if not low <= ga <= high:
            errors["gestational_weeks"] = _("%(test)s应在孕 %(low)s 至 %(high)s 周进行，所填孕周为 %(ga)s 周。") % {
                "test": PrenatalScreening.Test(test).label, "low": weeks_text(low), "high": weeks_text(high),
                "ga": weeks_text(ga)}
        elif abs(ga - by_lmp) > 14:
            errors["gestational_weeks"] = _("孕周与末次月经（%(lmp)s）推算的 %(calc)s 周相差超过 2 周，请核对。") % {
                "lmp": lmp.isoformat(), "calc": weeks_text(by_lmp)}
    if errors:
        raise ValidationError(errors)
    prenatal = PrenatalScreening.objects.create(
        screening=locked, worker=by, test=test, tested_on=tested_on, gestational_weeks=gestational_weeks,
        gestational_days=gestational_days or 0, result=result, detail=detail.strip(), facility=facility.strip(),
        created_by=by)
    refresh_pathway(locked.pk)
    audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=prenatal)
    return prenatal


@transaction.atomic
def prenatal_diagnosis_record(
    *, prenatal: PrenatalScreening, by: User, diagnosis_on: datetime.date, method: str, result: str, request=None,
) -> PrenatalScreening:
    """The diagnosis follow-up of a high-risk prenatal screening result."""
    locked = PrenatalScreening.objects.select_for_update().get(pk=prenatal.pk)
    if locked.is_void or locked.result != PrenatalScreening.Result.HIGH:
        raise ValidationError(_("只有高风险的产前筛查需要登记产前诊断。"))
    errors: dict[str, str] = {}
    _check_date(errors, "diagnosis_on", diagnosis_on, not_before=locked.tested_on, label=_("诊断日期"))
    if result not in PrenatalScreening.Diagnosis.values:
        errors["diagnosis_result"] = _("请选择诊断结果。")
    if errors:
        raise ValidationError(errors)
    locked.diagnosis_on, locked.diagnosis_method, locked.diagnosis_result = diagnosis_on, method.strip()[:60], result
    locked.save(update_fields=["diagnosis_on", "diagnosis_method", "diagnosis_result", "updated_at"])
    refresh_pathway(locked.screening_id)
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=locked, detail="diagnosis")
    return locked


@transaction.atomic
def follow_up_void(*, record, by: User, reason: str, request=None):
    """Void an early/outcome follow-up or a prenatal screening entered in error; the pathway falls
    back to what remains. A household visit it recorded stays (it is the township's record and
    is voided there if wrong)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写作废原因。")})
    locked = type(record).objects.select_for_update().get(pk=record.pk)
    if locked.is_void:
        raise ValidationError(_("该记录已作废。"))
    void_record(locked, by=by, reason=reason, request=request)
    refresh_pathway(locked.screening_id)
    return locked
