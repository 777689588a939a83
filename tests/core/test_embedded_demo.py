"""`make run` on a fresh machine, without DATABASE_URL/REDIS_URL (README's first command): SQLite
and in-process tasks. The suite runs on PostgreSQL, so this is the one place that proves the
demo's data loads and every page of every role answers on the embedded database too (an
aggregation written with PostgreSQL-only SQL once broke `make run` with everything else green).
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_run_demo_loads_and_every_role_s_pages_answer_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_DEBUG"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    result = subprocess.run([sys.executable, str(ROOT / "tests/support/embedded_demo.py")], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    pages = int(result.stdout.strip().splitlines()[-1].split()[-1])
    # Every role got past its home page (a crawl stuck at a login or set-up page reaches a handful).
    per_role = dict(line.split(": ") for line in result.stdout.splitlines() if line.endswith(" pages"))
    assert all(int(n.split()[0]) >= 5 for n in per_role.values()), per_role
    assert pages >= 200, result.stdout
