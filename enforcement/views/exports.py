""".xlsx exports of the enforcement lists, through ``core.excel.build_workbook``.

Each export runs its list's own filters (same meaning, same scope), reads at most
ENFORCEMENT_EXPORT_MAX_ROWS rows and writes an ``export`` audit row. Tips are read without the
reporter's columns and no sheet has a reporter column. Party ID numbers are masked.
"""

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import AuditEvent
from accounts.permissions import capability_required
from accounts.roles import Cap
from accounts.services import audit_log
from core.excel import build_workbook
from core.http import xlsx_response

from .cases import case_filters
from .facilities import device_filters, facility_filters
from .inspections import inspection_filters
from .tips import tip_filters


def _d(value):
    return value or ""


def _facility_row(f):
    return [
        f.township.name,
        f.name,
        f.get_kind_display(),
        f.licence_number,
        _d(f.licence_valid_from),
        f.licence_valid_until,
        "、".join(f.designation_labels),
        f.device_count,
        f.address,
        f.contact_person,
        f.phone,
        _("在册") if f.is_active else _("已停用"),
    ]


def _device_row(d):
    return [
        d.township.name,
        d.facility.name,
        d.model_name,
        d.serial_number,
        d.room,
        d.operators,
        _d(d.purchased_on),
        d.filed_on,
        "" if d.facility.des_ultrasound else _("机构无B超定点资质"),
        _("在用") if d.is_active else _("已停用"),
    ]


def _tip_row(t):
    return [
        t.number,
        t.received_on,
        t.get_channel_display(),
        t.township.name,
        t.content,
        t.get_status_display(),
        _d(t.handled_on),
        t.case.number if t.status == "case_opened" and hasattr(t, "case") else "",
        t.dismissal_reason,
        t.reward_amount if t.reward_amount is not None else "",
    ]


def _case_row(c):
    parties = "；".join(
        f"{p.display_name}{'（' + p.masked_id_number + '）' if p.id_number else ''}" for p in c.parties.all()
    )
    return [
        c.number,
        c.registered_on,
        c.township.name,
        c.get_source_display(),
        c.title,
        parties,
        "、".join(c.violation_labels),
        "、".join(c.department_labels),
        c.get_status_display(),
        _d(c.stage_due_on),
        _d(c.filed_on),
        _d(c.closed_on),
        "、".join(c.outcome_labels),
    ]


def _inspection_row(i):
    return [
        i.inspected_on,
        i.township.name,
        i.facility.name,
        "、".join(u.get_full_name() for u in i.inspectors.all()),
        "、".join(i.checked_labels),
        _("是") if i.problems_found else _("否"),
        i.findings,
    ]


EXPORTS = {
    "facilities": (
        facility_filters,
        _facility_row,
        "enforcement.facility",
        lambda: _("定点机构名录"),
        lambda: [
            _("镇/街道"),
            _("机构名称"),
            _("机构类型"),
            _("执业许可证号"),
            _("有效期起"),
            _("有效期至"),
            _("定点资质"),
            _("在用B超机"),
            _("地址"),
            _("负责人"),
            _("联系电话"),
            _("状态"),
        ],
        [10, 24, 12, 20, 12, 12, 40, 8, 24, 8, 14, 8],
    ),
    "devices": (
        device_filters,
        _device_row,
        "enforcement.ultrasounddevice",
        lambda: _("B超机备案"),
        lambda: [
            _("镇/街道"),
            _("所属机构"),
            _("型号"),
            _("出厂编号"),
            _("放置科室/房间"),
            _("操作人员"),
            _("购置日期"),
            _("备案日期"),
            _("提示"),
            _("状态"),
        ],
        [10, 24, 16, 18, 14, 20, 12, 12, 18, 8],
    ),
    "tips": (
        tip_filters,
        _tip_row,
        "enforcement.tip",
        lambda: _("举报线索"),
        lambda: [
            _("线索编号"),
            _("受理日期"),
            _("举报方式"),
            _("涉及镇/街道"),
            _("举报内容"),
            _("处理状态"),
            _("处理日期"),
            _("转入案件"),
            _("不予处理理由"),
            _("奖励金额（元）"),
        ],
        [12, 12, 8, 10, 50, 10, 12, 10, 24, 10],
    ),
    "cases": (
        case_filters,
        _case_row,
        "enforcement.case",
        lambda: _("两非案件"),
        lambda: [
            _("案件编号"),
            _("登记日期"),
            _("镇/街道"),
            _("案件来源"),
            _("案由"),
            _("当事人"),
            _("违法类型"),
            _("参与部门"),
            _("办理环节"),
            _("本环节期限"),
            _("立案日期"),
            _("结案日期"),
            _("处理结果"),
        ],
        [10, 12, 10, 12, 30, 30, 24, 14, 10, 12, 12, 12, 30],
    ),
    "inspections": (
        inspection_filters,
        _inspection_row,
        "enforcement.inspection",
        lambda: _("执法检查"),
        lambda: [
            _("检查日期"),
            _("镇/街道"),
            _("被检查机构"),
            _("检查人员"),
            _("检查内容"),
            _("发现问题"),
            _("检查情况"),
        ],
        [12, 10, 24, 18, 30, 8, 50],
    ),
}


@require_GET
@capability_required(Cap.ENFORCEMENT_VIEW)
def export(request, kind: str):
    filters, row, object_type, title, headers, widths = EXPORTS[kind]
    form, qs = filters(request)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(_("筛选条件有误，未导出。请返回列表修改筛选条件。"))
    limit = settings.ENFORCEMENT_EXPORT_MAX_ROWS
    records = list(qs[: limit + 1])
    truncated = len(records) > limit
    records = records[:limit]
    now = timezone.localtime()
    described = form.describe() if form.is_bound else ""
    notes = [
        _("导出人：%(user)s；导出时间：%(at)s；共 %(n)d 行。")
        % {"user": request.user.get_full_name(), "at": now.strftime("%Y-%m-%d %H:%M"), "n": len(records)}
    ]
    if kind == "tips":
        notes.append(_("举报人身份依法保密，不导出。"))
    if kind == "cases":
        notes.append(_("当事人身份证号已脱敏。"))
    if described:
        notes.append(_("筛选条件：%(f)s") % {"f": described})
    if truncated:
        notes.append(_("仅导出前 %(n)d 行，请缩小筛选范围后分批导出。") % {"n": limit})
    content = build_workbook(
        title=title(),
        notes=notes,
        headers=headers(),
        rows=(row(r) for r in records),
        widths=widths,
        sheet_title=title(),
    )
    audit_log(
        action=AuditEvent.Action.EXPORT,
        request=request,
        object_type=object_type,
        detail=(
            f"export {kind}: {len(records)} rows"
            + (" (truncated)" if truncated else "")
            + (f"; {described}" if described else "")
        )[:255],
    )
    return xlsx_response(f"{title()}_{now:%Y%m%d}.xlsx", content)
