""".xlsx exports of the enforcement lists, registered with core.exports (see docs/excel.md).

Each ``build`` runs its list's own filter form and selector (same meaning, same scope). Small
exports are answered at once, large ones run in the background; none is capped, every one writes
an ``export`` audit row (core.exports). The cells are worked out in Python from the instances the
selectors give (labels of arrays, a case's parties, an inspection's inspectors), a chunk at a
time with the selectors' prefetches. Tips are read without the reporter's columns and no sheet
has a reporter column (the reporter is confidential); party ID numbers are masked.
"""
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Cap
from core.exports import Column, ExportQuery, ExportSpec, register, valid_filters

from .forms.filters import CaseFilterForm, DeviceFilterForm, FacilityFilterForm, InspectionFilterForm, TipFilterForm
from .selectors.lists import case_list, device_list, facility_list, inspection_list, tip_list


def _d(value):
    return value or ""


def _columns(*pairs) -> list[Column]:
    """Columns of a sheet whose rows are made in Python: (header, width) pairs."""
    return [Column(gettext_lazy(header), "", width) for header, width in pairs]


def _facility_row(f):
    return [
        f.township.name, f.name, f.get_kind_display(), f.licence_number, _d(f.licence_valid_from),
        f.licence_valid_until, "、".join(f.designation_labels), f.device_count, f.address, f.contact_person,
        f.phone, _("在册") if f.is_active else _("已停用"),
    ]


def _device_row(d):
    return [
        d.township.name, d.facility.name, d.model_name, d.serial_number, d.room, d.operators, _d(d.purchased_on),
        d.filed_on, "" if d.facility.des_ultrasound else _("机构无B超定点资质"),
        _("在用") if d.is_active else _("已停用"),
    ]


def _tip_row(t):
    return [
        t.number, t.received_on, t.get_channel_display(), t.township.name, t.content, t.get_status_display(),
        _d(t.handled_on), t.case.number if t.status == "case_opened" and hasattr(t, "case") else "",
        t.dismissal_reason, t.reward_amount if t.reward_amount is not None else "",
    ]


def _case_row(c):
    parties = "；".join(
        f"{p.display_name}{'（' + p.masked_id_number + '）' if p.id_number else ''}" for p in c.parties.all())
    return [
        c.number, c.registered_on, c.township.name, c.get_source_display(), c.title, parties,
        "、".join(c.violation_labels), "、".join(c.department_labels), c.get_status_display(), _d(c.stage_due_on),
        _d(c.filed_on), _d(c.closed_on), "、".join(c.outcome_labels),
    ]


def _inspection_row(i):
    return [
        i.inspected_on, i.township.name, i.facility.name, "、".join(u.get_full_name() for u in i.inspectors.all()),
        "、".join(i.checked_labels), _("是") if i.problems_found else _("否"), i.findings,
    ]


FACILITY_COLUMNS = _columns(
    ("镇/街道", 10), ("机构名称", 24), ("机构类型", 12), ("执业许可证号", 20), ("有效期起", 12), ("有效期至", 12),
    ("定点资质", 40), ("在用B超机", 8), ("地址", 24), ("负责人", 8), ("联系电话", 14), ("状态", 8))
DEVICE_COLUMNS = _columns(
    ("镇/街道", 10), ("所属机构", 24), ("型号", 16), ("出厂编号", 18), ("放置科室/房间", 14), ("操作人员", 20),
    ("购置日期", 12), ("备案日期", 12), ("提示", 18), ("状态", 8))
TIP_COLUMNS = _columns(
    ("线索编号", 12), ("受理日期", 12), ("举报方式", 8), ("涉及镇/街道", 10), ("举报内容", 50), ("处理状态", 10),
    ("处理日期", 12), ("转入案件", 10), ("不予处理理由", 24), ("奖励金额（元）", 10))
CASE_COLUMNS = _columns(
    ("案件编号", 10), ("登记日期", 12), ("镇/街道", 10), ("案件来源", 12), ("案由", 30), ("当事人", 30),
    ("违法类型", 24), ("参与部门", 14), ("办理环节", 10), ("本环节期限", 12), ("立案日期", 12), ("结案日期", 12),
    ("处理结果", 30))
INSPECTION_COLUMNS = _columns(
    ("检查日期", 12), ("镇/街道", 10), ("被检查机构", 24), ("检查人员", 18), ("检查内容", 30), ("发现问题", 8),
    ("检查情况", 50))


def _builder(form_class, select, columns, row, *, dated: bool = False, notes=()):
    """``build(user, params)`` of one list: its filter form, its selector, its rows."""
    def build(user, params) -> ExportQuery:
        form = valid_filters(form_class(params or None))
        extra = {"today": timezone.localdate()} if dated else {}
        queryset = select(user=user, **form.values(), **extra)
        return ExportQuery(queryset=queryset, columns=columns, rows=lambda chunk: map(row, chunk),
                           filters=form.describe() if form.is_bound else "", notes=notes)
    return build


def _spec(kind, label, object_type, build, list_url):
    return register(ExportSpec(kind=f"enforcement.{kind}", label=label, capability=Cap.ENFORCEMENT_VIEW,
                               object_type=object_type, build=build, list_url=f"enforcement:{list_url}",
                               wide_scope=gettext_lazy("全县")))


FACILITIES = _spec("facilities", gettext_lazy("定点机构名录"), "enforcement.facility",
                   _builder(FacilityFilterForm, facility_list, FACILITY_COLUMNS, _facility_row, dated=True),
                   "facility_list")
DEVICES = _spec("devices", gettext_lazy("B超机备案"), "enforcement.ultrasounddevice",
                _builder(DeviceFilterForm, device_list, DEVICE_COLUMNS, _device_row), "device_list")
TIPS = _spec("tips", gettext_lazy("举报线索"), "enforcement.tip",
             _builder(TipFilterForm, tip_list, TIP_COLUMNS, _tip_row, dated=True,
                      notes=(gettext_lazy("举报人身份依法保密，不导出。"),)), "tip_list")
CASES = _spec("cases", gettext_lazy("两非案件"), "enforcement.case",
              _builder(CaseFilterForm, case_list, CASE_COLUMNS, _case_row, dated=True,
                       notes=(gettext_lazy("当事人身份证号已脱敏。"),)), "case_list")
INSPECTIONS = _spec("inspections", gettext_lazy("执法检查"), "enforcement.inspection",
                    _builder(InspectionFilterForm, inspection_list, INSPECTION_COLUMNS, _inspection_row),
                    "inspection_list")
