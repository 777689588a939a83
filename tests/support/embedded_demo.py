"""`make run` without DATABASE_URL/REDIS_URL: SQLite and in-process tasks (run as a subprocess by
tests/core/test_embedded_demo.py, never imported by the suite).

Migrates a fresh SQLite file, loads ``seed_demo --scale small`` as `make run` does, then signs each
demo user in and follows every same-site link from the home page (GET only, a few pages per URL
pattern). Prints one line per problem (a 5xx, or an exception) and ``pages N`` at the end; exits 1
when there is a problem. The suite itself runs on PostgreSQL, so SQL that only PostgreSQL
understands would otherwise reach a newcomer's first `make run` untested.

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 python tests/support/embedded_demo.py
"""
import os
import re
import sys
import traceback
from collections import Counter, deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"

USERS = ["clerk1", "bureau", "clinic", "inspector", "leader", "auditor", "admin"]
PER_PATTERN = 2
HREF = re.compile(r'href="(/[^"#]*)"')
# Links that change state on GET do not exist; these only download or end the session.
SKIP = re.compile(r"^/(static|media)/|/logout|/export|\.xlsx|/download|/i18n/")


def pattern(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?")[0])


def crawl(client, start: str = "/", budget: int = 150) -> tuple[int, list[str]]:
    seen, per, problems = set(), Counter(), []
    queue = deque([start])
    while queue and len(seen) < budget:
        path = queue.popleft()
        if path in seen or per[pattern(path)] >= PER_PATTERN:
            continue
        seen.add(path)
        per[pattern(path)] += 1
        try:
            response = client.get(path, follow=True)
        except Exception:  # noqa: BLE001 — the point is to report it, with its traceback
            problems.append(f"{path}: exception\n{traceback.format_exc()}")
            continue
        if response.status_code >= 500:
            problems.append(f"{path}: {response.status_code}")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for link in HREF.findall(response.content.decode()):
            link = link.replace("&amp;", "&")
            if not SKIP.search(link) and link not in seen:
                queue.append(link)
    return len(seen), problems


def main() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    assert settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), settings.DATABASES["default"]["ENGINE"]
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", "--scale", "small", verbosity=0)
    from screening.models import PathwayState
    from screening.services.pathway_state import pathway_state_mismatches

    # The screening queue's stored next steps, written by SQL that must run on SQLite too.
    states, mismatches = PathwayState.objects.count(), pathway_state_mismatches()
    print(f"pathway states {states}, mismatches {mismatches}", flush=True)
    if not states or mismatches:
        print("PROBLEM pathway states", states, mismatches)
        return 1
    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    from accounts.models import User

    total, problems = 0, []
    for username in USERS:
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        pages, found = crawl(client)
        total += pages
        problems += [f"{username} {p}" for p in found]
        print(f"{username}: {pages} pages", flush=True)
    for line in problems:
        print("PROBLEM", line)
    print(f"pages {total}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
