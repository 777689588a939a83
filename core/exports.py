"""Exports every app registers: one registry, one writer, one job model, one download.

An app declares each export once (``register(ExportSpec(...))``, see households/exports.py and
docs/excel.md): a capability, an audit object type and ``build(user, params)`` that turns the list
page's query parameters into an ``ExportQuery`` — a queryset already scoped to ``user`` (its
``visible_to``/selectors), the columns, and the filters in words. Everything else is here:

- ``export_start`` (the view helper): a small export (≤ EXPORTS_DIRECT_MAX_ROWS, well under a
  second to write) is answered at once as a download; a larger one becomes an ``ExportJob`` run
  by a Celery worker, and the user is sent to its progress page — no web worker is held.
- ``export_write``: rows are read with a server-side cursor (``values_list().iterator()``, no
  model instances) inside one REPEATABLE READ snapshot, so the row count in the sheet's note is
  the number of rows written, and streamed into core.excel's constant-memory writer. A list whose
  cells are worked out in Python (a status sentence, labels of an array, names of a many-to-many)
  gives ``ExportQuery.rows`` instead: the instances are read in chunks of CHUNK_ROWS (each chunk
  with its prefetches) and ``rows(chunk)`` turns a chunk into the sheet's rows.
- ``export_job_run`` (the task): rebuilds the query from the owner's permissions *now* — a user
  whose role or township changed since asking gets their current scope or nothing.
- A job's work survives a dead worker or a lost message: the worker writing a job holds a lease
  (``alive_at``, renewed every third of EXPORTS_LEASE_SECONDS by a thread with its own connection)
  and a claim token. ``exports_reconcile`` (beat, every minute) sends again every job whose lease
  lapsed (its worker was killed: OOM, deploy, SIGKILL) or that was queued but never picked up (the
  message was lost in a Redis restart). Only the holder of the current claim can finish a job, so
  a job taken over from a worker that was only slow still ends with exactly one file.
- Every export writes an ``export`` audit row (rows, filters); every download of a job's file
  another. ID numbers are masked by the columns' formatters (PIPL Art. 6, minimum necessary).
"""
import datetime
import io
import logging
import re
import secrets
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import access
from .excel import SheetWriter
from .masking import mask_id_number
from .models import ExportJob

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 2000  # rows between two progress updates of a job (one UPDATE each)
CHUNK_ROWS = 2000  # rows fetched per round trip from the server-side cursor


@dataclass(frozen=True)
class Column:
    header: str  # lazy translation
    field: str  # a values_list() lookup or an annotation of the queryset
    width: int = 12
    format: Callable | None = None  # raw value → cell value (mask an ID, a choice's label …)


@dataclass(frozen=True)
class ExportQuery:
    queryset: QuerySet
    columns: list[Column]
    filters: str = ""  # the filters in words, for the sheet's note and the audit row
    # (chunk of model instances) -> its rows, one value per column; None: columns are values_list lookups
    rows: Callable | None = None
    notes: tuple = ()  # more notes under the standard ones (what the sheet leaves out, and why)


@dataclass(frozen=True)
class ExportSpec:
    kind: str
    label: str  # lazy: the sheet's title and the file name
    capability: str  # checked when asked and again when the job runs
    object_type: str  # audit rows
    build: Callable  # (user, params: QueryDict) -> ExportQuery; ValidationError for bad filters
    list_url: str = "home"  # url name of the list page the export comes from ("back" links)
    # the title's and file name's scope for a user with no township (bureau staff: their villages)
    wide_scope: str = gettext_lazy("联系村/社区")


_REGISTRY: dict[str, ExportSpec] = {}


def register(spec: ExportSpec) -> ExportSpec:
    """Make ``spec.kind`` exportable (call from the app's ``AppConfig.ready``)."""
    _REGISTRY[spec.kind] = spec
    return spec


def get_spec(kind: str) -> ExportSpec:
    return _REGISTRY[kind]


# A search term that is (or nearly is) a whole ID number: masked in the sheet note and audit row.
LONG_ID = re.compile(r"^\d{14,17}[\dX]$")


def valid_filters(form):
    """The list page's filter form, refused (ValidationError) if a filter is wrong: a wrong filter
    must not silently widen the export to everything in scope."""
    if form.is_bound and not form.is_valid():
        raise ValidationError(_("筛选条件有误：%(e)s") % {
            "e": "；".join(str(e) for errors in form.errors.values() for e in errors)})
    return form


def describe_filters(form) -> str:
    """The filters in force (``form.values()``), in words; an ID typed into the search box is
    masked there too, and a choice is named by the label the list page shows, not its code."""
    parts = []
    for name, value in form.values().items():
        if name == "sort" or value in (None, ""):
            continue
        if name == "q" and LONG_ID.match(str(value).upper().replace(" ", "")):
            value = mask_id_number(str(value).upper().replace(" ", ""))
        choices = dict(getattr(form.fields[name], "choices", None) or ())
        if not hasattr(value, "pk") and str(value) in choices:
            value = choices[str(value)]
        parts.append(f"{form.fields[name].label or name}={value}")
    return "；".join(parts)


def masked(number) -> str:
    """A column formatter: the ID number masked (PIPL Art. 6)."""
    return mask_id_number(number or "")


def params_to_dict(params: QueryDict) -> dict[str, list[str]]:
    return {key: params.getlist(key) for key in params if key != "page"}


def dict_to_params(data: dict) -> QueryDict:
    params = QueryDict(mutable=True)
    for key, values in (data or {}).items():
        params.setlist(key, [str(v) for v in (values if isinstance(values, list) else [values])])
    return params


def progress_key(job_id: int) -> str:
    return f"export-progress:{job_id}"


def job_progress(job: ExportJob) -> tuple[int, int]:
    """(rows written, total) of a job: the worker's latest report while it runs."""
    if job.status == ExportJob.Status.RUNNING:
        try:
            reported = cache.get(progress_key(job.pk))
        except Exception:  # the cache being down only hides the progress
            reported = None
        if reported:
            return int(reported[0]), int(reported[1])
    return job.progress, job.total


def _scope(spec: ExportSpec, user) -> str:
    return user.township.name if getattr(user, "township_id", None) else str(spec.wide_scope)


def export_file_name(spec: ExportSpec, user, *, on: datetime.date | None = None) -> str:
    return f"{_scope(spec, user)}_{spec.label}_{on or timezone.localdate():%Y%m%d}.xlsx".replace("/", "-")


def _chunks(iterable, size: int):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _rows(query: ExportQuery, queryset: QuerySet):
    """The sheet's rows: tuples from values_list(), or ``query.rows`` over chunks of instances."""
    if query.rows is None:
        formats = [c.format for c in query.columns]
        for values in queryset.values_list(*[c.field for c in query.columns]).iterator(chunk_size=CHUNK_ROWS):
            yield [fmt(v) if fmt else v for fmt, v in zip(formats, values, strict=True)]
        return
    for chunk in _chunks(queryset.iterator(chunk_size=CHUNK_ROWS), CHUNK_ROWS):
        yield from query.rows(chunk)


def _snapshot() -> None:
    """Count and rows from one snapshot (PostgreSQL): the note's row count is what was written."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")


def export_write(*, spec: ExportSpec, query: ExportQuery, user, target, progress: Callable | None = None) -> int:
    """Write ``query`` as an .xlsx to ``target`` (a path or binary file). Returns the row count.

    ``progress(rows_written, total)`` is called every PROGRESS_EVERY rows and once with the total
    first. Memory stays flat: a server-side cursor, tuples not model instances, and a writer that
    flushes each row to disk.
    """
    columns = query.columns
    scope = _scope(spec, user)
    # Only a transaction of our own can be made a snapshot (inside a caller's, its isolation holds).
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if own_transaction:
            _snapshot()
        # values_list() rows need no prefetch; Python-made rows keep theirs (one query per chunk each)
        queryset = query.queryset.prefetch_related(None) if query.rows is None else query.queryset
        total = queryset.count()
        if progress:
            progress(0, total)
        now = timezone.localtime()
        notes = [
            _("身份证号已脱敏（个人信息保护法：最小必要），完整号码仅可在系统详情页查看。"),
            _("导出人：%(user)s；导出时间：%(at)s；共 %(n)d 行。") % {
                "user": user.get_full_name(), "at": now.strftime("%Y-%m-%d %H:%M"), "n": total},
        ]
        notes += [str(note) for note in query.notes]
        if query.filters:
            notes.append(_("筛选条件：%(f)s") % {"f": query.filters})
        with SheetWriter(target, title=f"{scope} {spec.label}", notes=notes, headers=[str(c.header) for c in columns],
                         widths=[c.width for c in columns], sheet_title=str(spec.label)) as writer:
            for row in _rows(query, queryset):
                writer.append(row)
                if progress and writer.rows % PROGRESS_EVERY == 0:
                    progress(writer.rows, total)
            return writer.rows


def _audit_export(*, spec, user, rows: int, query: ExportQuery, request=None, job: ExportJob | None = None):
    access.audit(action=access.EXPORT, request=request, user=user, object_type=spec.object_type,
              township_id=getattr(user, "township_id", None),
              detail=f"export {spec.kind}: {rows} rows" + (f" (job #{job.pk})" if job else "")
              + (f"; {query.filters}" if query.filters else ""))


def export_direct(*, spec: ExportSpec, query: ExportQuery, user, request=None) -> tuple[str, bytes]:
    """Build a small export in the request. Returns (file name, content); audited."""
    buffer = io.BytesIO()
    rows = export_write(spec=spec, query=query, user=user, target=buffer)
    _audit_export(spec=spec, user=user, rows=rows, query=query, request=request)
    return export_file_name(spec, user), buffer.getvalue()


@transaction.atomic
def export_job_create(*, spec: ExportSpec, user, params: QueryDict, total: int, request=None) -> ExportJob:
    """Queue a large export for the worker, or return the user's identical one still queued or
    running (a double click or a reload does not start a second). Refuses (ValidationError) a
    user who already has EXPORTS_MAX_ACTIVE_JOBS queued or running."""
    stored = params_to_dict(params)
    now = timezone.now()
    active = list(ExportJob.objects.select_for_update().filter(
        owner=user, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]))
    lost = set(lost_jobs(now).filter(owner=user).values_list("pk", flat=True))
    for job in active:
        if job.kind == spec.kind and job.params == stored:
            if job.pk in lost:  # asking again gets a working job, not the dead one
                _resend(job, now)
            return job
    # A job whose worker is gone is sent again by exports_reconcile; it blocks nobody meanwhile.
    active = [job for job in active if job.pk not in lost]
    if len(active) >= settings.EXPORTS_MAX_ACTIVE_JOBS:
        raise ValidationError(_("您已有 %(n)d 个导出正在进行，请等它们完成后再导出。") % {"n": len(active)},
                              code="too_many_exports")
    job = ExportJob.objects.create(owner=user, kind=spec.kind, params=stored, total=total, alive_at=now)
    transaction.on_commit(lambda: _enqueue(job))
    access.audit(action=access.EXPORT, request=request, user=user, object_type=spec.object_type,
              township_id=getattr(user, "township_id", None), detail=f"export {spec.kind} queued (job #{job.pk})")
    return job


def _enqueue(job: ExportJob) -> None:
    """Send the job to the worker; with the broker down, fail it with a message at once rather
    than leave the user watching a job nobody will run."""
    from .tasks import run_export_job

    try:
        run_export_job.delay(job.pk)
    except Exception:  # kombu/redis connection errors: the broker is unreachable
        logger.exception("export job %s could not be queued", job.pk)
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.QUEUED).update(
            status=ExportJob.Status.FAILED, finished_at=timezone.now(),
            message=_("后台任务服务暂时不可用，导出未执行，请稍后再试。"))


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.EXPORTS_LEASE_SECONDS)


def lost_jobs(now=None) -> QuerySet:
    """Jobs nobody is working on any more: running with a lapsed lease (the worker died), or queued
    and not picked up within EXPORTS_REQUEUE_SECONDS of being sent (the message was lost)."""
    now = now or timezone.now()
    requeue = now - datetime.timedelta(seconds=settings.EXPORTS_REQUEUE_SECONDS)
    return ExportJob.objects.filter(
        Q(status=ExportJob.Status.RUNNING, alive_at__lt=now - _lease())
        | Q(status=ExportJob.Status.QUEUED, alive_at__lt=requeue)
        | Q(status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING], alive_at__isnull=True,
            created_at__lt=requeue))


def _resend(job: ExportJob, now) -> bool:
    """Put a lost job back in the queue (conditionally: two reconcilers send it once) and send it."""
    if not lost_jobs(now).filter(pk=job.pk).update(status=ExportJob.Status.QUEUED, claim="", alive_at=now):
        return False
    logger.warning("export job %s lost its worker or its message: sent again", job.pk)
    transaction.on_commit(lambda: _enqueue(job))
    return True


def exports_reconcile(*, now=None, dry_run: bool = False) -> int:
    """Beat, every minute: send again every lost job (``lost_jobs``). Returns how many."""
    now = now or timezone.now()
    lost = list(lost_jobs(now))
    if dry_run:
        return len(lost)
    return sum(_resend(job, now) for job in lost)


class _LeaseKeeper(threading.Thread):
    """Renews a running job's lease from a thread of its own, with its own database connection: the
    export itself reads inside one read-only snapshot transaction, which can neither write the job
    row nor make a write visible before it ends."""

    def __init__(self, job_id: int, claim: str):
        super().__init__(name=f"export-lease-{job_id}", daemon=True)
        self.job_id, self.claim = job_id, claim
        self.done = threading.Event()

    def run(self):
        try:
            while not self.done.wait(settings.EXPORTS_LEASE_SECONDS / 3):
                renewed = ExportJob.objects.filter(
                    pk=self.job_id, status=ExportJob.Status.RUNNING, claim=self.claim).update(alive_at=timezone.now())
                if not renewed:  # taken over or finished: the final update decides, nothing to renew
                    return
        except Exception:  # noqa: BLE001 - a missed renewal only risks a take-over, never two results
            logger.warning("export job %s: lease not renewed", self.job_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self):
        # In-process (make run on SQLite) there is no worker to lose, and a second writer would lock.
        if connection.vendor == "postgresql":
            self.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        if self.is_alive():
            self.join(timeout=10)


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Run a queued job once: claim it, rebuild the rows from the owner's permissions now, write
    the file to the default storage, record the outcome. Returns the job (None if it was not queued
    any more: another worker holds it or it has ended). A failure marks the job failed with a
    Chinese message; nothing half-written is kept. The claim token makes every outcome conditional:
    a worker whose job was taken over (its lease lapsed) records nothing and keeps no file."""
    claim = secrets.token_hex(8)
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now(), alive_at=timezone.now(), claim=claim)
    if claimed != 1:
        return None
    job = ExportJob.objects.select_related("owner", "owner__township").get(pk=job_id)
    user = job.owner
    mine = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING, claim=claim)

    def fail(message: str) -> ExportJob:
        mine.update(status=ExportJob.Status.FAILED, message=message[:300], finished_at=timezone.now())
        job.refresh_from_db()
        return job

    try:
        spec = get_spec(job.kind)
    except KeyError:
        return fail(_("未知的导出类型。"))
    # Scope as of now: the owner may have lost the role, the township or the account since asking.
    if not user.is_active or not user.can(spec.capability):
        access.audit(action=access.EXPORT, user=user, object_type=spec.object_type, success=False,
                  detail=f"export {spec.kind} job #{job.pk} refused: no longer permitted")
        return fail(_("您已没有导出这些数据的权限，导出未执行。"))
    try:
        query = spec.build(user, dict_to_params(job.params))
    except ValidationError as error:
        return fail(" ".join(error.messages))
    except Http404:  # a filter (a village) no longer in the owner's scope
        return fail(_("筛选条件中的村/社区已不在您的范围内，导出未执行。"))

    def progress(rows, total):
        # The rows are read inside a read-only snapshot transaction, so progress cannot go to the
        # job's row (invisible until commit, and refused read-only): the cache carries it.
        cache.set(progress_key(job.pk), [rows, total], timeout=3600)

    try:
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle, _LeaseKeeper(job.pk, claim):
            rows = export_write(spec=spec, query=query, user=user, target=handle.name, progress=progress)
            name = export_file_name(spec, user)
            with open(handle.name, "rb") as content:
                # An unguessable name: the file is only ever served through the audited, owner-only view.
                job.file.save(f"export-{job.pk}-{secrets.token_hex(8)}.xlsx", File(content), save=False)
    except Exception:  # record the failure on the job; the worker lives on
        logger.exception("export job %s failed", job.pk)
        return fail(_("生成导出文件时发生意外错误，请稍后重试或联系系统管理员。"))
    now = timezone.now()
    finished = mine.update(
        status=ExportJob.Status.DONE, file=job.file.name, file_name=name, row_count=rows, progress=rows, total=rows,
        finished_at=now, expires_at=now + datetime.timedelta(hours=settings.EXPORTS_KEEP_HOURS))
    if not finished:  # taken over meanwhile: the new holder writes the one result
        job.file.storage.delete(job.file.name)
        logger.warning("export job %s was taken over; this run's file is discarded", job.pk)
        return None
    _audit_export(spec=spec, user=user, rows=rows, query=query, job=job)
    job.refresh_from_db()
    return job


def export_job_download(*, job: ExportJob, request) -> None:
    """Audit a download of ``job``'s file (the view checks owner, status and expiry)."""
    spec = _REGISTRY.get(job.kind)
    access.audit(action=access.EXPORT, request=request, user=request.user,
              object_type=spec.object_type if spec else "core.exportjob", object_id=job.pk,
              township_id=getattr(request.user, "township_id", None),
              detail=f"download export {job.kind} job #{job.pk}: {job.row_count} rows")


def exports_expire(*, now=None, dry_run: bool = False) -> int:
    """Delete the files of finished jobs past their expiry (and of failed ones) and mark the jobs
    expired. Returns how many jobs were (or, with ``dry_run``, would be) expired."""
    now = now or timezone.now()
    stale = ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lt=now)
    # A worker killed mid-export leaves its job "running" (the redelivered task finds it claimed):
    # past the task's hard time limit it can only be dead.
    abandoned = ExportJob.objects.filter(
        status__in=[ExportJob.Status.RUNNING, ExportJob.Status.QUEUED],
        created_at__lt=now - datetime.timedelta(hours=settings.EXPORTS_KEEP_HOURS))
    if dry_run:
        return stale.count() + abandoned.count()
    expired = abandoned.update(status=ExportJob.Status.FAILED, finished_at=now,
                               message=_("导出被中断，请重新导出。"))
    for job in stale.iterator():
        # Mark first, then delete: a download racing this sees "expired", never a missing file.
        if ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).update(
                status=ExportJob.Status.EXPIRED, file=""):
            if job.file.name:
                job.file.storage.delete(job.file.name)
            expired += 1
    if expired:
        logger.info("expired %d export files", expired)
    return expired
