"""Writes for tips: record, dismiss with a reason, record a reward. Turning a tip into a case is
``services.cases.case_open(tip=...)``."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, Township

from ..models import Tip, TipStatus
from .common import audit_change, require_reason
from .numbers import next_number


@transaction.atomic
def tip_record(
    *,
    by,
    township: Township,
    channel: str,
    received_on: datetime.date,
    content: str,
    reporter_name: str = "",
    reporter_contact: str = "",
    request=None,
) -> Tip:
    """Record a tip with the next number of the year. The reporter may stay anonymous."""
    today = timezone.localdate()
    if received_on > today:
        raise ValidationError({"received_on": _("受理日期不能晚于今天。")})
    content = content.strip()
    if not content:
        raise ValidationError({"content": _("请填写举报内容。")})
    tip = Tip(
        year=received_on.year,
        seq=next_number("tip", received_on.year),
        township=township,
        channel=channel,
        received_on=received_on,
        content=content,
        reporter_name=reporter_name.strip(),
        reporter_contact=reporter_contact.strip(),
        created_by=by,
    )
    tip.full_clean()
    tip.save()
    # The audit detail never carries the reporter's identity.
    audit_change(action=AuditEvent.Action.CREATE, obj=tip, by=by, request=request, detail=f"tip {tip.number}")
    return tip


def _locked_pending(tip: Tip) -> Tip:
    locked = Tip.objects.select_for_update().get(pk=tip.pk)
    if locked.status != TipStatus.PENDING:
        raise ValidationError(
            _("该举报线索已处理（%(status)s），本次操作未执行。") % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def tip_dismiss(*, tip: Tip, by, reason: str, request=None) -> Tip:
    """不予处理: a pending tip is closed with the reason (kept for review)."""
    reason = require_reason(reason, _("请填写不予处理的理由。"))
    locked = _locked_pending(tip)
    locked.status = TipStatus.DISMISSED
    locked.dismissal_reason = reason
    locked.handled_on = timezone.localdate()
    locked.handled_by = by
    locked.version += 1
    locked.save(update_fields=["status", "dismissal_reason", "handled_on", "handled_by", "version", "updated_at"])
    audit_change(
        action=AuditEvent.Action.UPDATE, obj=locked, by=by, request=request, detail=f"tip {locked.number} dismissed"
    )
    return locked


@transaction.atomic
def tip_reward_record(*, tip: Tip, by, amount: Decimal, paid_on: datetime.date, note: str = "", request=None) -> Tip:
    """Record the reward paid to the reporter of a tip that led to a case."""
    locked = Tip.objects.select_for_update().get(pk=tip.pk)
    if locked.status != TipStatus.CASE_OPENED:
        raise ValidationError(_("只有已转为案件的举报线索才能记录奖励。"))
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("奖励金额应大于 0。")
    if paid_on and paid_on > timezone.localdate():
        errors["paid_on"] = _("发放日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    locked.reward_amount = amount
    locked.reward_paid_on = paid_on
    locked.reward_note = note.strip()
    locked.version += 1
    locked.save(update_fields=["reward_amount", "reward_paid_on", "reward_note", "version", "updated_at"])
    audit_change(
        action=AuditEvent.Action.UPDATE, obj=locked, by=by, request=request, detail=f"tip {locked.number} reward"
    )
    return locked
