"""How an audit row reads on the auditor's page and in its export: who did what to which record.

"张丽 修改 家庭户 王建国（城关镇 吴桥村 三组12号）", the fields changed, the township — translated
like the rest of the UI. Records are described when the page is shown, not when the row is
written: the trail is append-only and kept for years, so copying names and addresses into it would
put personal information where it can never be corrected or erased (PIPL Art. 47).

**How an app describes its records** (no edit of ``accounts`` needed), for an ``object_type``
such as ``"screening.screening"`` (``audit_log(obj=...)`` writes the model's ``label_lower``):

1. on the model, ``audit_label(self) -> str`` (and, to load it in one query,
   ``audit_select_related = ("couple__wife", ...)``; ``audit_only`` to leave large or sensitive
   columns unread): the ledger loads the page's records of that
   model with one ``in_bulk`` and calls it. Without ``audit_label`` it uses ``str(obj)``. Keep
   sensitive facts (pregnancy, results, ID numbers) out of the label: the auditor needs to know
   which record, not what it says.
2. for an ``object_type`` that is not a model, or a label that needs a query of its own:
   ``register_record_kind(object_type, label=..., describe=lambda ids: {id: text})`` from the
   app's ``AppConfig.ready()``.

A model with ``audit_label`` is also offered in the page's "record kind" filter.

**Details**: ``audit_log(detail=...)`` is written in English for machines (``"address,phone"``,
``"visit form"``, ``"void: reason"``). A comma-separated list of field names of the record's
model reads as their verbose names; the fixed texts and patterns below read as sentences; an app
adds its own with ``register_detail(pattern, render)``. Anything else is shown as written.
"""
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .models import AuditEvent

# What the person did, as a verb in the ledger's sentence (the Action labels are menu nouns).
VERBS = {
    AuditEvent.Action.VIEW: pgettext_lazy("audit sentence", "查看"),
    AuditEvent.Action.CREATE: pgettext_lazy("audit sentence", "新增"),
    AuditEvent.Action.UPDATE: pgettext_lazy("audit sentence", "修改"),
    AuditEvent.Action.DELETE: pgettext_lazy("audit sentence", "作废"),
    AuditEvent.Action.EXPORT: pgettext_lazy("audit sentence", "导出"),
    AuditEvent.Action.LOGIN: pgettext_lazy("audit sentence", "登录"),
    AuditEvent.Action.LOGOUT: pgettext_lazy("audit sentence", "退出登录"),
    AuditEvent.Action.LOGIN_FAILED: pgettext_lazy("audit sentence", "登录失败"),
    AuditEvent.Action.DENIED: pgettext_lazy("audit sentence", "被拒绝访问"),
}


@dataclass(frozen=True)
class RecordKind:
    object_type: str
    label: str
    describe: Callable[[list[str]], dict[str, str]]  # object ids -> words, one query for the batch
    model: type | None = None


_KINDS: dict[str, RecordKind] = {}
_DETAILS: list[tuple[re.Pattern, Callable]] = []


def register_record_kind(object_type: str, *, label, describe: Callable[[list[str]], dict[str, str]]) -> None:
    """Name an ``object_type`` that is not a model with ``audit_label`` (see the module docstring)."""
    _KINDS[object_type] = RecordKind(object_type, label, describe)


def register_detail(pattern: str, render: Callable[[re.Match], str]) -> None:
    """Read ``detail`` texts matching ``pattern`` (a full match) as ``render(match)``."""
    _DETAILS.append((re.compile(pattern, re.DOTALL), render))


def _model_describer(model) -> Callable[[list[str]], dict[str, str]]:
    def describe(ids: list[str]) -> dict[str, str]:
        pks = {}
        for raw in ids:
            try:
                pks[model._meta.pk.to_python(raw)] = raw
            except (ValidationError, ValueError, TypeError):
                continue  # an id that cannot be this model's key (a denied probe with junk in the URL)
        queryset = model._base_manager.select_related(*getattr(model, "audit_select_related", ()))
        if hasattr(model, "audit_only"):  # columns the label needs, when others are large or sensitive
            queryset = queryset.only(*model.audit_only)
        found = queryset.in_bulk(list(pks))
        return {pks[pk]: (obj.audit_label() if hasattr(obj, "audit_label") else str(obj)) for pk, obj in found.items()}

    return describe


def record_kind(object_type: str) -> RecordKind | None:
    if not object_type:
        return None
    if object_type in _KINDS:
        return _KINDS[object_type]
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return None
    return RecordKind(object_type, model._meta.verbose_name, _model_describer(model), model)


def record_kind_choices() -> list[tuple[str, str]]:
    """The page's record-kind filter: registered kinds and every project model with ``audit_label``."""
    kinds = {k.object_type: k.label for k in _KINDS.values()}
    for label in settings.PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if hasattr(model, "audit_label"):
                kinds.setdefault(model._meta.label_lower, model._meta.verbose_name)
    return sorted(((key, str(label)) for key, label in kinds.items()), key=lambda item: item[0])


# --- Details ------------------------------------------------------------------------------------
FIXED_DETAILS = {
    "visit form": gettext_lazy("打开随访表单"),
    "merge preview": gettext_lazy("查看合并预览"),
    "import cancelled": gettext_lazy("取消导入"),
    "locked": gettext_lazy("账号已锁定，未校验密码"),
    "name (household head renamed)": gettext_lazy("姓名（随户主姓名一并修改）"),
    "head_name (head member renamed)": gettext_lazy("户主姓名（随户主成员姓名一并修改）"),
}


def _fields_changed(detail: str, model) -> str | None:
    names = [name.strip() for name in detail.split(",")]
    if model is None or not all(re.fullmatch(r"[a-z_][a-z0-9_]*", name) for name in names):
        return None
    labels = []
    for name in names:
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            return None
    return _("修改的字段：%(fields)s") % {"fields": _("、").join(labels)}


def _denied(match: re.Match) -> str:
    status, method, path, capability = match.groups()
    if status == "404":
        text = _("访问范围外的记录（答复 404）：%(method)s %(path)s")
    else:
        text = _("无此权限（答复 403）：%(method)s %(path)s")
    text %= {"method": method, "path": path}
    if capability:
        text += _("（所需权限 %(cap)s）") % {"cap": capability}
    return text


register_detail(r"void: (.*)", lambda m: _("作废原因：%(reason)s") % {"reason": m[1]})
register_detail(r"(403|404) ([A-Z]+) (\S+)(?: \((.+)\))?", _denied)
register_detail(r"export (\w+): (\d+) rows( \(truncated\))?(?:; (.*))?", lambda m: (
    _("导出 %(rows)s 行") % {"rows": m[2]} + (_("（已截断）") if m[3] else "")
    + (_("；筛选条件：%(filters)s") % {"filters": m[4]} if m[4] else "")))
register_detail(r"import preview: (\d+) rows, (\d+) with errors", lambda m: (
    _("导入预览：%(rows)s 行，其中 %(errors)s 行有错误") % {"rows": m[1], "errors": m[2]}))
register_detail(r"import confirmed: (\d+) couples imported, (\d+) rows skipped", lambda m: (
    _("确认导入：导入 %(n)s 对夫妇，跳过 %(skipped)s 行") % {"n": m[1], "skipped": m[2]}))
register_detail(r"import failed at row (\d+): (\w+)", lambda m: (
    _("导入在第 %(row)s 行失败（%(error)s），未写入任何数据") % {"row": m[1], "error": m[2]}))
register_detail(r"merged into (\d+) \(merge (\d+)\): (.*)", lambda m: (
    _("并入家庭户 #%(target)s（合并 #%(merge)s）") % {"target": m[1], "merge": m[2]}))
register_detail(r"merged from (\d+) \(merge (\d+)\): (.*)", lambda m: (
    _("家庭户 #%(source)s 并入本户（合并 #%(merge)s）") % {"source": m[1], "merge": m[2]}))
register_detail(r"merge (\d+) reverted: .*", lambda m: _("撤销合并 #%(merge)s") % {"merge": m[1]})


def describe_detail(detail: str, kind: RecordKind | None, users: dict[int, str]) -> str:
    if not detail:
        return ""
    if detail in FIXED_DETAILS:
        return str(FIXED_DETAILS[detail])
    if match := re.fullmatch(r"responsible=(\d+)", detail):
        return _("责任人改为 %(name)s") % {"name": users.get(int(match[1]), f"#{match[1]}")}
    for pattern, render in _DETAILS:
        if match := pattern.fullmatch(detail):
            return render(match)
    fields = _fields_changed(detail, kind.model if kind else None)
    return fields if fields is not None else detail


# --- Rows ---------------------------------------------------------------------------------------
@dataclass
class LedgerRow:
    event: AuditEvent
    at: str  # local time, as the page and the export show it
    who: str
    verb: str
    kind: str
    record: str
    detail: str
    sentence: str


def _who(event: AuditEvent) -> str:
    """The person's name; a username typed by someone not logged in (failed logins) says so."""
    if event.user_id:
        return event.user.get_full_name()
    return _("%(username)s（未登录）") % {"username": event.username} if event.username else _("（匿名）")


def describe_events(events: Iterable[AuditEvent]) -> list[LedgerRow]:
    """The rows in words. One query per record kind on the page (and one for 专人 names), never per row."""
    events = list(events)
    ids_by_kind: dict[str, set[str]] = defaultdict(set)
    staff_ids = set()
    for event in events:
        if event.object_type and event.object_id:
            ids_by_kind[event.object_type].add(event.object_id)
        if match := re.fullmatch(r"responsible=(\d+)", event.detail or ""):
            staff_ids.add(int(match[1]))
    kinds = {object_type: record_kind(object_type) for object_type in {e.object_type for e in events}}
    labels = {
        object_type: kinds[object_type].describe(sorted(ids)) if kinds.get(object_type) else {}
        for object_type, ids in ids_by_kind.items()
    }
    users = {}
    if staff_ids:
        from .models import User

        users = {u.pk: u.get_full_name() for u in User.objects.filter(pk__in=staff_ids)}
    rows = []
    for event in events:
        kind = kinds.get(event.object_type)
        kind_label = str(kind.label) if kind else event.object_type
        record = ""
        if event.object_id:
            record = labels.get(event.object_type, {}).get(event.object_id) or f"#{event.object_id}"
        who, verb = _who(event), str(VERBS.get(event.action, event.action))
        sentence = " ".join(part for part in (who, verb, kind_label, record) if part)
        rows.append(LedgerRow(event, timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"), who, verb,
                              kind_label, record, describe_detail(event.detail, kind, users), sentence))
    return rows
