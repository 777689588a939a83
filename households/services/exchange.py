"""Excel import of the townships' register sheets: upload → preview → confirm (or cancel).

``import_batch_create`` reads the sheet and checks every row *without writing the
register*: the parsed rows and their errors are kept in an ``ImportBatch`` (status preview) for
the clerk to review. ``import_confirm`` writes the valid rows in ONE transaction through the
register's own services (household_create, person_add, couple_create, survey_record), so an
imported couple obeys exactly the rules of one entered by hand. Each row runs in a savepoint: a
row that breaks a rule at confirm time (the ID was registered since the preview) is skipped and
reported; anything unexpected rolls the whole import back and marks the batch failed.

Reading the file (bounded) and mapping its columns: services/import_sheet.py; checking rows:
services/import_checks.py; the sheet's columns and cell readers: households/sheets.py; exports:
households/exports.py.
"""
import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, Township, User, Village
from accounts.services import audit_log
from accounts.validators import mask_id_number

from .. import sheets
from ..models import Couple, Household, ImportBatch, MaritalStatus, Person, Relation
from .import_checks import ROLE_LABELS, _duplicate_message, _existing_households, _household_key, check_rows
from .import_sheet import (  # noqa: F401 — re-exported: the upload form and scripts read them here
    IMPORT_LIMITS, IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, ParsedSheet, parse_upload, read_sheet, remember_mapping,
    split_rows,
)
from .register import DuplicateIdNumber, couple_create, household_create, person_add, survey_record

logger = logging.getLogger(__name__)


class ImportNotPending(ValidationError):
    """The batch was already confirmed, cancelled or failed: it can be processed only once."""


class ImportFailed(Exception):
    """The confirm step failed unexpectedly; nothing was written. ``str()`` is the message."""


def _scrub(rows: list[dict]) -> list[dict]:
    """A closed batch keeps what its page shows, not whole ID numbers (PIPL minimisation)."""
    for row in rows:
        for role in ROLE_LABELS:
            if row["data"].get(f"{role}_id"):
                row["data"][f"{role}_id"] = mask_id_number(row["data"][f"{role}_id"])
    return rows


# --- Import services ------------------------------------------------------------------------
def _checked_rows(parsed: ParsedSheet, *, township: Township, by: User, request) -> list[dict]:
    """The preview's rows under the batch's mapping: candidates checked, layout rows shown as
    skipped, in sheet order. Empty while the mapping lacks a required column."""
    if sheets.mapping_problems(parsed.mapping):
        return []
    data, layout = split_rows(parsed.rows, parsed.mapping)
    rows = check_rows(data, township=township, by=by, request=request) + layout
    return sorted(rows, key=lambda r: r["row"])


def import_batch_create(*, by: User, upload, file_name: str, request=None) -> ImportBatch:
    """Read an uploaded sheet (bounded), map its columns, check every row; keep it all in a
    preview batch. Columns the automatic mapping cannot place are left for the clerk to map on
    the preview page (then no row is checked yet).

    Writes nothing to the register. Raises ValidationError (keyed ``file``) for a file that
    cannot be imported at all. Returns the batch.
    """
    # Parsing and checking only read: no transaction is held open while the workbook is unzipped.
    parsed = parse_upload(upload, township=by.township)
    rows = _checked_rows(parsed, township=by.township, by=by, request=request)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            township=by.township, file_name=file_name[:200], rows=rows, created_by=by,
            header_row=parsed.header_row, headers=parsed.headers, source_rows=parsed.rows,
            mapping={str(col): name for col, name in parsed.mapping.items()}, **_counts(rows),
        )
        audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=batch,
                  detail=f"import preview: {batch.row_count} rows, {batch.error_count} with errors")
    return batch


def _counts(rows: list[dict]) -> dict:
    candidates = [r for r in rows if r["status"] not in ("total", "note")]
    return {"row_count": len(candidates), "error_count": sum(r["status"] == "error" for r in candidates)}


def batch_sheet(batch: ImportBatch) -> ParsedSheet:
    """The batch's sheet as parsed at upload, with its current mapping."""
    return ParsedSheet(header_row=batch.header_row or 1, headers=batch.headers,
                       rows=[(number, cells) for number, cells in batch.source_rows],
                       mapping={int(col): name for col, name in batch.mapping.items()})


def import_remap(*, batch: ImportBatch, by: User, mapping: dict[int, str], request=None) -> ImportBatch:
    """Apply the clerk's column mapping to a preview batch: remember it for the township, check
    the rows again. Raises ValidationError (keyed ``mapping``) for an unusable mapping and
    ImportNotPending if the batch is no longer a preview. Writes nothing to the register."""
    problems = sheets.mapping_problems(mapping)
    if problems:
        raise ValidationError({"mapping": problems})
    batch.refresh_from_db()
    if batch.status != ImportBatch.Status.PREVIEW:
        raise ImportNotPending(_("该批次已处理（已导入、已取消或导入失败），不能再修改列对应关系。"), code="not_pending")
    parsed = batch_sheet(batch)
    parsed.mapping = mapping
    rows = _checked_rows(parsed, township=batch.township, by=by, request=request)
    with transaction.atomic():
        updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(
            rows=rows, mapping={str(col): name for col, name in mapping.items()}, updated_at=timezone.now(),
            **_counts(rows))
        if updated != 1:
            raise ImportNotPending(_("该批次已处理（已导入、已取消或导入失败），不能再修改列对应关系。"), code="not_pending")
        remember_mapping(township=batch.township, by=by, headers=batch.headers, mapping=mapping)
        audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=batch,
                  detail="import column mapping: " + ", ".join(f"{sheets.column_letter(c)}={f}" for c, f in sorted(mapping.items())))
    batch.refresh_from_db()
    return batch


@dataclass
class _Context:
    by: User
    township_id: int
    request: object
    villages: dict[int, Village]
    registered: dict[str, Person]
    households: dict[tuple, Household] = field(default_factory=dict)


def import_confirm_queue(*, batch: ImportBatch, by: User, request=None) -> ImportBatch:
    """Hand a large batch's confirm to a Celery worker (``households.tasks.confirm_import``): the
    batch moves to 正在导入 at once, so a second click or a cancel finds it taken; the worker then
    runs ``import_confirm`` with every guarantee it has (one transaction, a savepoint per row,
    all or nothing on an unexpected error). Raises ImportNotPending like import_confirm."""
    if not any(r["status"] == "ok" for r in batch.rows):
        raise ImportNotPending(_("没有可导入的行，请修改文件后重新上传。"), code="nothing_to_import")
    with transaction.atomic():
        claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(
            status=ImportBatch.Status.CONFIRMING, message=_("正在后台导入，完成后本页自动刷新。"), updated_at=timezone.now())
        if claimed != 1:
            raise ImportNotPending(_("该批次已处理（已导入、已取消或导入失败），不能再次导入。"), code="not_pending")
        transaction.on_commit(lambda: _enqueue_confirm(batch.pk, by.pk))
        audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=batch, detail="import confirm queued")
    batch.refresh_from_db()
    return batch


def _enqueue_confirm(batch_id: int, user_id: int) -> None:
    """Send the confirm to the worker; with the broker down, give the batch back to the clerk as
    a preview (nothing was written) with a message, rather than leave it 正在导入 forever."""
    from ..tasks import confirm_import

    try:
        confirm_import.delay(batch_id, user_id)
    except Exception:  # kombu/redis connection errors: the broker is unreachable
        logger.exception("import batch %s could not be queued", batch_id)
        ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.CONFIRMING).update(
            status=ImportBatch.Status.PREVIEW, updated_at=timezone.now(),
            message=_("后台任务服务暂时不可用，尚未导入任何数据，请稍后再点“确认导入”。"))


def import_confirm(*, batch: ImportBatch, by: User, request=None,
                   claim_from: str = ImportBatch.Status.PREVIEW) -> ImportBatch:
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
            claimed = ImportBatch.objects.filter(pk=batch.pk, status=claim_from).update(
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
            batch.source_rows = []
            candidates = _counts(rows)["row_count"]
            batch.imported_count = imported
            batch.error_count = candidates - imported
            batch.message = _("已导入 %(n)d 对夫妇，跳过 %(k)d 行。") % {"n": imported, "k": candidates - imported}
            batch.save(update_fields=["rows", "source_rows", "imported_count", "error_count", "message", "updated_at"])
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
        ImportBatch.objects.filter(pk=batch.pk, status=claim_from).update(
            status=ImportBatch.Status.FAILED, message=message[:300], rows=_scrub(rows), source_rows=[],
            updated_at=timezone.now())
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
        # An early marriage is a row warning in the preview; confirming the import confirms it.
        confirmed_early_marriage=True,
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
        status=ImportBatch.Status.CANCELLED, rows=_scrub(rows), source_rows=[], message=_("已取消，未导入任何数据。"),
        updated_at=timezone.now())
    if cancelled != 1:
        raise ImportNotPending(_("该批次已处理（已导入、已取消或导入失败），不能取消。"), code="not_pending")
    batch.refresh_from_db()
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=batch, detail="import cancelled")
    return batch


def import_summary(rows: list[dict]) -> dict:
    """Counts for the preview page."""
    total = sum(r["status"] not in ("total", "note") for r in rows)
    by_status = defaultdict(int)
    for row in rows:
        by_status[row["status"]] += 1
    return {
        "total": total, "ok": by_status["ok"], "error": by_status["error"], "imported": by_status["imported"],
        "skipped": by_status["skipped"], "duplicate": sum(bool(r.get("duplicate")) for r in rows),
        "layout": by_status["total"] + by_status["note"],
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
    # A worker killed while confirming rolled its one transaction back: nothing was written. Past
    # the task's hard time limit (10 minutes) the batch can only have been abandoned.
    abandoned = ImportBatch.objects.filter(status=ImportBatch.Status.CONFIRMING,
                                           updated_at__lt=(now or timezone.now()) - datetime.timedelta(hours=1))
    if dry_run:
        return stale.count() + abandoned.count()
    expired = 0
    for pk, rows in abandoned.values_list("pk", "rows").iterator():
        # A live worker's claim holds the row: this UPDATE then finds it imported and does nothing.
        expired += ImportBatch.objects.filter(pk=pk, status=ImportBatch.Status.CONFIRMING).update(
            status=ImportBatch.Status.FAILED, rows=_scrub(rows), source_rows=[], updated_at=timezone.now(),
            message=_("导入被中断，未写入任何数据，请重新上传。"))
    for pk, rows in stale.values_list("pk", "rows").iterator():
        with transaction.atomic():
            expired += ImportBatch.objects.filter(pk=pk, status=ImportBatch.Status.PREVIEW).update(
                status=ImportBatch.Status.CANCELLED, rows=_scrub(rows), source_rows=[], updated_at=timezone.now(),
                message=_("超过保留期限未确认，已自动取消，未导入任何数据。"))
    if expired:
        logger.info("expired %d stale import previews", expired)
    return expired
