"""Writes for cases: opening one (from a tip, an inspection or otherwise), parties, edits and the
workflow transitions. Every transition is a ``CaseEvent`` row and an audit row."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, Township

from ..models import (
    REASON_REQUIRED,
    TERMINAL,
    Case,
    CaseEvent,
    CaseParty,
    CaseSource,
    CaseStatus,
    Department,
    Facility,
    Inspection,
    PartyKind,
    Tip,
    TipStatus,
)
from ..models.cases import stage_deadline_days
from .common import audit_change, save_fields
from .numbers import next_number

# Sources a case opened from an inspection can have: what the inspectors looked at.
INSPECTION_SOURCES = (CaseSource.ULTRASOUND_REGISTER, CaseSource.TERMINATION_REGISTER, CaseSource.DRUG_LEDGER)


class TransitionRefused(ValidationError):
    """The workflow does not allow this step, or someone else moved the case first."""


@dataclass(frozen=True)
class Outcome:
    """处理决定: what was decided (Population and Family Planning Law Art. 40)."""

    decision_number: str = ""
    warning: bool = False
    confiscated_amount: Decimal | None = None
    fine_amount: Decimal | None = None
    licence_revoked: bool = False
    referred_to_police: bool = False
    notes: str = ""

    def has_measure(self) -> bool:
        return bool(
            self.warning
            or self.confiscated_amount
            or self.fine_amount
            or self.licence_revoked
            or self.referred_to_police
        )


def _stage_due(status: str, today: datetime.date) -> datetime.date | None:
    if status in TERMINAL:
        return None
    days = stage_deadline_days(status)
    return today + datetime.timedelta(days=days) if days is not None else None


@transaction.atomic
def case_open(
    *,
    by,
    township: Township,
    title: str,
    source: str,
    description: str = "",
    violation_types=(),
    departments=(),
    tip: Tip | None = None,
    inspection: Inspection | None = None,
    parties=(),
    request=None,
) -> Case:
    """Register a case (线索登记) with the next number of the year and its first event.

    From a tip: the tip must still be pending; it becomes 已转案件 in the same transaction (two
    inspectors turning one tip into a case at once: the second is refused). From an inspection:
    the source is what was checked and the facility becomes a party.
    Returns the new case.
    """
    now = timezone.now()
    today = timezone.localdate()
    if tip is not None:
        tip = Tip.objects.select_for_update().get(pk=tip.pk)
        if tip.status != TipStatus.PENDING:
            raise ValidationError(
                _("该举报线索已处理（%(status)s），不能再转为案件。") % {"status": tip.get_status_display()}
            )
        source = CaseSource.TIP
        tip.status = TipStatus.CASE_OPENED
        tip.handled_on = today
        tip.handled_by = by
        tip.version += 1
        tip.save(update_fields=["status", "handled_on", "handled_by", "version", "updated_at"])
    elif source == CaseSource.TIP:
        raise ValidationError({"source": _("来源为“群众举报”的案件请从举报线索页面转为案件。")})
    if inspection is not None and source not in INSPECTION_SOURCES:
        raise ValidationError({"source": _("由执法检查发现的案件，来源应为 B超检查登记、引流产登记或药品台账。")})
    case = Case(
        year=today.year,
        seq=next_number("case", today.year),
        township=township,
        source=source,
        tip=tip,
        inspection=inspection,
        title=title.strip(),
        description=description.strip(),
        violation_types=list(violation_types),
        departments=list(departments) or [Department.HEALTH],
        status=CaseStatus.RECEIVED,
        stage_entered_at=now,
        stage_due_on=_stage_due(CaseStatus.RECEIVED, today),
        registered_on=today,
        created_by=by,
    )
    case.full_clean(exclude=["tip", "inspection"])
    case.save()
    CaseEvent.objects.create(
        case=case,
        from_status="",
        to_status=CaseStatus.RECEIVED,
        by=by,
        at=now,
        reason=_("由举报线索 %(n)s 转入") % {"n": tip.number} if tip else "",
    )
    if inspection is not None:
        CaseParty.objects.create(
            case=case, kind=PartyKind.FACILITY, facility=inspection.facility, role="performer", created_by=by
        )
    for party in parties:
        case_party_add(case=case, by=by, request=request, **party)
    audit_change(
        action=AuditEvent.Action.CREATE,
        obj=case,
        by=by,
        request=request,
        detail=f"case {case.number} opened" + (f" from tip {tip.number}" if tip else ""),
    )
    if tip is not None:
        audit_change(
            action=AuditEvent.Action.UPDATE, obj=tip, by=by, request=request, detail=f"tip → case {case.number}"
        )
    return case


@transaction.atomic
def case_update(*, case: Case, by, expected_version: int, data: dict, request=None) -> Case:
    """Edit the case's description fields (not its stage: only transitions move it)."""
    allowed = {"title", "description", "violation_types", "departments", "township"}
    save_fields(
        case,
        data={k: v for k, v in data.items() if k in allowed},
        expected_version=expected_version,
        by=by,
        request=request,
        detail=f"case {case.number} edited",
    )
    return case


@transaction.atomic
def case_party_add(
    *,
    case: Case,
    by,
    kind: str,
    role: str,
    facility: Facility | None = None,
    name: str = "",
    id_number: str = "",
    phone: str = "",
    address: str = "",
    request=None,
) -> CaseParty:
    if case.is_terminal:
        raise ValidationError(_("案件已办结，不能再添加当事人。"))
    if kind == PartyKind.FACILITY and facility is None:
        raise ValidationError({"facility": _("请从定点机构名录中选择机构。")})
    if kind == PartyKind.PERSON and not name.strip():
        raise ValidationError({"name": _("请填写当事人姓名。")})
    party = CaseParty(
        case=case,
        kind=kind,
        role=role,
        facility=facility if kind == PartyKind.FACILITY else None,
        name="" if kind == PartyKind.FACILITY else name.strip(),
        id_number=id_number,
        phone=phone,
        address=address,
        created_by=by,
    )
    party.full_clean()
    party.save()
    audit_change(
        action=AuditEvent.Action.UPDATE,
        obj=case,
        by=by,
        request=request,
        detail=f"case {case.number}: party added ({kind})",
    )
    return party


def normalise_decision_number(value: str) -> str:
    """``金卫罚 〔2026〕 2 号`` → ``金卫罚〔2026〕2号``: no blanks (pasted numbers often have them)."""
    return "".join((value or "").split())


def _decision_number_taken(case: Case) -> Case | None:
    return (Case.objects.filter(decided_on__year=case.decided_on.year, decision_number=case.decision_number)
            .exclude(pk=case.pk).select_related("township").first())


def _decision_number_message(other: Case) -> str:
    return _("处理决定书文号“%(n)s”已用于 %(year)s 年的案件 %(case)s（%(township)s，%(title)s），同一年度的文号不能重复，"
             "请核对。") % {"n": other.decision_number, "year": other.decided_on.year, "case": other.number,
                       "township": other.township.name if other.township_id else "", "title": other.title}


def _check_decision_number(case: Case) -> None:
    """A decision number names one case in its year (the database holds to it as well)."""
    other = _decision_number_taken(case)
    if other is not None:
        raise ValidationError({"decision_number": _decision_number_message(other)})


def _validate_outcome(outcome: Outcome | None) -> Outcome:
    errors = {}
    if outcome is None:
        outcome = Outcome()
    if not outcome.decision_number.strip():
        errors["decision_number"] = _("请填写处理决定书文号。")
    if not outcome.has_measure() and not outcome.notes.strip():
        errors["outcome_notes"] = _("请至少选择一项处理措施；不予处罚的，请在处理说明中写明理由。")
    for field in ("confiscated_amount", "fine_amount"):
        value = getattr(outcome, field)
        if value is not None and value < 0:
            errors[field] = _("金额不能为负数。")
    if errors:
        raise ValidationError(errors)
    return outcome


@transaction.atomic
def case_transition(
    *,
    case: Case,
    to: str,
    by,
    reason: str = "",
    expected_status: str | None = None,
    outcome: Outcome | None = None,
    referral_department: str = "",
    request=None,
) -> Case:
    """Move ``case`` to stage ``to`` if the workflow allows it; record the event and audit it.

    The row is locked (SELECT … FOR UPDATE) and its stage compared with ``expected_status`` (the
    stage the user saw): when two inspectors act on one case at once, the first wins and the
    second is refused with a message naming what happened, never applied on top.
    Raises ``TransitionRefused`` (a ValidationError) with a message in the user's language.
    Returns the updated case.
    """
    locked = Case.objects.select_for_update().get(pk=case.pk)
    seen = expected_status or case.status
    if locked.status != seen:
        last = locked.events.select_related("by").order_by("-at", "-id").first()
        raise TransitionRefused(
            _("该案件刚刚已由%(who)s办理为“%(now)s”，您的操作（转为“%(to)s”）未执行。请查看最新状态后再操作。")
            % {
                "who": last.by.get_full_name() if last else _("他人"),
                "now": locked.get_status_display(),
                "to": CaseStatus(to).label if to in CaseStatus.values else to,
            },
            code="stale",
        )
    if to not in CaseStatus.values or to not in locked.allowed_transitions:
        raise TransitionRefused(
            _("案件当前处于“%(now)s”，流程不允许转为“%(to)s”。")
            % {
                "now": locked.get_status_display(),
                "to": CaseStatus(to).label if to in CaseStatus.values else to,
            },
            code="not_allowed",
        )
    reason = (reason or "").strip()
    if to in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": _("转为“%(to)s”必须写明理由。") % {"to": CaseStatus(to).label}})
    now = timezone.now()
    today = timezone.localdate()
    from_status = locked.status
    fields = ["status", "stage_entered_at", "stage_due_on", "version", "updated_at"]
    if to == CaseStatus.FILED:
        locked.filed_on = today
        fields.append("filed_on")
    elif to == CaseStatus.NOT_FILED:
        locked.dismissed_on = today
        fields.append("dismissed_on")
    elif to == CaseStatus.REFERRED:
        if referral_department not in (Department.POLICE, Department.DISCIPLINE):
            raise ValidationError({"referral_department": _("请选择移送的部门：公安或纪检。")})
        locked.referred_on = today
        if referral_department == Department.POLICE:
            locked.referred_to_police = True
        else:
            locked.referred_to_discipline = True
        if referral_department not in locked.departments:
            locked.departments = [*locked.departments, referral_department]
        fields += ["referred_on", "referred_to_police", "referred_to_discipline", "departments"]
    elif to == CaseStatus.DECIDED:
        outcome = _validate_outcome(outcome)
        locked.decided_on = today
        locked.decision_number = normalise_decision_number(outcome.decision_number)
        _check_decision_number(locked)
        locked.outcome_warning = outcome.warning
        locked.confiscated_amount = outcome.confiscated_amount or None
        locked.fine_amount = outcome.fine_amount or None
        locked.licence_revoked = outcome.licence_revoked
        locked.referred_to_police = locked.referred_to_police or outcome.referred_to_police
        locked.outcome_notes = outcome.notes.strip()
        fields += [
            "decided_on",
            "decision_number",
            "outcome_warning",
            "confiscated_amount",
            "fine_amount",
            "licence_revoked",
            "referred_to_police",
            "outcome_notes",
        ]
    elif to == CaseStatus.CLOSED:
        locked.closed_on = today
        fields.append("closed_on")
    locked.status = to
    locked.stage_entered_at = now
    locked.stage_due_on = _stage_due(to, today)
    locked.version += 1
    try:
        # A savepoint: another case given the same number a moment ago is a form error, not a 500.
        with transaction.atomic():
            locked.save(update_fields=fields)
    except IntegrityError:
        other = _decision_number_taken(locked) if to == CaseStatus.DECIDED else None
        if other is None:
            raise
        raise ValidationError({"decision_number": _decision_number_message(other)}) from None
    CaseEvent.objects.create(case=locked, from_status=from_status, to_status=to, by=by, at=now, reason=reason)
    audit_change(
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        by=by,
        request=request,
        detail=f"case {locked.number}: {from_status} → {to}",
    )
    return locked
