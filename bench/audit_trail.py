"""The auditor's page at two million audit rows: every page and filter, time and queries (bench/README.md).

Usage (a database of its own; never the suite's or another engineer's):
    DATABASE_URL=postgres://township:township@127.0.0.1:5432/township_audit_bench \\
        python bench/audit_trail.py [--rows 2000000] [--repeat 20]

Loads ``seed_demo --scale small`` if the database is empty, then tops the trail up to ``--rows``
with one INSERT … SELECT generate_series (through the hash-chain trigger, so the chain is real),
runs ``verify_audit_chain`` once (timed), and times each page through Django's test client:
median and p95 over ``--repeat`` requests after one warm-up, with the query count and the slowest
query's EXPLAIN (ANALYZE) time.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import AuditEvent, Township, User  # noqa: E402

# One statement: staff act in their township; the mix of actions is the demo's (mostly views and
# changes of households, people, couples and visits, some exports, logins and refusals).
GENERATE_SQL = """
WITH staff AS (
    SELECT array_agg(id ORDER BY id) AS ids, array_agg(username ORDER BY id) AS names,
           array_agg(township_id ORDER BY id) AS towns, count(*) AS n
    FROM accounts_user WHERE role IN ('clerk', 'bureau_staff')
)
INSERT INTO accounts_auditevent (at, user_id, username, action, object_type, object_id, township_id, ip, success,
                                 detail, prev_hash, hash)
SELECT %(start)s::timestamptz + g * interval '13 seconds',
       CASE WHEN g %% 50 = 7 THEN NULL ELSE staff.ids[1 + g %% staff.n] END,
       CASE WHEN g %% 50 = 7 THEN 'guess' || (g %% 97) ELSE staff.names[1 + g %% staff.n] END,
       (ARRAY['view','view','view','view','view','view','update','update','create','export','login','logout',
              'view','update','view','create','view','view','denied','view'])[1 + (g / 7) %% 20],
       (ARRAY['households.household','households.person','households.couple','households.followupvisit'])
           [1 + g %% 4],
       (1 + (g * 7919) %% 200000)::text,
       staff.towns[1 + g %% staff.n],
       ('10.' || (g %% 16) || '.' || (g %% 200) || '.' || (1 + g %% 250))::inet,
       g %% 50 <> 7,
       (ARRAY['', '', 'address,phone', 'visit form', '', 'void: 重复登记'])[1 + g %% 6],
       '', ''
FROM staff, generate_series(%(first)s::bigint, %(last)s::bigint) AS g
"""


def ensure_rows(target: int) -> None:
    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="auditor").exists():
        call_command("seed_demo", scale="small")
    have = AuditEvent.objects.count()
    if have >= target:
        print(f"audit rows: {have:,} (no rows added)")
        return
    started = time.monotonic()
    batch = 200_000  # one transaction per batch: the chain's advisory lock is held to each commit
    first = have
    while first < target:
        last = min(first + batch, target) - 1
        with connection.cursor() as cursor:
            cursor.execute(GENERATE_SQL, {"start": "2025-01-01T00:00:00+08:00", "first": first, "last": last})
        first = last + 1
        print(f"  … {first:,} rows ({time.monotonic() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_auditevent")
    print(f"audit rows: {AuditEvent.objects.count():,}; generated {target - have:,} in "
          f"{time.monotonic() - started:.0f} s")


def pages() -> list[tuple[str, dict]]:
    """(label, query) for every page and filter the auditor has, at the deep end too."""
    clerk = User.objects.get(username="clerk1")
    town = Township.objects.order_by("id").first()
    newest = AuditEvent.objects.order_by("-at", "-id").first()
    middle = AuditEvent.objects.order_by("-at", "-id")[AuditEvent.objects.count() // 2 : AuditEvent.objects.count() // 2 + 1].get()
    cursor = f"{middle.at.timestamp():.6f}_{middle.pk}"
    record = AuditEvent.objects.filter(object_type="households.household").values_list("object_id", flat=True).first()
    return [
        ("first page", {}),
        ("middle page (keyset cursor at 1M)", {"older": cursor}),
        ("last page", {"last": "1"}),
        ("newer than the middle", {"newer": cursor}),
        ("user clerk1", {"user": clerk.username}),
        ("user clerk1, last page", {"user": clerk.username, "last": "1"}),
        ("user typed at failed login (no account)", {"user": "guess5"}),
        ("action denied", {"action": "denied"}),
        ("action export, last page", {"action": "export", "last": "1"}),
        ("township", {"township": town.pk}),
        ("record (households.household #id)", {"object_type": "households.household", "object_id": record}),
        ("record kind only (households.couple)", {"object_type": "households.couple"}),
        ("one day", {"date_from": "2025-06-01", "date_to": "2025-06-01"}),
        ("user + action update + month", {"user": clerk.username, "action": "update", "date_from": "2025-03-01",
                                          "date_to": "2025-03-31"}),
        ("township + action denied", {"township": town.pk, "action": "denied"}),
        ("nothing matches", {"user": "nobody-at-all"}),
        ("newest row's record", {"object_type": newest.object_type, "object_id": newest.object_id}),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-verify", action="store_true")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    ensure_rows(args.rows)
    if not args.skip_verify:
        started, cpu = time.monotonic(), time.process_time()
        call_command("verify_audit_chain")
        print(f"verify_audit_chain: {time.monotonic() - started:.1f} s wall, {time.process_time() - cpu:.1f} s CPU")
    client = Client()
    client.force_login(User.objects.get(username="auditor"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('accounts_auditevent'))")
        print(f"accounts_auditevent with its indexes: {cursor.fetchone()[0]}")
    print("\n| page | queries | median ms | p95 ms | app CPU ms | slowest SQL ms |\n|---|---|---|---|---|---|")
    for label, query in pages():
        client.get("/accounts/audit/", query)  # warm-up
        times, cpu = [], []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get("/accounts/audit/", query)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200, (label, response.status_code)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"| {label} | {len(queries)} | {statistics.median(times):.1f} | {p95:.1f} | "
              f"{statistics.median(cpu):.1f} | {slowest_sql(queries):.1f} |", flush=True)


def slowest_sql(queries) -> float:
    """The slowest of the page's queries, re-run under EXPLAIN ANALYZE (server time, no network)."""
    slowest = 0.0
    for query in queries.captured_queries:
        if not query["sql"].startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE) " + query["sql"])
            plan = [row[0] for row in cursor.fetchall()]
        slowest = max(slowest, float(plan[-1].split(":")[1].split()[0]))
    return slowest


if __name__ == "__main__":
    main()
