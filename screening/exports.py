""".xlsx exports of screening lists, registered with core.exports (see docs/excel.md): masked
IDs, audited, in the background when large, no row cap.

The queue's export has status only (risk level and next step): it is what a clerk may know. The
screenings export (clinicians) adds the abnormal findings; nothing else ever carries a value. The
list behind a rate (leaders, clinicians) is one export per rate. Cells are worked out in Python
(the queue's status sentence, the findings), a chunk of rows at a time.
"""
import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Township
from accounts.roles import Cap
from accounts.validators import mask_id_number
from core.exports import Column, ExportQuery, ExportSpec, describe_filters, register, valid_filters

from .forms.pathway import QueueFilterForm, ScreeningFilterForm
from .selectors.queue import decorate, pathway_queue
from .selectors.rates import RATES, rate_rows
from .selectors.screenings import screening_list
from .services.pathway_state import pathway_queue_fresh


def _d(value):
    return value or ""


def _columns(*pairs) -> list[Column]:
    """Columns of a sheet whose rows are made in Python: (header, width) pairs."""
    return [Column(gettext_lazy(header), "", width) for header, width in pairs]


# --- 服务进度 ------------------------------------------------------------------------------------
QUEUE_COLUMNS = _columns(
    ("镇/街道", 12), ("村/社区", 12), ("妻子", 10), ("妻子身份证号（脱敏）", 22), ("丈夫", 10), ("联系电话", 14),
    ("检查日期", 12), ("风险与下一步", 22), ("应完成日期", 12), ("逾期天数", 10), ("原因", 40))


def build_queue(user, params) -> ExportQuery:
    """The user's pathway queue (clerks: their township; clinicians: the county or a township)."""
    form = valid_filters(QueueFilterForm(params or None, user=user))
    f = form.values()
    today = timezone.localdate()
    pathway_queue_fresh(user=user, today=today, township=f.get("township"))  # as the queue page does
    queryset = pathway_queue(user=user, today=today, township=f.get("township"), step=f.get("step", ""),
                             high_risk_only=f.get("high_risk", False), overdue_only=f.get("overdue", False),
                             q=f.get("q", ""))

    def rows(chunk):
        decorate(chunk, user=user, today=today)
        return ([r.township.name, r.household.village.name, r.wife.name, mask_id_number(r.wife.id_number),
                 r.husband.name, r.household.phone, _d(r.cur_exam_date), r.status_text, _d(r.due_on),
                 r.days_overdue, r.why] for r in chunk)

    return ExportQuery(queryset=queryset, columns=QUEUE_COLUMNS, rows=rows, filters=describe_filters(form),
                       notes=(gettext_lazy("不含检查结果。"),))


# --- 检查记录 ------------------------------------------------------------------------------------
SCREENING_COLUMNS = _columns(
    ("检查日期", 12), ("镇/街道", 12), ("村/社区", 12), ("妻子", 10), ("妻子身份证号（脱敏）", 22), ("丈夫", 10),
    ("丈夫身份证号（脱敏）", 22), ("孩次", 6), ("状态", 10), ("风险评估", 12), ("异常结果", 60), ("告知日期", 12))


def _abnormal(s) -> str:
    return "；".join(f"{r.get_subject_display()}{r.field.name} {r.display_value}{r.unit}"
                    for r in s.results.all() if r.is_abnormal)


def _screening_row(s):
    return [s.exam_date, s.township.name, s.couple.household.village.name, s.couple.wife.name,
            mask_id_number(s.couple.wife.id_number), s.couple.husband.name, mask_id_number(s.couple.husband.id_number),
            s.planned_child_order, s.get_status_display(), s.get_risk_level_display(), _abnormal(s),
            _d(s.advised_on)]


def build_screenings(user, params) -> ExportQuery:
    """Clinicians' screenings, with the abnormal findings (names and values)."""
    form = valid_filters(ScreeningFilterForm(params or None))
    queryset = screening_list(user=user, **form.values()).prefetch_related("results__field")
    return ExportQuery(queryset=queryset, columns=SCREENING_COLUMNS, rows=lambda chunk: map(_screening_row, chunk),
                       filters=describe_filters(form),
                       notes=(gettext_lazy("含检查结果，属敏感个人信息，请妥善保管。"),))


# --- the list behind a rate ----------------------------------------------------------------------
RATE_COLUMNS = _columns(("镇/街道", 12), ("村/社区", 12), ("妻子", 10), ("妻子身份证号（脱敏）", 22), ("丈夫", 10),
                        ("检查日期", 12), ("计入分子", 8))


def rate_period(params) -> tuple[datetime.date, datetime.date]:
    """``?start=&end=`` (end exclusive, core.indicators' drill-down protocol); bad dates → 404."""
    start, end = parse_date(params.get("start") or ""), parse_date(params.get("end") or "")
    if start is None or end is None or end <= start or (end - start).days > 3660:
        raise Http404("bad period")
    return start, end


def rate_township(params):
    """``?township=<id>`` (any township: the rates are county-wide); unknown → 404."""
    raw = params.get("township") or ""
    if not raw:
        return None
    try:
        return Township.objects.get(pk=int(raw))
    except (ValueError, Township.DoesNotExist):
        raise Http404("no such township") from None


def _rate_builder(rate):
    def build(user, params) -> ExportQuery:
        try:
            start, end = rate_period(params)
        except Http404:
            raise ValidationError(_("统计期间有误。")) from None
        township = rate_township(params)
        queryset = rate_rows(rate.key, start, end, township_id=township.pk if township else None)
        if rate.base == "couple":
            queryset = queryset.select_related("township", "household__village", "wife", "husband")

        def row(r):
            c = r if rate.base == "couple" else r.couple
            return [r.township.name, c.household.village.name, c.wife.name, mask_id_number(c.wife.id_number),
                    c.husband.name, "" if rate.base == "couple" else r.exam_date, _("是") if r.counted else _("否")]

        filters = _("统计期间：%(s)s 至 %(e)s（不含）") % {"s": start.isoformat(), "e": end.isoformat()}
        if township:
            filters += "；" + _("镇/街道") + "=" + township.name
        return ExportQuery(queryset=queryset, columns=RATE_COLUMNS, rows=lambda chunk: map(row, chunk),
                           filters=filters, notes=(gettext_lazy("不含检查结果。"),))
    return build


COUNTY = gettext_lazy("全县")
QUEUE = register(ExportSpec(
    kind="screening.queue", label=gettext_lazy("服务进度（孕前优生健康检查）"), capability=Cap.SCREENING_VIEW,
    object_type="screening.queue", build=build_queue, list_url="screening:queue", wide_scope=COUNTY))
SCREENINGS = register(ExportSpec(
    kind="screening.screenings", label=gettext_lazy("孕前优生健康检查记录"), capability=Cap.SCREENING_RESULTS,
    object_type="screening.screening", build=build_screenings, list_url="screening:screening_list",
    wide_scope=COUNTY))
RATE_LISTS = {rate.key: register(ExportSpec(
    kind=f"screening.rate.{rate.key}", label=rate.label, capability=Cap.SCREENING_RATES,
    object_type=f"screening.rate.{rate.key}", build=_rate_builder(rate), list_url="screening:rates",
    wide_scope=COUNTY)) for rate in RATES}
