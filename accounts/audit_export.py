"""The audit trail as an .xlsx for an inspection: the ledger's words, through core.excel."""
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.excel import build_workbook

from .ledger import describe_events
from .models import AuditEvent
from .selectors import audit_events
from .services import audit_log

# Rows are described in batches: one query per record kind per batch, never per row.
BATCH = 1000


def _rows(events):
    batch = []
    for event in events:
        batch.append(event)
        if len(batch) == BATCH:
            yield from describe_events(batch)
            batch = []
    yield from describe_events(batch)


def audit_export_workbook(*, user, filters: dict, request=None) -> tuple[str, bytes]:
    """The filtered trail, newest first, up to AUDIT_EXPORT_MAX_ROWS rows; audited. Returns (name, bytes)."""
    limit = settings.AUDIT_EXPORT_MAX_ROWS
    events = list(audit_events(**filters)[: limit + 1])
    truncated = len(events) > limit
    events = events[:limit]
    now = timezone.localtime()
    notes = [_("导出人：%(user)s；导出时间：%(at)s；共 %(n)d 行。") % {
        "user": user.get_full_name(), "at": now.strftime("%Y-%m-%d %H:%M"), "n": len(events)}]
    shown = {k: v for k, v in filters.items() if v not in ("", None)}
    if shown:
        notes.append(_("筛选条件：%(f)s") % {"f": "; ".join(f"{k}={v}" for k, v in shown.items())})
    if truncated:
        notes.append(_("仅导出最新的 %(n)d 行，请缩小筛选范围后分批导出。") % {"n": limit})
    headers = [_("时间"), _("用户"), _("用户名"), _("操作"), _("记录类型"), _("记录"), _("说明"), _("镇/街道"),
               _("IP 地址"), _("结果"), _("链序号"), _("摘要")]
    rows = (
        [r.at, r.who, r.event.username, r.verb, r.kind,
         r.record, r.detail, r.event.township.name if r.event.township_id else "", r.event.ip or "",
         _("成功") if r.event.success else _("失败"), r.event.seq, r.event.hash]
        for r in _rows(events)
    )
    content = build_workbook(
        title=_("审计日志"), notes=notes, headers=headers, rows=rows,
        widths=[20, 10, 14, 10, 12, 40, 40, 12, 16, 6, 10, 20], sheet_title=_("审计日志"),
    )
    audit_log(action=AuditEvent.Action.EXPORT, request=request, user=user, object_type="accounts.auditevent",
              detail=f"export audit: {len(events)} rows" + (" (truncated)" if truncated else ""))
    return f"{_('审计日志')}_{now:%Y%m%d_%H%M}.xlsx", content
