"""Time one week's weekly-report build against its SQL floor (issue #10; see bench/README.md).

The build (``weekly_report_build``, what the Celery worker runs) is compared with hand-written SQL
computing the same households, assessment and screening aggregates for the same two weeks, per
township — the floor a build cannot beat (``bench.assessment.pages.indicators_floor``: one
statement for the register and assessment, screening's own rates floor for each week; the
scorecard's floor too). The first floor written here (a window over each couple's whole visit
history, ``WINDOW_FLOOR_SQL``) is timed as well, for comparison with the figures recorded before. Indicators of apps without a hand-written counterpart
here (screening, enforcement, as they land) are timed in the build but not in the floor: the
script prints which. Peak memory is the process's maximum RSS during the build (the worker's cost).

Usage: DATABASE_URL=postgres://.../township_bench python bench/bench_weekly.py [--week YYYY-MM-DD] [--repeat 5]
`make bench` runs it after the page benchmarks; at full-county scale the targets are
build ≤ 2 × floor, ≤ 10 s, peak RSS ≤ 300 MB.
"""
import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.assessment.pages import floor_params, indicators_floor  # noqa: E402
from assessment.services.weekly import weekly_report_build  # noqa: E402
from assessment.services.weekly_figures import compute_week  # noqa: E402
from assessment.weeks import WEEK, last_complete_week  # noqa: E402
from core.indicators import all_indicators  # noqa: E402

# The first floor: the same figures, "previous visit" as a window over each couple's whole history
# of active visits (slower than INDICATORS_FLOOR at full-county scale: 2.4 s against ~0.3 s).
WINDOW_FLOOR_SQL = """
WITH v AS (
  SELECT township_id, visit_date, pregnancy_status,
         LAG(next_due) OVER w AS due, LAG(pregnancy_status) OVER w AS before
  FROM households_followupvisit
  WHERE NOT is_void AND visit_date < %(e)s AND couple_id IN (
    SELECT couple_id FROM households_followupvisit WHERE NOT is_void AND visit_date >= %(ps)s AND visit_date < %(e)s)
  WINDOW w AS (PARTITION BY couple_id ORDER BY visit_date, id)
), weeks(k, s, e) AS (VALUES (0, %(s)s::date, %(e)s::date), (1, %(ps)s::date, %(s)s::date)),
visits AS (
  SELECT weeks.k, v.township_id, COUNT(*) AS visits,
         COUNT(*) FILTER (WHERE due IS NOT NULL) AS with_due,
         COUNT(*) FILTER (WHERE visit_date <= due) AS on_time,
         COUNT(*) FILTER (WHERE pregnancy_status = 'pregnant' AND (before IS NULL OR before <> 'pregnant')) AS found
  FROM v JOIN weeks ON v.visit_date >= weeks.s AND v.visit_date < weeks.e GROUP BY 1, 2
), couples AS (
  SELECT weeks.k, c.township_id,
         COUNT(*) FILTER (WHERE (c.created_at AT TIME ZONE 'Asia/Shanghai')::date >= weeks.s
                          AND (c.created_at AT TIME ZONE 'Asia/Shanghai')::date < weeks.e) AS added,
         COUNT(*) FILTER (WHERE c.in_register AND c.next_visit_due >= weeks.s AND c.next_visit_due < weeks.e) AS due,
         COUNT(*) FILTER (WHERE c.in_register AND c.next_visit_due < LEAST(weeks.e - 1, CURRENT_DATE)) AS overdue,
         COUNT(*) FILTER (WHERE c.in_register AND c.next_visit_due < LEAST(weeks.e - 1, CURRENT_DATE) - 14) AS long
  FROM households_couple c CROSS JOIN weeks WHERE NOT c.is_void GROUP BY 1, 2
), outreach AS (
  SELECT weeks.k, o.township_id, COUNT(*) AS n FROM households_outreachvisit o
  JOIN weeks ON o.visit_date >= weeks.s AND o.visit_date < weeks.e GROUP BY 1, 2
), checks AS (
  SELECT weeks.k, r.township_id, COUNT(*) AS n, SUM(score) * 100 / SUM(maximum) AS rate
  FROM assessment_regularcheck r JOIN weeks ON r.check_date >= weeks.s AND r.check_date < weeks.e
  WHERE NOT r.is_void GROUP BY 1, 2
)
SELECT t.id, weeks.k, vi.visits, vi.on_time, vi.found, co.added, co.due, co.overdue, co.long, ou.n, ch.n, ch.rate
FROM accounts_township t CROSS JOIN weeks
LEFT JOIN visits vi ON vi.township_id = t.id AND vi.k = weeks.k
LEFT JOIN couples co ON co.township_id = t.id AND co.k = weeks.k
LEFT JOIN outreach ou ON ou.township_id = t.id AND ou.k = weeks.k
LEFT JOIN checks ch ON ch.township_id = t.id AND ch.k = weeks.k
WHERE t.is_active
"""
FLOOR_COVERS = ("households.", "assessment.", "screening.")


def floor_once(week):
    with connection.cursor() as cursor:
        for sql, params in indicators_floor(floor_params(week, week + WEEK, week - WEEK)):
            cursor.execute(sql, params)
            cursor.fetchall()


def window_floor_once(week):
    with connection.cursor() as cursor:
        cursor.execute(WINDOW_FLOOR_SQL, {"s": week, "e": week + WEEK, "ps": week - WEEK})
        return cursor.fetchall()


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--week", type=lambda s: __import__("datetime").date.fromisoformat(s), default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    week = args.week or last_complete_week()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; week {week}")
    uncovered = [i.key for i in all_indicators() if i.weekly and not i.key.startswith(FLOOR_COVERS)]
    if uncovered:
        print(f"in the build but not in the floor statement: {', '.join(uncovered)}")
    floor_once(week)  # warm the cache for both
    weekly_report_build(week_start=week)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with CaptureQueriesContext(connection) as queries:
        weekly_report_build(week_start=week)
    build_ms, build_max = timed(lambda: weekly_report_build(week_start=week), args.repeat)
    compute_ms, compute_max = timed(lambda: compute_week(week), args.repeat)
    floor_ms, floor_max = timed(lambda: floor_once(week), args.repeat)
    window_ms, window_max = timed(lambda: window_floor_once(week), args.repeat)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'what':36} {'queries':>7} {'median ms':>10} {'max ms':>8}")
    print(f"{'weekly_report_build':36} {len(queries.captured_queries):>7} {build_ms:>10.1f} {build_max:>8.1f}")
    print(f"{'  of which the figures (compute_week)':36} {'':>7} {compute_ms:>10.1f} {compute_max:>8.1f}")
    print(f"{'floor: hand-written statements':36} {5:>7} {floor_ms:>10.1f} {floor_max:>8.1f}")
    print(f"{'  (first floor: window over history)':36} {1:>7} {window_ms:>10.1f} {window_max:>8.1f}")
    print(f"ratio build / floor: {build_ms / floor_ms:.2f} (target ≤ 2); peak RSS {peak_mb:.0f} MB "
          f"(before the timed builds {rss_before / 1024:.0f} MB; target ≤ 300 MB)")


if __name__ == "__main__":
    main()
