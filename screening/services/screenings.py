"""Writes of a screening: start (with consent), results (draft and finish), risk assessment, the
letter's print, voiding.

Every function owns its transaction and audit rows; a refusal raises ``ValidationError`` (keyed by
form field where one applies) before anything is written. Results and the assessment carry the
screening's version (``save_versioned``): two clinicians saving the same screening do not
silently overwrite each other.
"""
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, User
from accounts.services import audit_log
from core.records import save_versioned, void_record
from households.api import survey_record

from ..models import (
    ResultField, RiskDomain, RiskLevel, RiskRule, Screening, ScreeningItem, ScreeningResult, ScreeningRiskFactor,
    Subject,
)
from .judging import has_value, judge
from .pathway import refresh_current
from .pathway_state import pathway_state_refresh

INTENTION_TIMINGS = ("1", "2", "3", "4")  # households' PlannedTiming values that put a couple in the register


def result_key(subject: str, code: str) -> str:
    """The form field name of one result (``female__hb``); errors come back keyed by it."""
    return f"{subject}__{code}"


def applicable_fields(screening: Screening) -> list[tuple[str, ResultField]]:
    """(subject, field) for every active field of an active item that applies to an examined
    spouse, in entry order: items by number, the wife's before the husband's."""
    fields = list(ResultField.objects.filter(is_active=True, item__is_active=True).select_related("item")
                  .order_by("item__number", "sort_order", "id"))
    return [(subject, f) for f in fields for subject in screening.subjects if f.item.applies_to(subject)]


def _lock(screening: Screening) -> Screening:
    return Screening.objects.select_for_update().get(pk=screening.pk)


@transaction.atomic
def screening_start(
    *, couple, by: User, exam_date: datetime.date, consent: str, consent_on: datetime.date,
    planned_child_order: int | None = None, facility: str = "", planned_timing: str = "", request=None,
) -> Screening:
    """Start a couple's screening with its informed consent; results follow (draft).

    One active screening per couple per planned child: a second is refused (with the first one's
    date) unless the first is voided. A couple not in the township's register yet is entered
    there through the households service with the intention the couple states now
    (``planned_timing``): a couple having a pre-pregnancy check is planning a child, and the
    township then follows it like any other.
    """
    couple = type(couple).objects.select_for_update().get(pk=couple.pk)
    errors = {}
    today = timezone.localdate()
    if couple.is_void:
        raise ValidationError(_("该育龄夫妇记录已作废，不能登记检查。"))
    if exam_date is None or exam_date > today:
        errors["exam_date"] = _("检查日期不能晚于今天。")
    if consent_on is None or consent_on > today:
        errors["consent_on"] = _("知情同意书签署日期不能晚于今天。")
    elif exam_date is not None and consent_on > exam_date:
        errors["consent_on"] = _("应先签署知情同意书再检查：签署日期不能晚于检查日期。")
    order = planned_child_order or couple.boys + couple.girls + 1
    if not 1 <= order <= 20:
        errors["planned_child_order"] = _("计划生育孩次应在 1–20 之间。")
    if not couple.in_register and planned_timing not in INTENTION_TIMINGS:
        errors["planned_timing"] = _("该夫妇尚未列入摸底造册，请询问并选择计划生育时间。")
    existing = Screening.objects.filter(couple=couple, planned_child_order=order, is_void=False).first()
    if existing is not None:
        errors["planned_child_order"] = _(
            "该夫妇第 %(n)d 孩的孕前检查已登记（检查日期 %(d)s），同一孩次只能检查一次；如原记录有误，请先作废原记录。"
        ) % {"n": order, "d": existing.exam_date.isoformat()}
    if errors:
        raise ValidationError(errors)
    if not couple.in_register:
        survey_record(couple=couple, by=by, planned_timing=planned_timing, surveyed_on=min(exam_date, today),
                      next_child_order=order, services_wanted=["pre_pregnancy"],
                      notes=_("孕前优生健康检查时登记"), request=request)
    screening = Screening(
        couple=couple, planned_child_order=order, exam_date=exam_date, consent=consent, consent_on=consent_on,
        facility=(facility or settings.SCREENING_FACILITY_NAME).strip(), doctor=by, created_by=by,
    )
    try:
        with transaction.atomic():  # losing a double-submit race is a form error, not a 500
            screening.save()
    except IntegrityError:
        raise ValidationError({"planned_child_order": _("该夫妇本孩次的孕前检查刚刚已由他人登记。")}) from None
    refresh_current(couple.pk)
    screening.refresh_from_db(fields=["is_current"])
    audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=screening)
    return screening


@transaction.atomic
def results_save(
    *, screening: Screening, by: User, expected_version: int, values: dict, finish: bool = False, request=None,
) -> Screening:
    """Save the typed results (a draft), and with ``finish`` mark the entry complete.

    ``values`` maps ``result_key(subject, code)`` to ``{"value", "flag", "reason"}``: the typed
    value (number, choice code or text), the clinician's judgement (``""`` = by the range,
    ``"normal"``/``"abnormal"`` = override, which needs a reason). A value outside the plausible
    range is refused; a plausible abnormal value is accepted and flagged. ``finish`` needs a value
    for every number and choice field of the examined spouses. Nothing is written when any entry
    is refused. Returns the screening (its version moved on).
    """
    locked = _lock(screening)
    if locked.is_void:
        raise ValidationError(_("该检查已作废，不能修改。"))
    if locked.status == Screening.Status.ASSESSED:
        raise ValidationError(_("该检查已完成风险评估，结果不能再修改。"))
    errors: dict[str, str] = {}
    rows = []
    for subject, field in applicable_fields(locked):
        key = result_key(subject, field.code)
        entry = values.get(key) or {}
        raw = entry.get("value", "")
        try:
            row = judge(field, subject, number=raw, choice=raw, text=raw)
        except ValidationError as error:
            errors[key] = error.messages[0]
            continue
        flag, reason = entry.get("flag", ""), (entry.get("reason") or "").strip()
        if not has_value(row):
            if finish and field.kind != ResultField.Kind.TEXT:
                errors[key] = _("完成录入前请填写%(name)s。") % {"name": field.name}
            rows.append((subject, field, None))
            continue
        if flag in ("normal", "abnormal") and row["auto_abnormal"] is not None \
                and (flag == "abnormal") != row["auto_abnormal"]:
            if not reason:
                errors[f"{key}__reason"] = _("修改系统判断时请写明原因。")
                continue
            row.update(is_abnormal=flag == "abnormal", overridden=True, override_reason=reason[:200])
        else:
            row.update(is_abnormal=bool(row["auto_abnormal"]), overridden=False, override_reason="")
        rows.append((subject, field, row))
    if errors:
        raise ValidationError(errors)
    existing = {(r.subject, r.field_id): r for r in locked.results.all()}
    for subject, field, row in rows:
        current = existing.get((subject, field.pk))
        if row is None:
            if current is not None:
                # Cleared on the draft: an entry being typed, not a record anyone relied on (the
                # screening is not assessed, and the audit row below names the change).
                current.delete()
            continue
        if current is None:
            ScreeningResult.objects.create(screening=locked, field=field, subject=subject, entered_by=by,
                                           tested_on=locked.exam_date, **row)
        elif any(getattr(current, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(current, k, v)
            current.entered_by = by
            current.save()
    if finish:
        locked.status = Screening.Status.COMPLETE
        locked.completed_at = timezone.now()
    save_versioned(locked, expected_version=expected_version, fields=["status", "completed_at"])
    if finish:
        pathway_state_refresh([locked.couple_id])
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=locked,
              detail="results" + (" finish" if finish else " draft"))
    screening.status, screening.completed_at, screening.version = locked.status, locked.completed_at, locked.version
    return screening


def propose_factors(screening: Screening) -> list[dict]:
    """What the rules propose from the abnormal (or matching) results: one proposal per rule and
    spouse, in rule order. The clinician confirms or edits; nothing is saved here."""
    results = list(screening.results.select_related("field"))
    rules = list(RiskRule.objects.filter(is_active=True, field__is_active=True).order_by("sort_order", "id"))
    proposals = []
    for rule in rules:
        for result in results:
            if result.field_id == rule.field_id and rule.matches(result):
                proposals.append({
                    "rule": rule.pk, "subject": result.subject, "domain": rule.domain, "description": rule.factor,
                    "advice": rule.advice, "evidence": f"{result.field.name} {result.display_value}{result.unit}",
                })
    return proposals


@transaction.atomic
def risk_assess(
    *, screening: Screening, by: User, expected_version: int, factors: list[dict], advice: str = "",
    referral: str = "", request=None,
) -> Screening:
    """Confirm the risk assessment: the confirmed factors (each ``subject``, ``domain``,
    ``description``, ``advice``, optional ``rule``) replace any earlier assessment of this
    screening. Any factor makes the couple 高风险人群, none 一般人群. Needs complete results."""
    locked = _lock(screening)
    if locked.is_void:
        raise ValidationError(_("该检查已作废。"))
    if locked.status == Screening.Status.DRAFT:
        raise ValidationError(_("检查结果尚未完成录入，请先完成录入再做风险评估。"))
    clean = []
    for n, factor in enumerate(factors):
        description = (factor.get("description") or "").strip()
        if factor.get("domain") not in RiskDomain.values or not description:
            raise ValidationError({f"factor_{n}": _("每个风险因素都要选择类别并填写内容。")})
        if factor.get("subject") not in Subject.values:
            raise ValidationError({f"factor_{n}": _("请选择风险因素的对象。")})
        rule_id = factor.get("rule") or None
        if rule_id is not None and not RiskRule.objects.filter(pk=rule_id).exists():
            rule_id = None
        clean.append(ScreeningRiskFactor(
            screening=locked, subject=factor["subject"], domain=factor["domain"], description=description[:200],
            advice=(factor.get("advice") or "").strip(), rule_id=rule_id, confirmed_by=by))
    locked.risk_factors.all().delete()  # the assessment is re-confirmed as a whole; audited below
    ScreeningRiskFactor.objects.bulk_create(clean)
    locked.risk_level = RiskLevel.HIGH if clean else RiskLevel.GENERAL
    locked.status = Screening.Status.ASSESSED
    locked.assessed_at, locked.assessed_by = timezone.now(), by
    locked.advice = (advice or "").strip() or "\n".join(f.advice for f in clean if f.advice)
    locked.referral = (referral or "").strip()[:200]
    save_versioned(locked, expected_version=expected_version,
                   fields=["risk_level", "status", "assessed_at", "assessed_by", "advice", "referral"])
    pathway_state_refresh([locked.couple_id])
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=locked,
              detail=f"risk assessment: {locked.risk_level}, {len(clean)} factor(s)")
    for name in ("risk_level", "status", "assessed_at", "assessed_by", "advice", "referral", "version"):
        setattr(screening, name, getattr(locked, name))
    return screening


@transaction.atomic
def letter_print(*, screening: Screening, by: User, request=None) -> Screening:
    """The 评估建议告知书 is printed for the couple: the first print dates the advice (the
    high-risk couple's advice-and-referral step is done); every print is audited."""
    locked = _lock(screening)
    if locked.status != Screening.Status.ASSESSED or locked.is_void:
        raise ValidationError(_("完成风险评估后才能打印告知书。"))
    if locked.advised_on is None:
        # No version bump: printing must not make an open assessment form fail as stale.
        Screening.objects.filter(pk=locked.pk).update(advised_on=timezone.localdate())
        screening.advised_on = timezone.localdate()
        pathway_state_refresh([locked.couple_id])
    audit_log(action=AuditEvent.Action.EXPORT, request=request, user=by, obj=locked, detail="print letter")
    return screening


@transaction.atomic
def screening_void(*, screening: Screening, by: User, reason: str, request=None) -> Screening:
    """Void a screening entered in error (never delete it): it leaves lists and rates, and the
    couple may be screened again for the same planned child."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写作废原因。")})
    locked = _lock(screening)
    if locked.is_void:
        raise ValidationError(_("该检查已作废。"))
    Screening.objects.filter(pk=locked.pk).update(is_current=False, version=F("version") + 1)
    void_record(locked, by=by, reason=reason, request=request)
    refresh_current(locked.couple_id)
    screening.is_void = True
    return screening


def catalogue_for_entry(screening: Screening) -> list[dict]:
    """The entry page's groups: item groups in catalogue order, each with its items and, per item,
    the (subject, field) pairs to enter. Two queries whatever the catalogue's size."""
    pairs = applicable_fields(screening)
    groups: dict[str, dict] = {}
    labels = dict(ScreeningItem.Group.choices)
    for subject, field in pairs:
        item = field.item
        group = groups.setdefault(item.group, {"code": item.group, "label": labels.get(item.group, item.group),
                                               "items": {}})
        group["items"].setdefault(item.pk, {"item": item, "rows": []})["rows"].append((subject, field))
    order = [g for g, _label in ScreeningItem.Group.choices]
    return [{**groups[g], "items": list(groups[g]["items"].values())} for g in order if g in groups]
