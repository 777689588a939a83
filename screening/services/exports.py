""".xlsx exports of screening lists, through ``core.excel``: masked IDs, audited.

The queue's export has status only (risk level and next step): it is what a clerk may know. The
screenings export (clinicians) adds the abnormal findings; nothing else ever carries a value.
"""
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent
from accounts.services import audit_log
from accounts.validators import mask_id_number
from core.excel import build_workbook
from core.http import xlsx_response

from ..selectors.queue import decorate

EXPORT_MAX_ROWS = getattr(settings, "SCREENING_EXPORT_MAX_ROWS", 10000)


def _response(content: bytes, name: str) -> HttpResponse:
    return xlsx_response(f"screening-{name}-{timezone.localdate():%Y%m%d}.xlsx", content)


def _d(value):
    return value or ""


def queue_export(*, request, rows, today) -> HttpResponse:
    rows = list(rows[:EXPORT_MAX_ROWS])
    decorate(rows, user=request.user, today=today)
    content = build_workbook(
        title=_("服务进度（孕前优生健康检查）"),
        notes=[_("导出时间：%(t)s；身份证号已脱敏；不含检查结果。") % {
            "t": timezone.localtime().strftime("%Y-%m-%d %H:%M")}],
        headers=[_("镇/街道"), _("村/社区"), _("妻子"), _("妻子身份证号（脱敏）"), _("丈夫"), _("联系电话"),
                 _("检查日期"), _("风险与下一步"), _("应完成日期"), _("逾期天数"), _("原因")],
        widths=[12, 12, 10, 22, 10, 14, 12, 22, 12, 10, 40],
        rows=([r.township.name, r.household.village.name, r.wife.name, mask_id_number(r.wife.id_number),
               r.husband.name, r.household.phone, _d(r.cur_exam_date), r.status_text, _d(r.due_on), r.days_overdue,
               r.why] for r in rows),
        sheet_title=_("服务进度"),
    )
    audit_log(action=AuditEvent.Action.EXPORT, request=request, object_type="screening.queue",
              township_id=request.user.township_id, detail=f"queue export, {len(rows)} rows")
    return _response(content, "queue")


def screenings_export(*, request, screenings) -> HttpResponse:
    """Clinicians' export of screenings, with the abnormal findings (names and values)."""
    screenings = list(screenings.prefetch_related("results__field")[:EXPORT_MAX_ROWS])

    def abnormal(s) -> str:
        return "；".join(f"{r.get_subject_display()}{r.field.name} {r.display_value}{r.unit}"
                        for r in s.results.all() if r.is_abnormal)

    content = build_workbook(
        title=_("孕前优生健康检查记录"),
        notes=[_("导出时间：%(t)s；身份证号已脱敏；含检查结果，属敏感个人信息，请妥善保管。") % {
            "t": timezone.localtime().strftime("%Y-%m-%d %H:%M")}],
        headers=[_("检查日期"), _("镇/街道"), _("村/社区"), _("妻子"), _("妻子身份证号（脱敏）"), _("丈夫"),
                 _("丈夫身份证号（脱敏）"), _("孩次"), _("状态"), _("风险评估"), _("异常结果"), _("告知日期")],
        widths=[12, 12, 12, 10, 22, 10, 22, 6, 10, 12, 60, 12],
        rows=([s.exam_date, s.township.name, s.couple.household.village.name, s.couple.wife.name,
               mask_id_number(s.couple.wife.id_number), s.couple.husband.name,
               mask_id_number(s.couple.husband.id_number), s.planned_child_order, s.get_status_display(),
               s.get_risk_level_display(), abnormal(s), _d(s.advised_on)] for s in screenings),
        sheet_title=_("检查记录"),
    )
    audit_log(action=AuditEvent.Action.EXPORT, request=request, object_type="screening.screening",
              detail=f"screenings export, {len(screenings)} rows")
    return _response(content, "screenings")


def rate_list_export(*, request, rate, rows, township, start, end) -> HttpResponse:
    rows = list(rows[:EXPORT_MAX_ROWS])
    couple_base = rate.base == "couple"
    content = build_workbook(
        title=str(rate.label), notes=[_("统计期间：%(s)s 至 %(e)s（不含）；身份证号已脱敏；不含检查结果。") % {
            "s": start.isoformat(), "e": end.isoformat()}],
        headers=[_("镇/街道"), _("村/社区"), _("妻子"), _("妻子身份证号（脱敏）"), _("丈夫"), _("检查日期"),
                 _("计入分子")],
        widths=[12, 12, 10, 22, 10, 12, 8],
        rows=([r.township.name, (r.household if couple_base else r.couple.household).village.name,
               (r if couple_base else r.couple).wife.name,
               mask_id_number((r if couple_base else r.couple).wife.id_number),
               (r if couple_base else r.couple).husband.name, "" if couple_base else r.exam_date,
               _("是") if r.counted else _("否")] for r in rows),
        sheet_title=str(rate.label)[:31],
    )
    audit_log(action=AuditEvent.Action.EXPORT, request=request, object_type=f"screening.rate.{rate.key}",
              township_id=getattr(township, "pk", None), detail=f"{start}..{end} {len(rows)} rows")
    return _response(content, rate.key)
