"""Time the list pages on county-scale demo data (see bench/README.md).

Usage: DATABASE_URL=postgres://.../township_bench python bench/bench_pages.py [--repeat 20] [--only NAME]
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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from accounts.models import User  # noqa: E402

# (username, url name, query string): the pages people open all day.
PAGES = [
    ("clerk1", "households:household_list", ""),
    ("clerk1", "households:household_list", "q=王"),
    ("clerk1", "households:register_list", ""),
    ("clerk1", "households:visit_list", ""),
    ("clerk1", "households:due_mine", ""),
    ("clerk1", "households:due_township", ""),
    ("bureau", "households:outreach_households", ""),
    ("leader", "households:stats", ""),
    ("auditor", "accounts:audit", ""),
    ("clerk1", "home", ""),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"{'page':45} {'status':>6} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for username, name, query in PAGES:
        if args.only and name != args.only:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            print(f"{name:45} (no such page yet)")
            continue
        client = Client()
        client.force_login(User.objects.get(username=username))
        url = f"{url}?{query}" if query else url
        client.get(url)  # warm up: template loading, connection
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        # Read now: captured_queries is evaluated lazily and later requests reset the log.
        query_count = len(ctx.captured_queries)
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
        label = f"{name}{'?' + query if query else ''}"
        print(f"{label:45} {response.status_code:>6} {query_count:>7} "
              f"{statistics.median(timings):>10.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
