"""Checking an import's rows against the rules and the register, without writing anything.

``check_rows`` turns the sheet's raw cells (field → value, after the column mapping) into the rows
the preview shows: normalised values, errors (the row is not imported) and warnings. It runs a
constant number of queries whatever the number of rows. The confirm step (services/exchange.py)
checks each row again against the register as it is then.
"""
import datetime
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Township, User, Village
from accounts.validators import mask_id_number, parse_id_number

from .. import sheets
from ..marriage import check_marriage_date
from ..models import Household, HukouType, Person, Sex
from .foreign_ids import foreign_ids_answer

ROLE_LABELS = {"wife": sheets.COLUMN_BY_FIELD["wife_id"].label, "husband": sheets.COLUMN_BY_FIELD["husband_id"].label}


class ForeignAnswersWithheld(ValidationError):
    """The sheet holds ID numbers registered in other townships, and the user's hourly allowance
    of such answers is used up: the whole sheet is refused (a row-by-row answer would leak)."""


def _duplicate_message(label: str, person: Person, township_id) -> str:
    if person.household.township_id == township_id:
        if person.is_void:
            return _("%(label)s已登记（已作废的记录），本行跳过；如需恢复请联系系统管理员。") % {"label": label}
        return _("%(label)s已登记（%(name)s，%(village)s），本行跳过。") % {
            "label": label, "name": person.name, "village": person.household.village.name}
    # Another township's person: say that it exists, not who it is.
    return _("%(label)s已在其他镇/街道登记，本行跳过；如需迁入请联系县局。") % {"label": label}


def _check_row(number: int, raw: dict, *, villages: dict, today: datetime.date) -> dict:
    errors, warnings, data = [], [], {}

    def read(field_name, reader):
        column = sheets.COLUMN_BY_FIELD[field_name]
        try:
            return reader(raw.get(field_name))
        except sheets.CellError as exc:
            errors.append(f"{column.label}：{exc}")
            return None

    for column in sheets.COLUMNS:
        if column.max_length:
            value = sheets.text(raw.get(column.field))
            data[column.field] = value
            if len(value) > column.max_length:
                errors.append(_("%(label)s过长（最多 %(n)d 个字）。") % {"label": column.label, "n": column.max_length})
    missing = [c.label for c in sheets.COLUMNS if c.required and not sheets.text(raw.get(c.field))]
    if missing:
        errors.append(_("缺少必填项：%(cols)s。") % {"cols": "、".join(missing)})

    data["village_id"] = None
    if data["village"]:
        village = villages.get(sheets.header_key(data["village"]))
        if village is None:
            errors.append(_("村/社区不在本镇/街道：“%(name)s”。") % {"name": data["village"]})
        elif not village.is_active:
            errors.append(_("村/社区“%(name)s”已停用。") % {"name": data["village"]})
        else:
            data["village_id"] = village.pk
            data["village"] = village.name

    low, high = settings.HOUSEHOLDS_WIFE_AGE_RANGE
    births = {}  # role -> birth date from a valid ID number (the marriage date is checked against it)
    for role, want_sex in (("wife", Sex.FEMALE), ("husband", Sex.MALE)):
        key, label = f"{role}_id", ROLE_LABELS[role]
        number_text = read(key, sheets.id_number)
        if number_text is None:
            data[key] = sheets.text(raw.get(key))
            continue
        data[key], warning = number_text
        if not data[key]:
            continue
        try:
            info = parse_id_number(data[key], today=today)
        except ValidationError as exc:
            errors.append(f"{label}：{' '.join(exc.messages)}")
            continue
        births[role] = info.birth_date
        if warning:
            warnings.append(f"{label}：{warning}（{mask_id_number(info.number)}）")
        if info.sex != want_sex:
            errors.append(
                _("妻子身份证号显示为男性，妻子应为女性。") if role == "wife" else _("丈夫身份证号显示为女性，丈夫应为男性。")
            )
        elif role == "wife":
            birth = info.birth_date
            age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
            if not low <= age <= high:
                errors.append(_("妻子年龄应在 %(low)d–%(high)d 岁之间（现为 %(age)d 岁）。") % {"low": low, "high": high, "age": age})
    if data.get("wife_id") and data.get("wife_id") == data.get("husband_id"):
        errors.append(_("妻子和丈夫的身份证号相同。"))

    hukou = read("hukou_type", sheets.hukou_type)
    data["hukou_type"] = hukou or HukouType.AGRICULTURAL.value
    timing = read("planned_timing", sheets.planned_timing) if sheets.text(raw.get("planned_timing")) else None
    data["planned_timing"] = timing or ""
    for date_field in ("marriage_date", "surveyed_on"):
        value = read(date_field, sheets.date)
        if value and value > today:
            errors.append(_("%(label)s不能晚于今天。") % {"label": sheets.COLUMN_BY_FIELD[date_field].label})
        data[date_field] = value.isoformat() if value else None
    if data.get("marriage_date"):
        marriage = check_marriage_date(datetime.date.fromisoformat(data["marriage_date"]),
                                       wife_birth=births.get("wife"), husband_birth=births.get("husband"))
        errors.extend(marriage.errors)
        warnings.extend(marriage.warnings)
    for count_field in ("boys", "girls"):
        data[count_field] = read(count_field, sheets.count) or 0
    if "children" in raw:  # the combined column (mapping_problems forbids it beside boys/girls)
        data["boys"], data["girls"] = read("children", sheets.children) or (0, 0)
    if not data["address"]:
        warnings.append(_("未填写家庭地址：导入后该户显示为“待补全”，请之后在家庭户页面补全地址。"))

    head = data["head_name"]
    if head and head not in (data["wife_name"], data["husband_name"]):
        warnings.append(_("户主不是夫妇本人：夫妇与户主关系记为“其他”，请在家庭户页面补充户主信息。"))
    return {
        "row": number, "status": "error" if errors else "ok", "errors": errors, "warnings": warnings, "data": data,
        "duplicate": False, "household": "", "wife_id_masked": mask_id_number(data.get("wife_id") or ""),
        "husband_id_masked": mask_id_number(data.get("husband_id") or ""),
    }


def check_rows(
    raw_rows: list[tuple[int, dict]], *, township: Township, by: User | None = None, request=None,
    today: datetime.date | None = None,
) -> list[dict]:
    """Check every row against the rules and the register, in a constant number of queries.

    Returns one dict per row: ``row`` (Excel row number), ``status`` ("ok"/"error"),
    ``errors``, ``warnings``, ``data`` (normalised values), ``duplicate`` (ID already
    registered), ``household`` ("existing"/"new"/"same" as an earlier row).
    """
    today = today or timezone.localdate()
    villages = {sheets.header_key(v.name): v for v in Village.objects.filter(township=township)}
    rows = [_check_row(number, raw, villages=villages, today=today) for number, raw in raw_rows]

    # The same ID twice in the file: which row is right cannot be known, so every one is refused.
    seen = defaultdict(list)
    for row in rows:
        for role in ROLE_LABELS:
            if len(row["data"].get(f"{role}_id") or "") == 18:
                seen[row["data"][f"{role}_id"]].append(row["row"])
    for row in rows:
        for role, label in ROLE_LABELS.items():
            numbers = seen.get(row["data"].get(f"{role}_id") or "", [])
            if len(numbers) > 1:
                row["errors"].append(_("%(label)s在文件中重复出现（第 %(rows)s 行）。") % {
                    "label": label, "rows": "、".join(str(n) for n in numbers)})

    # Against the register, void records included (their numbers stay taken).
    registered = {
        p.id_number: p for p in Person.objects.filter(id_number__in=list(seen)).select_related("household__village")
    }
    foreign = [p for p in registered.values() if p.household.township_id != township.pk]
    if foreign and by is not None and not foreign_ids_answer(by=by, persons=foreign, request=request, where="import"):
        raise ForeignAnswersWithheld({"file": _(
            "该表中有 %(n)d 个身份证号已在其他镇/街道登记。本小时内查询其他镇/街道登记情况的次数已达上限，"
            "为保护个人信息，暂不显示核对结果；请 1 小时后再上传，或联系县局核实。") % {"n": len(foreign)}},
            code="foreign_answers_withheld")
    for row in rows:
        for role, label in ROLE_LABELS.items():
            person = registered.get(row["data"].get(f"{role}_id") or "")
            if person is not None:
                row["errors"].append(_duplicate_message(label, person, township.pk))
                row["duplicate"] = True

    existing = _existing_households(township, rows)
    planned = set()
    for row in rows:
        row["status"] = "error" if row["errors"] else "ok"
        key = _household_key(row["data"])
        if row["status"] == "ok":
            row["household"] = "existing" if key in existing else "same" if key in planned else "new"
            planned.add(key)
    return rows


def _household_key(data: dict) -> tuple:
    """Rows with the same key join one household. Without an address two rows (or a row and a
    registered household) with the same head's name in one village may be two families: each
    such row gets a household of its own, completed by the clerk later."""
    if not data.get("address"):
        return ("row", data.get("village_id"), data.get("head_name"), data.get("wife_id"))
    return (data.get("village_id"), data.get("head_name"), data.get("address"))


def _existing_households(township, rows) -> dict[tuple, Household]:
    """Active households of the township a row would join: same village, head name and address."""
    heads = {r["data"]["head_name"] for r in rows if r["data"].get("head_name")}
    found = {}
    qs = Household.objects.filter(township=township, is_void=False, head_name__in=heads).exclude(address="").order_by("id")
    for household in qs:
        found.setdefault((household.village_id, household.head_name, household.address), household)
    return found
