"""Query the loaded county for broken rules: every ``bench/<app>/data.py``'s ``CHECKS`` (see bench/README.md).

Usage: DATABASE_URL=postgres://.../township_bench python bench/check_data.py
Prints one line per rule with the number of rows that break it; exits 1 if any is not 0.
"""
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from bench.fullscale import run_checks  # noqa: E402


def main() -> int:
    started = time.monotonic()
    results = run_checks()
    for module, rule, count in results:
        print(f"{'ok  ' if count == 0 else 'FAIL'} {count:>8}  {module.split('.')[0]}: {rule}")
    failed = [r for r in results if r[2]]
    print(f"{len(results)} rules checked in {time.monotonic() - started:.1f}s, {len(failed)} broken")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
