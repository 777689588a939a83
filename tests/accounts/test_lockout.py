"""The login lockout holds: counted before the password check, per username+address, per username
and per address, with the time to come back, every lock audited and failures aggregated."""
import datetime
import http.client
import re
import threading
import time
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.utils import timezone

from accounts import lockout
from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.tasks import flush_login_failures
from tests.factories import TEST_PASSWORD, TownshipFactory, UserFactory

LOGIN_URL = "/accounts/login/"
WRONG = "not-the-password"
OFFICE = "10.1.1.1"  # one township office behind one NAT address
ELSEWHERE = "10.2.2.2"
OUTSIDER = "203.0.113.9"


def login(client, username, password, ip):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def locked(response) -> bool:
    return "已暂时锁定" in response.content.decode()


# --- really parallel: threads against the live server -------------------------------------------
class Browser:
    """One visitor with its own connection and cookies (CSRF token from the login page)."""

    def __init__(self, base_url):
        parts = urlsplit(base_url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.conn.request("GET", LOGIN_URL)
        response = self.conn.getresponse()
        html = response.read().decode()
        self.cookie = "; ".join(c.split(";")[0] for c in response.headers.get_all("Set-Cookie"))
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def post_login(self, username, password):
        body = urlencode({"csrfmiddlewaretoken": self.token, "username": username, "password": password})
        self.conn.request("POST", LOGIN_URL, body, {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": self.cookie})
        response = self.conn.getresponse()
        return response.status, response.read().decode()


@pytest.fixture
def racer(transactional_db, live_server):
    township = TownshipFactory(code="411099051", name="赛跑镇")
    user = UserFactory(username="clerk_race", role=Role.CLERK, township=township)
    checks = {"failed": 0, "ok": 0}
    guard = threading.Lock()

    def count(kind):
        def receiver(**kwargs):
            with guard:
                checks[kind] += 1
        return receiver

    # Every password check ends in one of these two signals, in the server's threads.
    failed, ok = count("failed"), count("ok")
    user_login_failed.connect(failed)
    user_logged_in.connect(ok)
    yield user, checks, live_server.url
    user_login_failed.disconnect(failed)
    user_logged_in.disconnect(ok)


def _run_parallel(jobs):
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, job):
        barrier.wait()
        results[i] = job()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_31_parallel_posts_get_at_most_limit_password_checks(racer, settings):
    user, checks, url = racer
    browsers = [Browser(url) for _ in range(31)]
    jobs = [lambda b=b: b.post_login(user.username, WRONG) for b in browsers[:30]]
    jobs.append(lambda: browsers[30].post_login(user.username, TEST_PASSWORD))

    results = _run_parallel(jobs)

    assert all(status in (200, 302) for status, _ in results)
    # Counted before checking: however the 31 interleave, at most LIMIT wrong passwords were tried
    # (checking first let all 30 through). The right one may get in only if it was counted among
    # the first LIMIT, before the lock; it then gives its slot back, which one more guess may use.
    assert checks["failed"] <= settings.LOGIN_FAILURE_LIMIT
    assert checks["ok"] <= 1
    refused = sum(1 for status, html in results if status == 200 and "已暂时锁定" in html)
    assert refused >= 31 - settings.LOGIN_FAILURE_LIMIT - 1


def test_right_password_sent_once_the_limit_is_reached_does_not_get_in(racer, settings):
    user, checks, url = racer
    browsers = [Browser(url) for _ in range(31)]
    key = lockout._keys(user.username, "127.0.0.1")[0]
    redis = lockout._redis()

    def right_one_after_limit():
        deadline = time.monotonic() + 60
        while int(redis.get(key) or 0) < settings.LOGIN_FAILURE_LIMIT:
            assert time.monotonic() < deadline
            time.sleep(0.001)
        return browsers[30].post_login(user.username, TEST_PASSWORD)

    jobs = [lambda b=b: b.post_login(user.username, WRONG) for b in browsers[:30]]
    results = _run_parallel([*jobs, right_one_after_limit])

    status, html = results[30]
    assert status == 200 and "已暂时锁定" in html
    assert checks["ok"] == 0
    assert checks["failed"] <= settings.LOGIN_FAILURE_LIMIT
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED, username=user.username).count() == 1


# --- who gets locked ---------------------------------------------------------------------------
def test_lock_message_says_when_to_try_again(client, clerk_a, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        response = login(client, "clerk_a", WRONG, OFFICE)
    until = timezone.localtime() + datetime.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)

    html = response.content.decode()

    shown = re.search(r"请于 (\d\d:\d\d) 后再试（约 (\d+) 分钟）", html)
    assert shown, html
    assert shown.group(1) in {f"{until:%H:%M}", f"{until - datetime.timedelta(minutes=1):%H:%M}"}
    assert shown.group(2) == str(settings.LOGIN_LOCKOUT_SECONDS // 60)


def test_one_clerks_typos_do_not_lock_the_rest_of_the_office(client, clerk_a, password, settings):
    colleague = UserFactory(username="clerk_a2", role=Role.CLERK, township=clerk_a.township)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        login(client, "clerk_a", WRONG, OFFICE)
    assert locked(login(client, "clerk_a", password, OFFICE))

    response = login(client, colleague.username, password, OFFICE)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(colleague.pk)


def test_outsider_cannot_lock_a_clerk_out_of_their_own_office(client, clerk_a, password, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT + 10):
        login(client, "clerk_a", WRONG, OUTSIDER)
    assert locked(login(client, "clerk_a", password, OUTSIDER))  # the outsider is stopped ...

    response = login(client, "clerk_a", password, OFFICE)  # ... the clerk at the office is not

    assert response.status_code == 302


def test_password_sprayer_is_locked_by_address_across_usernames(client, clerk_a, password, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 8
    for n in range(8):  # one try per made-up username: no username reaches its own limit
        login(client, f"guess{n}", WRONG, OUTSIDER)

    assert locked(login(client, "clerk_a", password, OUTSIDER))
    assert login(client, "clerk_a", password, OFFICE).status_code == 302
    lock = AuditEvent.objects.get(action=AuditEvent.Action.LOCKED)
    assert lock.ip == OUTSIDER and "locked ip until" in lock.detail


def test_guessing_one_username_from_many_addresses_locks_it_everywhere(client, clerk_a, password, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 8
    for n in range(8):
        login(client, "clerk_a", WRONG, f"198.51.100.{n // 4}")  # 4 tries each: under the pair limit

    assert locked(login(client, "clerk_a", password, OFFICE))
    assert "user" in AuditEvent.objects.get(action=AuditEvent.Action.LOCKED).detail


def test_successful_logins_do_not_use_up_the_offices_address_limit(client, clerk_a, password, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    for _ in range(10):  # the whole office logging in one morning
        assert login(client, "clerk_a", password, OFFICE).status_code == 302
        client.post("/accounts/logout/")


def test_failed_logins_are_aggregated_not_one_row_each(client, clerk_a, settings):
    for _ in range(100):  # a script hammering one account
        login(client, "clerk_a", WRONG, OUTSIDER)

    rows = AuditEvent.objects.filter(username="clerk_a")
    # The first failure (at once), the lock (at once); the rest wait for the minute's summary.
    assert [r.action for r in rows.order_by("id")] == [AuditEvent.Action.LOGIN_FAILED, AuditEvent.Action.LOCKED]

    assert flush_login_failures.delay().get() == 1
    summary = rows.order_by("id").last()
    limit = settings.LOGIN_FAILURE_LIMIT
    assert summary.detail == f"aggregated: failed={limit - 1} refused_while_locked={100 - limit}"
    assert (summary.ip, summary.success, summary.user) == (OUTSIDER, False, None)
    assert flush_login_failures.delay().get() == 0  # nothing counted twice


def test_each_lock_is_audited_once_with_its_scope_and_end(client, clerk_a, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT + 3):
        login(client, "clerk_a", WRONG, OUTSIDER)

    lock = AuditEvent.objects.get(action=AuditEvent.Action.LOCKED)
    assert re.fullmatch(r"locked pair until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(failures: pair=5\)", lock.detail)
    assert (lock.username, lock.ip, lock.success) == ("clerk_a", OUTSIDER, False)
