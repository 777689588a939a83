"""Time every registered page against its hand-written SQL floor, in the same run (bench/README.md).

Usage (``make bench`` does all of this): DATABASE_URL=postgres://.../township_bench \
    python bench/run.py [--runs 20] [--only SUBSTRING] [--no-throughput] [--output bench/results.md]

Pages come from each app's ``bench/<app>/pages.py`` (``PAGES``, in settings.PROJECT_APPS order).
Each page is requested through Django's test client as its user (session, middleware, view,
template: everything but the socket), once to warm up, once with the queries captured, then
``--runs`` times for the median and p95. Its floor — the smallest hand-written SQL returning the
same rows and total — runs as many times on the same connection right after, so both see the same
machine load. Then gunicorn serves the household list and the login page to ``ab`` on loopback.
"""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.fullscale import app_modules  # noqa: E402

# Targets (issue #7). Pages of these kinds: median ≤ 100 ms, and ≤ 3× the floor when it is > 10 ms
# (the audit trail: ≤ 100 ms for any page and filter).
INTERACTIVE = {"list", "search", "deep", "detail", "page", "audit"}
DEFAULT_RATIO = {"stats": 1.2, "export": 3.0}
# A request that starts a background job (an export of a whole township): answered within a second.
START_MS = 1000
SLOW_MS = 1000  # a page slower than this gets fewer runs (the table says how many)
BEGIN, END = "<!-- bench:latest:begin -->", "<!-- bench:latest:end -->"


class Context:
    """What a page spec's callables get: users, their townships and one-value SQL lookups (cached)."""

    def __init__(self):
        self.cache = {}

    def user(self, username: str) -> User:
        key = ("user", username)
        if key not in self.cache:
            self.cache[key] = User.objects.select_related("township").get(username=username)
        return self.cache[key]

    def township_id(self, username: str) -> int:
        return self.user(username).township_id

    def value(self, sql: str, params=None):
        key = (sql, tuple(params or ()))
        if key not in self.cache:
            with connection.cursor() as cursor:
                cursor.execute(sql, params or [])
                row = cursor.fetchone()
            self.cache[key] = row[0] if row else None
        return self.cache[key]


def collect_pages() -> list[dict]:
    pages = []
    for label, name in app_modules("pages"):
        pages += [dict(page, app=label) for page in import_module(name).PAGES]
    return pages


def _stats(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings), timings[max(int(len(timings) * 0.95 + 0.5) - 1, 0)]


def time_page(page: dict, ctx: Context, runs: int) -> dict:
    client = Client()
    if page.get("user"):
        client.force_login(ctx.user(page["user"]))
    path = page["path"](ctx) if callable(page["path"]) else page["path"]
    before_each = page.get("before_each") or (lambda ctx: None)  # untimed: e.g. clear queued jobs
    before_each(ctx)
    started = time.perf_counter()
    response = client.get(path)  # warm up: templates, connection, caches
    first_ms = (time.perf_counter() - started) * 1000
    before_each(ctx)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    queries = len(captured.captured_queries)
    n = runs if first_ms < SLOW_MS else max(5, runs // 4)
    timings = []
    for _ in range(n):
        before_each(ctx)
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    before_each(ctx)
    median, p95 = _stats(timings)
    result = dict(page, path=path, status=response.status_code, queries=queries, runs=n, median=median, p95=p95,
                  floor=None)
    if page.get("floor"):
        statements = page["floor"](ctx)
        floor_timings = []
        with connection.cursor() as cursor:
            for i in range(n + 1):
                started = time.perf_counter()
                for sql, params in statements:
                    cursor.execute(sql, params)
                    cursor.fetchall()
                if i:  # the first run warms up
                    floor_timings.append((time.perf_counter() - started) * 1000)
        result["floor"] = statistics.median(floor_timings)
    return result


def verdict(result: dict, by_name: dict) -> tuple[str, str]:
    """The target this page has, and whether it was met ("ok"/"MISSED"/"—")."""
    checks = []
    kind, median, floor = result["kind"], result["median"], result["floor"]
    if kind in INTERACTIVE:
        checks.append(("≤ 100 ms", median <= 100))
    if kind == "start":
        checks.append((f"≤ {START_MS} ms", median <= START_MS))
    ratio_max = result.get("ratio_max", 3.0 if kind in INTERACTIVE else DEFAULT_RATIO.get(kind))
    if ratio_max and floor and (floor > 10 or kind not in INTERACTIVE):
        checks.append((f"≤ {ratio_max:g}× floor", median <= ratio_max * floor))
    first = by_name.get(result.get("first", ""))
    if first:
        checks.append(("≤ 1.5× first page", median <= 1.5 * first["median"]))
    if not checks:
        return "—", "—"
    return "; ".join(c[0] for c in checks), "ok" if all(c[1] for c in checks) else "MISSED"


def table(results: list[dict]) -> list[str]:
    by_name = {r["name"]: r for r in results}
    lines = ["| page | user | runs | status | queries | median ms | p95 ms | floor ms | × floor | target | met |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        floor = f"{r['floor']:.1f}" if r["floor"] is not None else "—"
        ratio = f"{r['median'] / r['floor']:.1f}" if r["floor"] else "—"
        target, met = verdict(r, by_name)
        lines.append(f"| {r['name']} | {r.get('user') or 'anonymous'} | {r['runs']} | {r['status']} | {r['queries']} | "
                     f"{r['median']:.1f} | {r['p95']:.1f} | {floor} | {ratio} | {target} | {met} |")
    return lines


# --- throughput ----------------------------------------------------------------------------------
def _free_port(first: int = 8130, last: int = 8139) -> int:
    for port in range(first, last + 1):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 8130-8139")


def _ab(url: str, cookie: str | None, requests: int, concurrency: int) -> tuple[float, int]:
    args = ["ab", "-q", "-n", str(requests), "-c", str(concurrency)]
    if cookie:
        args += ["-C", cookie]
    out = subprocess.run(args + [url], capture_output=True, text=True, timeout=300).stdout
    rate = float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))
    non_2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    return rate, int(non_2xx.group(1)) if non_2xx else 0


def throughput(ctx: Context, workers: int, requests: int, concurrency: int) -> list[str]:
    if not shutil.which("ab"):
        return ["throughput: skipped (`ab` not installed: apt-get install apache2-utils)"]
    client = Client()
    client.force_login(ctx.user("clerk1"))
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
         "--access-logfile", "/dev/null", "--error-logfile", "-", "--log-level", "warning"],
        cwd=ROOT, env=os.environ.copy())
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        base = f"http://127.0.0.1:{port}"
        rows = []
        for label, path, cookie_for in (("login page", "/accounts/login/", None),
                                        ("household list p1 (clerk1)", "/households/", cookie)):
            _ab(base + path, cookie_for, max(20, requests // 10), concurrency)  # warm every worker up
            rate, bad = _ab(base + path, cookie_for, requests, concurrency)
            rows.append((label, rate, bad))
    finally:
        server.terminate()
        server.wait(timeout=30)
    login, listing = rows[0][1], rows[1][1]
    lines = [f"gunicorn, {workers} sync workers, `ab -n {requests} -c {concurrency}` on loopback:", "",
             "| page | requests/s | non-2xx |", "|---|---|---|"]
    lines += [f"| {label} | {rate:.1f} | {bad} |" for label, rate, bad in rows]
    share = listing / login if login else 0
    lines += ["", f"household list / login page: **{share:.0%}** (target ≥ 40%: {'ok' if share >= 0.4 else 'MISSED'})"]
    return lines


def write_results(path: Path, lines: list[str]) -> None:
    block = "\n".join([BEGIN, *lines, END])
    text = path.read_text() if path.exists() else "# Benchmark results\n\n"
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n## Latest run\n\n" + block + "\n"
    path.write_text(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", help="only pages whose name contains this")
    parser.add_argument("--no-throughput", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.md"))
    parser.add_argument("--export-runs", type=int, default=3, help="runs of each export job (0: none)")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    ctx = Context()
    counts = ctx.value("SELECT json_build_object('households', (SELECT count(*) FROM households_household), "
                       "'people', (SELECT count(*) FROM households_person), "
                       "'couples', (SELECT count(*) FROM households_couple), "
                       "'in register', (SELECT count(*) FROM households_couple WHERE in_register AND NOT is_void), "
                       "'visits', (SELECT count(*) FROM households_followupvisit), "
                       "'audit rows', (SELECT count(*) FROM accounts_auditevent))")
    header = [f"Run {time.strftime('%Y-%m-%d %H:%M')}, database `{connection.settings_dict['NAME']}` "
              f"(PostgreSQL {connection.pg_version // 10000}), {os.cpu_count()} cores, load average "
              f"{os.getloadavg()[0]:.2f} at start; " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + ".", ""]
    print("\n".join(header))
    results = []
    for page in collect_pages():
        if args.only and args.only not in page["name"]:
            continue
        result = time_page(page, ctx, args.runs)
        results.append(result)
        floor = f"{result['floor']:.1f}" if result["floor"] is not None else "—"
        print(f"{page['name']:45} {result['status']} q={result['queries']:<3} median {result['median']:8.1f} ms "
              f"p95 {result['p95']:8.1f} floor {floor}", flush=True)
    lines = header + table(results)
    if args.export_runs:
        from export_jobs import run as run_exports

        lines += [""] + run_exports(args.export_runs, only=args.only)
    if not args.no_throughput:
        lines += [""] + throughput(ctx, args.workers, args.requests, args.concurrency)
    lines += ["", f"Load average at the end: {os.getloadavg()[0]:.2f}."]
    print("\n" + "\n".join(lines))
    write_results(Path(args.output), lines)


if __name__ == "__main__":
    main()
