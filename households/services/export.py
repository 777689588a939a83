""".xlsx exports of the register's lists: households, the couple register, follow-up visits.

The views hand over the list pages' own selectors (so the filters mean the same and the user's
scope is already applied); ``export_sheet`` reads at most EXPORT_MAX_ROWS rows in one query,
masks ID numbers and writes the ``export`` audit row.
"""
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import AuditEvent, User
from accounts.roles import Cap
from accounts.services import audit_log
from accounts.validators import mask_id_number

from core.excel import build_workbook
from ..models import Couple, FollowUpVisit, Household, VisitService

EXPORT_MAX_ROWS = getattr(settings, "HOUSEHOLDS_EXPORT_MAX_ROWS", 10000)


@dataclass(frozen=True)
class ExportSpec:
    label: str  # in the title and the file name (lazy: translated when the file is built)
    object_type: str  # for the audit row
    headers: list[str]
    widths: list[int]
    row: object  # record → list of cell values


def _d(value) -> datetime.date | str:
    return value or ""


def _household_row(h: Household, *, couples: bool = True) -> list:
    # The head named on the household, not just any member with relation 本人/户主: a second one
    # (a data error) or a renamed head must not put someone else's ID next to the name.
    head = next((p for p in getattr(h, "heads", None) or () if p.name == h.head_name), None)
    return [
        h.village.name, h.code, h.address, h.head_name, mask_id_number(head.id_number) if head else "", h.phone,
        h.get_hukou_type_display(), h.member_count, *([h.couple_count] if couples else []),
        timezone.localtime(h.created_at).date(), _("已作废") if h.is_void else _("在册"),
    ]


def _household_row_without_couples(h: Household) -> list:
    return _household_row(h, couples=False)


def _couple_row(c: Couple) -> list:
    return [
        c.household.village.name, c.household.address, c.household.head_name, c.household.phone,
        c.wife.name, mask_id_number(c.wife.id_number), c.husband.name, mask_id_number(c.husband.id_number),
        _d(c.marriage_date), c.boys, c.girls, c.get_planned_timing_display(), c.get_pregnancy_status_display(),
        str(c.responsible) if c.responsible else "", _d(c.last_visit_date), _d(c.next_visit_due),
    ]


def _visit_row(v: FollowUpVisit) -> list:
    couple = v.couple
    return [
        v.visit_date, couple.household.village.name, couple.household.address, couple.wife.name,
        mask_id_number(couple.wife.id_number), couple.husband.name, v.get_pregnancy_status_display(),
        _d(v.last_menstrual_period),
        "、".join(str(VisitService(s).label) for s in v.services if s in VisitService.values),
        v.notes, v.next_due, str(v.visitor),
    ]


EXPORTS = {
    "households": ExportSpec(
        label=gettext_lazy("家庭户"), object_type="households.household", row=_household_row,
        headers=[
            gettext_lazy("村/社区"), gettext_lazy("户编码"), gettext_lazy("家庭地址"), gettext_lazy("户主姓名"),
            gettext_lazy("户主身份证号（脱敏）"), gettext_lazy("联系电话"), gettext_lazy("户口类型"), gettext_lazy("成员数"),
            gettext_lazy("育龄夫妇数"), gettext_lazy("登记日期"), gettext_lazy("状态"),
        ],
        widths=[12, 20, 20, 10, 21, 14, 9, 8, 10, 12, 8],
    ),
    # For users who may not see couples (bureau staff): the same sheet without the couple count.
    "households_without_couples": ExportSpec(
        label=gettext_lazy("家庭户"), object_type="households.household", row=_household_row_without_couples,
        headers=[
            gettext_lazy("村/社区"), gettext_lazy("户编码"), gettext_lazy("家庭地址"), gettext_lazy("户主姓名"),
            gettext_lazy("户主身份证号（脱敏）"), gettext_lazy("联系电话"), gettext_lazy("户口类型"), gettext_lazy("成员数"),
            gettext_lazy("登记日期"), gettext_lazy("状态"),
        ],
        widths=[12, 20, 20, 10, 21, 14, 9, 8, 12, 8],
    ),
    "register": ExportSpec(
        label=gettext_lazy("育龄夫妇名册（摸底造册）"), object_type="households.couple", row=_couple_row,
        headers=[
            gettext_lazy("村/社区"), gettext_lazy("家庭地址"), gettext_lazy("户主姓名"), gettext_lazy("联系电话"),
            gettext_lazy("妻子姓名"), gettext_lazy("妻子身份证号（脱敏）"), gettext_lazy("丈夫姓名"), gettext_lazy("丈夫身份证号（脱敏）"),
            gettext_lazy("结婚日期"), gettext_lazy("现有男孩数"), gettext_lazy("现有女孩数"), gettext_lazy("计划生育时间"),
            gettext_lazy("孕情"), gettext_lazy("责任人（专人）"), gettext_lazy("最近随访日期"), gettext_lazy("下次随访日期"),
        ],
        widths=[12, 18, 10, 14, 10, 21, 10, 21, 12, 10, 10, 12, 10, 12, 12, 12],
    ),
    "visits": ExportSpec(
        label=gettext_lazy("跟踪随访记录"), object_type="households.followupvisit", row=_visit_row,
        headers=[
            gettext_lazy("随访日期"), gettext_lazy("村/社区"), gettext_lazy("家庭地址"), gettext_lazy("妻子姓名"),
            gettext_lazy("妻子身份证号（脱敏）"), gettext_lazy("丈夫姓名"), gettext_lazy("孕情"), gettext_lazy("末次月经"),
            gettext_lazy("提供的服务"), gettext_lazy("随访记录"), gettext_lazy("下次随访日期"), gettext_lazy("随访人"),
        ],
        widths=[12, 12, 18, 10, 21, 10, 10, 12, 24, 40, 12, 10],
    ),
}


def export_sheet(*, user: User, kind: str, queryset, filters: str = "", request=None) -> tuple[str, bytes]:
    """Build the .xlsx of ``queryset`` (already limited to what ``user`` may see) and write the
    ``export`` audit row. At most EXPORT_MAX_ROWS rows, read in one query; ID numbers masked
    (PIPL Art. 6 minimisation: a list that leaves the system carries no whole ID number).

    Returns (file name, file content).
    """
    spec = EXPORTS[kind]
    if kind == "households" and not user.can(Cap.COUPLE_VIEW):
        spec = EXPORTS["households_without_couples"]  # couples are the township's (DESIGN.md)
    records = list(queryset[: EXPORT_MAX_ROWS + 1])
    truncated = len(records) > EXPORT_MAX_ROWS
    records = records[:EXPORT_MAX_ROWS]
    now = timezone.localtime()
    scope = user.township.name if user.township_id else _("联系村/社区")
    notes = [
        _("身份证号已脱敏（个人信息保护法：最小必要），完整号码仅可在系统详情页查看。"),
        _("导出人：%(user)s；导出时间：%(at)s；共 %(n)d 行。") % {
            "user": user.get_full_name(), "at": now.strftime("%Y-%m-%d %H:%M"), "n": len(records)},
    ]
    if filters:
        notes.append(_("筛选条件：%(f)s") % {"f": filters})
    if truncated:
        notes.append(_("仅导出前 %(n)d 行，请缩小筛选范围后分批导出。") % {"n": EXPORT_MAX_ROWS})
    content = build_workbook(
        title=f"{scope} {spec.label}", notes=notes, headers=[str(h) for h in spec.headers],
        rows=(spec.row(r) for r in records), widths=spec.widths, sheet_title=str(spec.label),
    )
    audit_log(action=AuditEvent.Action.EXPORT, request=request, user=user, object_type=spec.object_type,
              township_id=user.township_id, detail=f"export {kind}: {len(records)} rows"
              + (" (truncated)" if truncated else "") + (f"; {filters}" if filters else ""))
    return f"{scope}_{spec.label}_{now:%Y%m%d}.xlsx".replace("/", "-"), content
