"""Writes for follow-up visits (跟踪服务/随访) to couples in the register.

The couple carries denormalised copies of its latest visit (``pregnancy_status``,
``last_visit_date``, ``next_visit_due``) because the register, due and overdue lists filter and
sort on them. They are always recomputed from the latest *active* visit by (visit_date, id), so
a back-dated visit entered today never overwrites what a newer visit found, and voiding a visit
falls back to the one before it.
"""
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, User
from accounts.services import audit_log

from ..models import Couple, FollowUpVisit, PregnancyStatus, VisitService
from ..signals import couples_changed
from .common import saved_before, void_record


# A pregnancy lasts about 40 weeks from the last menstrual period: one reported further back than
# this at a visit is a mistyped date. The next visit is planned within a year: a date further out
# (9999 typed for 2025) would drop the couple from every due list without anyone noticing.
LMP_MAX_DAYS_BEFORE_VISIT = 300
NEXT_VISIT_MAX_DAYS = 366


def default_next_due(visit_date: datetime.date, status: str) -> datetime.date:
    """The visit date plus the county's interval for the pregnancy status found (a setting)."""
    intervals = settings.HOUSEHOLDS_VISIT_INTERVAL_DAYS
    days = intervals.get(status, intervals[PregnancyStatus.NOT_PREGNANT])
    return visit_date + datetime.timedelta(days=days)


def refresh_visit_status(couple: Couple) -> None:
    """Copy the latest active visit's findings onto the couple (and onto ``couple`` in memory).

    Without any active visit the couple is back where the survey left it: not pregnant, never
    visited, first visit due one usual interval after the latest survey.
    """
    latest = (
        FollowUpVisit.objects.filter(couple_id=couple.pk, is_void=False)
        .order_by("-visit_date", "-id")
        .only("pregnancy_status", "visit_date", "next_due")
        .first()
    )
    if latest is not None:
        status, last_visit, next_due = latest.pregnancy_status, latest.visit_date, latest.next_due
    else:
        status, last_visit, next_due = PregnancyStatus.NOT_PREGNANT, None, None
        survey = couple.surveys.order_by("-surveyed_on", "-id").only("surveyed_on").first()
        if couple.in_register and survey is not None:
            next_due = default_next_due(survey.surveyed_on, PregnancyStatus.NOT_PREGNANT)
    # No version bump: these columns are not on the couple's edit form, so recording a visit
    # must not make a clerk's open edit of the marriage date fail as a concurrent edit.
    Couple.objects.filter(pk=couple.pk).update(
        pregnancy_status=status, last_visit_date=last_visit, next_visit_due=next_due,
    )
    couple.pregnancy_status, couple.last_visit_date, couple.next_visit_due = status, last_visit, next_due
    couples_changed.send(sender=Couple, couple_ids=[couple.pk])


def _lock_couple(couple: Couple) -> Couple:
    # Two clerks recording visits to one couple at once: the second waits here, then recomputes
    # the latest visit including the first one's, so neither overwrites the other's finding.
    return Couple.objects.select_for_update().only("id", "is_void", "in_register", "township_id").get(pk=couple.pk)


@transaction.atomic
def visit_record(
    *, couple: Couple, by: User, visit_date: datetime.date, pregnancy_status: str,
    last_menstrual_period: datetime.date | None = None, services=(), notes: str = "",
    next_due: datetime.date | None = None, request=None, client_key=None,
) -> FollowUpVisit:
    """Record a follow-up visit and return it.

    Rules: the couple is in the register and not void; the visit date is not in the future;
    已孕 needs the last menstrual period, which cannot be after the visit date; the next due date
    defaults to the visit date plus the status's interval and cannot be before the visit date.
    Violations raise ``ValidationError`` keyed by field; nothing is written.

    ``client_key``: the idempotency key of a visit sent from the offline outbox. Sent again, the
    visit saved the first time is returned (``visit.replayed``) and nothing is written.
    """
    locked = _lock_couple(couple)
    if (visit := saved_before(FollowUpVisit, client_key, by=by, couple_id=locked.pk)) is not None:
        return visit
    if locked.is_void:
        raise ValidationError(_("该夫妇记录已作废，不能记录随访。"))
    if not locked.in_register:
        raise ValidationError(_("该夫妇不在摸底造册名单中，不能记录随访。"))

    errors: dict[str, str] = {}
    today = timezone.localdate()
    if pregnancy_status not in PregnancyStatus.values:
        errors["pregnancy_status"] = _("请选择孕情。")
    if visit_date is None:
        errors["visit_date"] = _("请填写随访日期。")
    elif visit_date > today:
        errors["visit_date"] = _("随访日期不能晚于今天。")
    if pregnancy_status == PregnancyStatus.PREGNANT:
        if last_menstrual_period is None:
            errors["last_menstrual_period"] = _("孕情为“已孕”时必须填写末次月经日期。")
        elif visit_date is not None and last_menstrual_period > visit_date:
            errors["last_menstrual_period"] = _("末次月经日期不能晚于随访日期。")
        elif visit_date is not None and (visit_date - last_menstrual_period).days > LMP_MAX_DAYS_BEFORE_VISIT:
            errors["last_menstrual_period"] = _("末次月经日期距随访日期超过 %(days)d 天，请核对。") % {
                "days": LMP_MAX_DAYS_BEFORE_VISIT}
    else:
        # LMP is recorded only for a current pregnancy; a value left over from toggling the
        # status on the form is dropped rather than stored against 未孕.
        last_menstrual_period = None
    services = list(dict.fromkeys(services))
    if any(s not in VisitService.values for s in services):
        errors["services"] = _("提供的服务中有无效的选项。")
    # Only from a date already accepted: 9999-12-31 plus an interval overflows (a 500 the fuzz found).
    if visit_date is not None and "visit_date" not in errors and "pregnancy_status" not in errors:
        if next_due is None:
            next_due = default_next_due(visit_date, pregnancy_status)
        elif next_due < visit_date:
            errors["next_due"] = _("下次随访日期不能早于随访日期。")
        elif (next_due - visit_date).days > NEXT_VISIT_MAX_DAYS:
            errors["next_due"] = _("下次随访日期应在随访日期后一年以内。")
    if errors:
        raise ValidationError(errors)

    visit = FollowUpVisit.objects.create(
        township_id=locked.township_id, couple_id=locked.pk, visit_date=visit_date, visitor=by,
        pregnancy_status=pregnancy_status, last_menstrual_period=last_menstrual_period,
        services=services, notes=(notes or "").strip(), next_due=next_due, created_by=by, client_key=client_key,
    )
    refresh_visit_status(couple)
    audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=visit)
    return visit


@transaction.atomic
def visit_void(*, visit: FollowUpVisit, by: User, reason: str, request=None) -> FollowUpVisit:
    """Void a visit entered in error (never delete it); the couple falls back to its latest
    remaining visit. Returns the visit."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写作废原因。")})
    locked = _lock_couple(visit.couple)
    visit = FollowUpVisit.objects.select_for_update().get(pk=visit.pk)
    if visit.is_void:
        raise ValidationError(_("该随访记录已作废。"))
    void_record(visit, by=by, reason=reason, request=request)
    refresh_visit_status(locked)
    return visit
