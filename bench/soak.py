"""Soak: every role's workload at a fixed rate against the deployed stack (run by bench/soak.sh).

Clerks open their due list, the household and visit lists, search, a couple's page, and record
visits; leaders the statistics, home, ranking, scorecard and the weekly report; inspectors cases,
tips, facilities and figures; a clinician the pathway queue and screenings; bureau staff their
outreach households; the auditor the audit trail. /healthz/ is probed as a load balancer would.
Every user sends one request every two seconds (``constant_throughput``).

Pass criteria, checked when the run ends and written to bench/soak-result.md: zero 5xx, p95 of the
last minute ≤ 1.2 × p95 of the first, gunicorn workers' memory (RSS, sampled every 10 s) grows
< 10 % from the end of the first minute to the end of the run, every visit save answered with a
redirect is a row in PostgreSQL (saves = new visits), and the worker was reported alive throughout.
"""
import os
import random
import re
import statistics
import subprocess
import time
from pathlib import Path

import gevent
from locust import HttpUser, between, constant_throughput, events, task  # noqa: F401

PASSWORD = os.environ.get("SOAK_PASSWORD", "Demo@2026")
RESULT = Path(os.environ.get("SOAK_RESULT", Path(__file__).with_name("soak-result.md")))
GUNICORN_PID = int(os.environ.get("SOAK_GUNICORN_PID", "0"))
COUPLES = [int(c) for c in os.environ.get("SOAK_COUPLES", "").split(",") if c]
CLERKS = os.environ.get("SOAK_CLERKS", "clerk1").split(",")
SOAK_DB = os.environ.get("SOAK_DB", "")
VISITS_BEFORE = int(os.environ.get("SOAK_VISITS_BEFORE", "0"))
saved_visits = 0  # visit saves answered with a redirect
health: list[tuple[float, str]] = []  # (time, worker status) from /healthz/

samples: list[tuple[float, float, int, str]] = []  # (time, ms, status, name)
memory: list[tuple[float, int]] = []  # (time, total RSS kB of the workers)
started = time.monotonic()


@events.request.add_listener
def record(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    status = getattr(response, "status_code", 0) if exception is None or response is not None else 0
    samples.append((time.monotonic() - started, response_time, status, name))


def workers_rss_kb() -> int:
    children = Path(f"/proc/{GUNICORN_PID}/task/{GUNICORN_PID}/children").read_text().split()
    total = 0
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        total += int(re.search(r"VmRSS:\s+(\d+) kB", status)[1])
    return total


def sample_memory():
    while True:
        try:
            memory.append((time.monotonic() - started, workers_rss_kb()))
        except (OSError, TypeError):
            pass
        gevent.sleep(10)


@events.test_start.add_listener
def on_start(environment, **kwargs):
    global started
    started = time.monotonic()
    if GUNICORN_PID:
        gevent.spawn(sample_memory)


class LoggedIn(HttpUser):
    abstract = True
    wait_time = constant_throughput(0.5)
    username = "clerk1"

    def on_start(self):
        self.client.get("/accounts/login/", name="login page")
        token = self.client.cookies.get("csrftoken", "")
        self.client.post("/accounts/login/", {"username": self.username, "password": PASSWORD,
                                              "csrfmiddlewaretoken": token}, name="login")

    def post(self, path, data, name):
        data["csrfmiddlewaretoken"] = self.client.cookies.get("csrftoken", "")
        return self.client.post(path, data, name=name, allow_redirects=False)


class Clerk(LoggedIn):
    weight = 6

    def on_start(self):
        self.username = random.choice(CLERKS)
        super().on_start()

    @task(3)
    def due_list(self):
        self.client.get("/households/due/", name="due list")

    @task(2)
    def households(self):
        self.client.get(f"/households/?page={random.randint(1, 3)}", name="household list")

    @task(1)
    def search(self):
        self.client.get("/households/?q=" + random.choice(["王", "李", "张", "138"]), name="household search")

    @task(2)
    def visits(self):
        self.client.get("/households/visits/", name="visit list")

    @task(2)
    def couple(self):
        if COUPLES:
            self.client.get(f"/households/couples/{random.choice(COUPLES)}/", name="couple page")

    @task(2)
    def record_visit(self):
        if not COUPLES:
            return
        couple = random.choice(COUPLES)
        self.client.get(f"/households/couples/{couple}/visits/new/", name="visit form")
        response = self.post(f"/households/couples/{couple}/visits/new/", {
            "visit_date": time.strftime("%Y-%m-%d"), "pregnancy_status": "not_pregnant",
            "services": "health_education", "notes": "soak", "next_due": "", "next_due_default": ""},
            name="save visit")
        if response.status_code == 302:
            global saved_visits
            saved_visits += 1


class Leader(LoggedIn):
    weight = 2
    username = "leader"

    @task(2)
    def stats(self):
        self.client.get("/households/stats/", name="statistics")

    @task(1)
    def home(self):
        self.client.get("/", name="home")

    @task(1)
    def ranking(self):
        self.client.get("/assessment/", name="ranking")

    @task(1)
    def scorecard(self):
        self.client.get("/assessment/scorecard/", name="scorecard")

    @task(1)
    def weekly(self):
        self.client.get("/assessment/weekly/latest/", name="weekly report")


class Inspector(LoggedIn):
    weight = 2
    username = "inspector"

    @task(2)
    def cases(self):
        self.client.get("/enforcement/", name="case list")

    @task(1)
    def tips(self):
        self.client.get("/enforcement/tips/", name="tip list")

    @task(1)
    def facilities(self):
        self.client.get("/enforcement/facilities/", name="facility list")

    @task(1)
    def figures(self):
        self.client.get("/enforcement/figures/", name="two-non figures")


class Clinician(LoggedIn):
    weight = 1
    username = "clinic"

    @task(2)
    def queue(self):
        self.client.get("/screening/", name="pathway queue")

    @task(1)
    def screenings(self):
        self.client.get("/screening/screenings/", name="screening list")


class Bureau(LoggedIn):
    weight = 1
    username = "bureau"

    @task
    def outreach(self):
        self.client.get("/households/outreach/", name="outreach households")


class Auditor(LoggedIn):
    weight = 1
    username = "auditor"

    @task
    def audit(self):
        self.client.get("/accounts/audit/", name="audit trail")


class Probe(HttpUser):
    """The load balancer's health probe: no login."""
    weight = 1
    fixed_count = 1
    wait_time = constant_throughput(0.5)

    @task
    def healthz(self):
        with self.client.get("/healthz/", name="healthz", catch_response=True) as response:
            try:
                health.append((time.monotonic() - started, response.json()["worker"]["status"]))
            except ValueError:
                health.append((time.monotonic() - started, "unreadable"))


def visits_in_database() -> int | None:
    if not SOAK_DB:
        return None
    result = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "township", "-d", SOAK_DB, "-qtAc",
                             "SELECT count(*) FROM households_followupvisit"],
                            capture_output=True, text=True, check=False, timeout=30)
    return int(result.stdout.strip()) if result.returncode == 0 else None


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))] if values else 0.0


@events.quitting.add_listener
def verdict(environment, **kwargs):
    if not samples:
        return
    end = max(t for t, *_ in samples)
    # Logins (PBKDF2, once per user at the start) are not the workload being compared.
    work = [(t, ms) for t, ms, _, name in samples if not name.startswith("login")]
    first_at = min(t for t, _ in work)
    first = [ms for t, ms in work if t < first_at + 60]
    last = [ms for t, ms in work if t >= end - 60]
    errors_5xx = sum(1 for *_, status, _ in samples if status >= 500)
    failed = sum(1 for *_, status, _ in samples if status == 0 or status >= 400)
    ratio = p95(last) / p95(first) if first and p95(first) else float("inf")
    baseline = next((kb for t, kb in memory if t >= 60), memory[0][1] if memory else 0)
    final = memory[-1][1] if memory else 0
    growth = (final - baseline) / baseline if baseline else float("nan")
    in_database = visits_in_database()
    new_visits = in_database - VISITS_BEFORE if in_database is not None else None
    saves_ok = new_visits == saved_visits
    worker_down = [t for t, status in health if status != "ok"]
    ok = errors_5xx == 0 and ratio <= 1.2 and growth < 0.10 and saves_ok and health and not worker_down
    by_name = {}
    for _, ms, _, name in samples:
        by_name.setdefault(name, []).append(ms)
    lines = [
        "# Soak result (bench/soak.sh)", "",
        f"Run: {time.strftime('%Y-%m-%d %H:%M %Z')}, {end / 60:.1f} minutes, {len(samples)} requests "
        f"({len(samples) / end:.1f}/s), users: {os.environ.get('SOAK_USERS', '?')} and one health probe; "
        "gunicorn 2 sync workers as the app's database role, CONN_MAX_AGE=60, Redis (cache, sessions, broker), "
        "a Celery worker (2 processes) and beat; "
        f"machine load average at the end: {os.getloadavg()[0]:.1f} (2 cores, shared with other suites).", "",
        "| criterion | figure | target | |", "|---|---|---|---|",
        f"| 5xx responses | {errors_5xx} (other failures: {failed - errors_5xx}) | 0 | {'ok' if errors_5xx == 0 else 'FAIL'} |",
        f"| p95 first minute → last minute | {p95(first):.0f} ms → {p95(last):.0f} ms (×{ratio:.2f}) | ≤ ×1.2 | "
        f"{'ok' if ratio <= 1.2 else 'FAIL'} |",
        f"| gunicorn workers' RSS, minute 1 → end | {baseline / 1024:.1f} MB → {final / 1024:.1f} MB "
        f"({growth:+.1%}) | < +10 % | {'ok' if growth < 0.10 else 'FAIL'} |",
        f"| visit saves answered 302 → new visit rows | {saved_visits} → {new_visits} | equal | "
        f"{'ok' if saves_ok else 'FAIL'} |",
        f"| /healthz/ worker status | {len(health)} probes, {len(worker_down)} not ok | all ok | "
        f"{'ok' if health and not worker_down else 'FAIL'} |", "",
        "| request | count | median ms | p95 ms |", "|---|---|---|---|",
        *[f"| {name} | {len(ms)} | {statistics.median(ms):.0f} | {p95(ms):.0f} |" for name, ms in sorted(by_name.items())],
        "", "Memory samples (s, MB): " + ", ".join(f"{t:.0f}:{kb / 1024:.1f}" for t, kb in memory),
        "", f"Verdict: {'PASS' if ok else 'FAIL'}", "",
    ]
    RESULT.write_text("\n".join(lines))
    print("\n".join(lines))
    environment.process_exit_code = 0 if ok else 1
