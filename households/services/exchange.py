"""Excel import of the townships' register sheets: upload → preview → confirm (or cancel).

``import_batch_create`` reads the sheet and checks every row *without writing the
register*: the parsed rows and their errors are kept in an ``ImportBatch`` (status preview) for
the clerk to review. ``import_confirm`` writes the valid rows in ONE transaction through the
register's own services (household_create, person_add, couple_create, survey_record), so an
imported couple obeys exactly the rules of one entered by hand. Each row runs in a savepoint: a
row that breaks a rule at confirm time (the ID was registered since the preview) is skipped and
reported; anything unexpected rolls the whole import back and marks the batch failed.

The sheet's columns and cell readers are in households/sheets.py; exports in services/export.py.
"""
import datetime
import logging
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import chain, islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from accounts.models import AuditEvent, Township, User, Village
from accounts.services import audit_log
from accounts.validators import mask_id_number, parse_id_number

from .. import sheets
from ..models import Couple, HukouType, Household, ImportBatch, MaritalStatus, Person, Relation, Sex
from .register import DuplicateIdNumber, couple_create, household_create, person_add, survey_record

logger = logging.getLogger(__name__)

# Limits (settings may override). The confirm step writes every row through the register's own
# services (≈ 60 statements and 30 ms a row on the development machine) inside ONE request and
# ONE transaction, so the row cap bounds how long that request runs: 1,000 rows ≈ 30 s, under a
# 60 s proxy timeout. A larger township sheet is split into several files.
IMPORT_MAX_BYTES = getattr(settings, "HOUSEHOLDS_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
IMPORT_MAX_ROWS = getattr(settings, "HOUSEHOLDS_IMPORT_MAX_ROWS", 1000)

ROLE_LABELS = {"wife": sheets.COLUMN_BY_FIELD["wife_id"].label, "husband": sheets.COLUMN_BY_FIELD["husband_id"].label}


class ImportNotPending(ValidationError):
    """The batch was already confirmed, cancelled or failed: it can be processed only once."""


class ImportFailed(Exception):
    """The confirm step failed unexpectedly; nothing was written. ``str()`` is the message."""


def _file_error(message) -> ValidationError:
    return ValidationError({"file": message})


# --- Reading the sheet ----------------------------------------------------------------------
def read_sheet(upload, *, max_rows: int | None = None) -> list[tuple[int, dict]]:
    """(Excel row number, field → raw cell value) for every non-blank row under the header.

    Raises ValidationError (keyed ``file``) for a file that is not a readable .xlsx, has no
    recognisable header row, lacks required columns, has no data or too many rows.
    """
    max_rows = max_rows or IMPORT_MAX_ROWS
    upload.seek(0)
    if upload.read(4) != b"PK\x03\x04":  # every .xlsx is a zip archive
        raise _file_error(_("无法读取该文件：不是 Excel（.xlsx）文件或文件已损坏。如果文件设有打开密码，请先取消密码。"))
    upload.seek(0)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — any parser failure on an untrusted file is "cannot read it"
        logger.info("import: unreadable workbook", exc_info=True)
        raise _file_error(_("无法读取该文件：文件已损坏或不是 Excel（.xlsx）文件，请用 Excel 打开后另存为 .xlsx 再上传。")) from None
    try:
        return _read_rows(workbook, max_rows)
    except ValidationError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError, OSError, IndexError):
        # The sheet itself is streamed from the zip: damage can surface only now.
        logger.info("import: damaged worksheet", exc_info=True)
        raise _file_error(_("无法读取该文件：工作表内容已损坏，请用 Excel 打开后另存为 .xlsx 再上传。")) from None
    finally:
        workbook.close()


def _read_rows(workbook, max_rows: int) -> list[tuple[int, dict]]:
    sheet = workbook.active if workbook.active is not None else workbook.worksheets[0]
    if not hasattr(sheet, "iter_rows"):  # a chart sheet
        sheet = workbook.worksheets[0]
    # Some programs write a wrong <dimension>; read what is there, not what it claims.
    sheet.reset_dimensions()
    rows = sheet.iter_rows(max_col=sheets.MAX_COLUMNS, values_only=True)
    head = list(islice(rows, sheets.HEADER_SCAN_ROWS))
    found = sheets.find_header(head)
    if found is None:
        raise _file_error(_("前 5 行中没有找到表头。请使用导入模板，表头须包含“村/社区”“妻子姓名”“妻子身份证号”等列名。"))
    header_index, columns = found
    missing = [c.label for c in sheets.COLUMNS if c.required and c.field not in columns]
    if missing:
        raise _file_error(_("表头缺少必需的列：%(cols)s。") % {"cols": "、".join(missing)})
    data = []
    for offset, values in enumerate(chain(head[header_index + 1:], rows)):
        cells = {f: (values[col] if col < len(values) else None) for f, col in columns.items()}
        # Only the known columns count: a 序号 column numbered down past the data is not a row.
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        if len(data) >= max_rows:
            raise _file_error(_("文件行数超过上限：每次最多导入 %(n)d 行，请拆分为多个文件分批导入。") % {"n": max_rows})
        data.append((header_index + 2 + offset, cells))
    if not data:
        raise _file_error(_("文件中没有数据行（表头下方为空）。"))
    return data


# --- Checking rows --------------------------------------------------------------------------
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
    for count_field in ("boys", "girls"):
        data[count_field] = read(count_field, sheets.count) or 0

    head = data["head_name"]
    if head and head not in (data["wife_name"], data["husband_name"]):
        warnings.append(_("户主不是夫妇本人：夫妇与户主关系记为“其他”，请在家庭户页面补充户主信息。"))
    return {
        "row": number, "status": "error" if errors else "ok", "errors": errors, "warnings": warnings, "data": data,
        "duplicate": False, "household": "", "wife_id_masked": mask_id_number(data.get("wife_id") or ""),
        "husband_id_masked": mask_id_number(data.get("husband_id") or ""),
    }


def check_rows(
    raw_rows: list[tuple[int, dict]], *, township: Township, today: datetime.date | None = None,
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
    return (data.get("village_id"), data.get("head_name"), data.get("address"))


def _existing_households(township, rows) -> dict[tuple, Household]:
    """Active households of the township a row would join: same village, head name and address."""
    heads = {r["data"]["head_name"] for r in rows if r["data"].get("head_name")}
    found = {}
    qs = Household.objects.filter(township=township, is_void=False, head_name__in=heads).order_by("id")
    for household in qs:
        found.setdefault((household.village_id, household.head_name, household.address), household)
    return found


def _scrub(rows: list[dict]) -> list[dict]:
    """A closed batch keeps what its page shows, not whole ID numbers (PIPL minimisation)."""
    for row in rows:
        for role in ROLE_LABELS:
            if row["data"].get(f"{role}_id"):
                row["data"][f"{role}_id"] = mask_id_number(row["data"][f"{role}_id"])
    return rows


# --- Import services ------------------------------------------------------------------------
def import_batch_create(*, by: User, upload, file_name: str, request=None) -> ImportBatch:
    """Read and check an uploaded sheet; store the rows and their errors in a preview batch.

    Writes nothing to the register. Raises ValidationError (keyed ``file``) for a file that
    cannot be imported at all. Returns the batch.
    """
    # Parsing and checking only read: no transaction is held open while the workbook is unzipped.
    rows = check_rows(read_sheet(upload), township=by.township)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            township=by.township, file_name=file_name[:200], rows=rows, row_count=len(rows),
            error_count=sum(r["status"] == "error" for r in rows), created_by=by,
        )
        audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=batch,
                  detail=f"import preview: {batch.row_count} rows, {batch.error_count} with errors")
    return batch


@dataclass
class _Context:
    by: User
    township_id: int
    request: object
    villages: dict[int, Village]
    registered: dict[str, Person]
    households: dict[tuple, Household] = field(default_factory=dict)


def import_confirm(*, batch: ImportBatch, by: User, request=None) -> ImportBatch:
    """Write the batch's valid rows to the register, once, in one transaction.

    Each row: the household (an active one in the same village with the same head name and
    address is reused), wife and husband, the couple and the intention survey by ``by`` — who
    becomes the couple's 专人 through survey_record when it enters the register. A row that
    breaks a rule now (registered since the preview, village closed) is skipped with its reason.

    Raises ImportNotPending if the batch is no longer awaiting confirmation (a second click),
    ImportFailed if anything unexpected happens: then nothing at all is written and the batch
    is marked failed.
    """
    current_row = None
    try:
        with transaction.atomic():
            # Claim the batch: a conditional UPDATE, so of two confirms racing each other the
            # second waits on the row lock, then finds the status moved on and imports nothing.
            claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(
                status=ImportBatch.Status.IMPORTED, confirmed_at=timezone.now())
            if claimed != 1:
                raise ImportNotPending(_("该批次已处理（已导入、已取消或导入失败），不能再次导入。"), code="not_pending")
            batch.refresh_from_db()
            rows = batch.rows
            if not any(r["status"] == "ok" for r in rows):
                raise ImportNotPending(_("没有可导入的行，请修改文件后重新上传。"), code="nothing_to_import")
            ctx = _confirm_context(batch, rows, by=by, request=request)
            imported = 0
            for row in rows:
                if row["status"] != "ok":
                    continue
                current_row = row["row"]
                try:
                    with transaction.atomic():  # a savepoint: a refused row leaves nothing behind
                        couple, household = _write_row(row["data"], ctx)
                except ValidationError as exc:
                    row["status"] = "skipped"
                    row["errors"].extend(exc.messages)
                else:
                    ctx.households.setdefault(_household_key(row["data"]), household)
                    row["status"] = "imported"
                    row["couple_id"] = couple.pk
                    imported += 1
            current_row = None
            batch.rows = _scrub(rows)
            batch.imported_count = imported
            batch.error_count = len(rows) - imported
            batch.message = _("已导入 %(n)d 对夫妇，跳过 %(k)d 行。") % {"n": imported, "k": len(rows) - imported}
            batch.save(update_fields=["rows", "imported_count", "error_count", "message", "updated_at"])
            audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=batch,
                      detail=f"import confirmed: {imported} couples imported, {len(rows) - imported} rows skipped")
    except ImportNotPending:
        raise
    except Exception as exc:
        # Everything inside the block was rolled back. Record the failure outside it.
        logger.exception("import batch %s failed at row %s", batch.pk, current_row)
        if current_row is not None:
            message = _("导入失败：写入第 %(row)d 行时发生意外错误，已全部撤销，未写入任何数据。请联系系统管理员。") % {"row": current_row}
        else:
            message = _("导入失败：发生意外错误，已全部撤销，未写入任何数据。请联系系统管理员。")
        rows = ImportBatch.objects.values_list("rows", flat=True).get(pk=batch.pk)
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(
            status=ImportBatch.Status.FAILED, message=message[:300], rows=_scrub(rows), updated_at=timezone.now())
        batch.refresh_from_db()
        audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=batch, success=False,
                  detail=f"import failed at row {current_row}: {type(exc).__name__}")
        raise ImportFailed(message) from exc
    return batch


def _confirm_context(batch: ImportBatch, rows: list[dict], *, by: User, request) -> _Context:
    """What every row needs from the database, read once (the register as it is *now*)."""
    ok = [r for r in rows if r["status"] == "ok"]
    numbers = [r["data"][f"{role}_id"] for r in ok for role in ROLE_LABELS]
    return _Context(
        by=by, township_id=batch.township_id, request=request,
        villages={v.pk: v for v in Village.objects.filter(township_id=batch.township_id, is_active=True)},
        registered={
            p.id_number: p for p in Person.objects.filter(id_number__in=numbers).select_related("household__village")
        },
        households=_existing_households(batch.township, ok),
    )


def _write_row(data: dict, ctx: _Context) -> tuple[Couple, Household]:
    village = ctx.villages.get(data["village_id"])
    if village is None:
        raise ValidationError(_("村/社区不在本镇/街道或已停用。"))
    for role, label in ROLE_LABELS.items():
        person = ctx.registered.get(data[f"{role}_id"])
        if person is not None:
            raise ValidationError(_duplicate_message(label, person, ctx.township_id))

    household = ctx.households.get(_household_key(data))
    if household is None:
        household = household_create(
            by=ctx.by, village=village, address=data["address"], head_name=data["head_name"], phone=data["phone"],
            hukou_type=data["hukou_type"], request=ctx.request,
        )
    head = data["head_name"]
    if head == data["husband_name"]:
        wife_relation, husband_relation = Relation.SPOUSE, Relation.SELF
    elif head == data["wife_name"]:
        wife_relation, husband_relation = Relation.SELF, Relation.SPOUSE
    else:
        wife_relation = husband_relation = Relation.OTHER

    def add(role: str, relation: str) -> Person:
        try:
            return person_add(
                household=household, by=ctx.by, name=data[f"{role}_name"], id_number=data[f"{role}_id"],
                relation=relation, marital_status=MaritalStatus.MARRIED, request=ctx.request,
            )
        except DuplicateIdNumber as exc:  # registered by someone else a moment ago
            raise ValidationError(_duplicate_message(ROLE_LABELS[role], exc.existing, ctx.township_id)) from None

    wife, husband = add("wife", wife_relation), add("husband", husband_relation)
    couple = couple_create(
        household=household, wife=wife, husband=husband, by=ctx.by, request=ctx.request,
        marriage_date=datetime.date.fromisoformat(data["marriage_date"]) if data["marriage_date"] else None,
        boys=data["boys"], girls=data["girls"],
    )
    survey_record(
        couple=couple, by=ctx.by, planned_timing=data["planned_timing"], notes=data["notes"], request=ctx.request,
        surveyed_on=datetime.date.fromisoformat(data["surveyed_on"]) if data["surveyed_on"] else None,
    )
    return couple, household


@transaction.atomic
def import_cancel(*, batch: ImportBatch, by: User, request=None) -> ImportBatch:
    """Discard a preview batch (nothing was written to the register). Once only."""
    rows = ImportBatch.objects.values_list("rows", flat=True).get(pk=batch.pk)
    cancelled = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(
        status=ImportBatch.Status.CANCELLED, rows=_scrub(rows), message=_("已取消，未导入任何数据。"),
        updated_at=timezone.now())
    if cancelled != 1:
        raise ImportNotPending(_("该批次已处理（已导入、已取消或导入失败），不能取消。"), code="not_pending")
    batch.refresh_from_db()
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=batch, detail="import cancelled")
    return batch


def import_summary(rows: list[dict]) -> dict:
    """Counts for the preview page."""
    total = len(rows)
    by_status = defaultdict(int)
    for row in rows:
        by_status[row["status"]] += 1
    return {
        "total": total, "ok": by_status["ok"], "error": by_status["error"], "imported": by_status["imported"],
        "skipped": by_status["skipped"], "duplicate": sum(bool(r.get("duplicate")) for r in rows),
        "warnings": sum(bool(r["warnings"]) for r in rows),
    }



def import_previews_expire(*, now=None, dry_run: bool = False) -> int:
    """Cancel preview batches nobody confirmed within settings.HOUSEHOLDS_IMPORT_PREVIEW_HOURS.

    A preview holds whole ID numbers so that confirm can write them; left lying about, it is
    personal data kept without a purpose (PIPL Art. 19). Expiring scrubs them like a cancel does.
    Each batch is claimed with a conditional update, so a clerk confirming at the same moment
    wins or loses cleanly. Returns how many batches were (or, with ``dry_run``, would be) expired.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.HOUSEHOLDS_IMPORT_PREVIEW_HOURS)
    stale = ImportBatch.objects.filter(status=ImportBatch.Status.PREVIEW, created_at__lt=cutoff)
    if dry_run:
        return stale.count()
    expired = 0
    for pk, rows in stale.values_list("pk", "rows").iterator():
        with transaction.atomic():
            expired += ImportBatch.objects.filter(pk=pk, status=ImportBatch.Status.PREVIEW).update(
                status=ImportBatch.Status.CANCELLED, rows=_scrub(rows), updated_at=timezone.now(),
                message=_("超过保留期限未确认，已自动取消，未导入任何数据。"))
    if expired:
        logger.info("expired %d stale import previews", expired)
    return expired
