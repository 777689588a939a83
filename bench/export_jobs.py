"""Exports of the full county, through the code the Celery task runs, against their floor.

Each app may list ``EXPORTS`` in its ``bench/<app>/pages.py`` (bench/README.md):

    dict(name="visits, largest township", user="clerk1", export="households.visits", params={},
         floor=lambda ctx: (sql, params), same=(0, 1, 2, 3, 5))

``same``: the columns the floor and the sheet hold alike (no masking or label between them), in
the same positions; tests/bench/test_floors.py checks them row by row on a small county.

``run(ctx, runs)`` measures each one ``runs`` times, every time in a fresh Python process (peak RSS
is the whole process's, Django and psycopg2 included):

- **product**: an ``ExportJob`` for the user (as the export URL queues it), then
  ``core.exports.export_job_run`` — what ``core.tasks.run_export_job`` does in the worker: claim,
  rebuild the query from the owner's permissions, count, stream the rows into the .xlsx in one
  snapshot, store the file, audit. The job and its file are deleted afterwards.
- **floor**: the same rows from the app's hand-written SQL on a plain psycopg2 server-side cursor,
  written by the same library (XlsxWriter constant-memory ``write_row``, no formats, no masking,
  no labels).

Targets (issue #7): the product ≤ 3× its floor, peak RSS ≤ 100 MB, and every row of the scope
written (no cap below a township's size).
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RATIO_MAX = 3.0
RSS_MAX_MB = 100


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _spec(app: str, index: int) -> dict:
    from importlib import import_module

    return import_module(f"bench.{app}.pages").EXPORTS[index]


def measure_product(app: str, index: int) -> dict:
    """One export job, run in this process as the worker runs it."""
    from accounts.models import User
    from core import exports
    from core.models import ExportJob

    spec = _spec(app, index)
    user = User.objects.get(username=spec["user"])
    job = ExportJob.objects.create(owner=user, kind=spec["export"], params=spec.get("params") or {})
    try:
        started = time.perf_counter()
        job = exports.export_job_run(job_id=job.pk)
        seconds = time.perf_counter() - started
        if job.status != ExportJob.Status.DONE:
            raise RuntimeError(f"export job {job.pk} ended {job.status}: {job.message}")
        size = job.file.size
        return {"rows": job.row_count, "seconds": seconds, "rss_mb": _peak_rss_mb(), "bytes": size}
    finally:
        if job.file:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).delete()


def measure_floor(app: str, index: int) -> dict:
    """The floor: hand-written SQL on a plain server-side cursor into XlsxWriter, nothing else."""
    import xlsxwriter
    from django.db import connection, transaction

    from bench.run import Context

    spec = _spec(app, index)
    sql, params = spec["floor"](Context())
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        book = xlsxwriter.Workbook(f"{folder}/floor.xlsx", {"constant_memory": True})
        sheet = book.add_worksheet()
        rows = 0
        with transaction.atomic():
            connection.ensure_connection()
            cursor = connection.connection.cursor(name="floor")  # server-side, as .iterator()
            cursor.itersize = 2000
            cursor.execute(sql, params)
            for record in cursor:
                sheet.write_row(rows, 0, record)
                rows += 1
            cursor.close()
        book.close()
        seconds = time.perf_counter() - started
        size = os.path.getsize(f"{folder}/floor.xlsx")
    return {"rows": rows, "seconds": seconds, "rss_mb": _peak_rss_mb(), "bytes": size}


def _one(mode: str, app: str, index: int) -> dict:
    proc = subprocess.run([sys.executable, __file__, mode, app, str(index)], capture_output=True, text=True,
                          cwd=ROOT, env=os.environ.copy(), timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} {app}[{index}] failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def collect() -> list[tuple[str, int, dict]]:
    from importlib import import_module

    from django.apps import apps

    from bench.fullscale import app_modules

    found = []
    for label, module in app_modules("pages"):
        for index, spec in enumerate(getattr(import_module(module), "EXPORTS", [])):
            found.append((apps.get_app_config(label).name, index, spec))
    return found


def run(runs: int, only: str | None = None) -> list[str]:
    """Measure every app's EXPORTS; returns the Markdown table's lines."""
    lines = [f"Exports through the worker's code path (`export_job_run`), each run in a fresh process, "
             f"median of {runs}:", "",
             "| export | user | rows | product s | floor s | × floor | peak RSS MB (product / floor) | target | met |",
             "|---|---|---|---|---|---|---|---|---|"]
    for app, index, spec in collect():
        if only and only not in spec["name"]:
            continue
        product, floor = [], []
        for _ in range(runs):  # alternate, so both see the same machine load
            floor.append(_one("floor", app, index))
            product.append(_one("product", app, index))
        p_s = statistics.median(r["seconds"] for r in product)
        f_s = statistics.median(r["seconds"] for r in floor)
        p_rss = max(r["rss_mb"] for r in product)
        f_rss = max(r["rss_mb"] for r in floor)
        rows, floor_rows = product[0]["rows"], floor[0]["rows"]
        ratio = p_s / f_s if f_s else 0
        met = ratio <= RATIO_MAX and p_rss <= RSS_MAX_MB and rows == floor_rows
        note = "" if rows == floor_rows else f" (floor: {floor_rows:,} rows)"
        lines.append(f"| {spec['name']} | {spec['user']} | {rows:,}{note} | {p_s:.2f} | {f_s:.2f} | {ratio:.2f} | "
                     f"{p_rss:.0f} / {f_rss:.0f} | ≤ {RATIO_MAX:g}× floor; ≤ {RSS_MAX_MB} MB; every row | "
                     f"{'ok' if met else 'MISSED'} |")
        print(lines[-1], flush=True)
    return lines


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    mode = sys.argv[1] if len(sys.argv) > 1 else "run"
    if mode in ("product", "floor"):
        result = (measure_product if mode == "product" else measure_floor)(sys.argv[2], int(sys.argv[3]))
        print(json.dumps(result))
    else:
        print("\n".join(run(int(sys.argv[2]) if len(sys.argv) > 2 else 3)))
