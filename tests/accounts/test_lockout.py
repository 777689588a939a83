"""The login lockout holds: counted before the password check, per username+address, per username
and per address, with the time to come back, every lock audited and failures aggregated."""
import http.client
import re
import threading
import time
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import caches
from django.test import Client

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
    return "登录失败次数过多" in response.content.decode()


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
    refused = sum(1 for status, html in results if status == 200 and "登录失败次数过多" in html)
    assert refused >= 31 - settings.LOGIN_FAILURE_LIMIT - 1


def test_right_password_sent_once_the_limit_is_reached_does_not_get_in(racer, settings):
    user, checks, url = racer
    browsers = [Browser(url) for _ in range(31)]
    key = lockout._keys(user.username, "127.0.0.1")[0]
    redis = caches["default"]._cache.get_client(write=True)

    def right_one_after_limit():
        deadline = time.monotonic() + 60
        while int(redis.hget(key, "n") or 0) < settings.LOGIN_FAILURE_LIMIT:
            assert time.monotonic() < deadline
            time.sleep(0.001)
        return browsers[30].post_login(user.username, TEST_PASSWORD)

    jobs = [lambda b=b: b.post_login(user.username, WRONG) for b in browsers[:30]]
    results = _run_parallel([*jobs, right_one_after_limit])

    status, html = results[30]
    assert status == 200 and "登录失败次数过多" in html
    assert checks["ok"] == 0
    assert checks["failed"] <= settings.LOGIN_FAILURE_LIMIT
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED, username=user.username).count() == 1


# --- who is held back, and for how long (issue #22 finding 7) ---------------------------------------
def wait_shown(response) -> str:
    found = re.search(r"请于 (\d\d:\d\d:\d\d) 后再试（约 (\d+ (?:秒|分钟))）", response.content.decode())
    return found and found.group(2)


def test_past_the_limit_each_try_waits_a_delay_that_doubles_not_a_lock(client, clerk_a, password, settings):
    settings.LOGIN_THROTTLE_BASE_SECONDS = 0.3
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert not locked(login(client, "clerk_a", WRONG, OFFICE))
    assert wait_shown(login(client, "clerk_a", WRONG, OFFICE)) == "1 秒"  # the 5th: wait 0.3 s
    assert locked(login(client, "clerk_a", password, OFFICE))  # within the delay: not even checked
    time.sleep(0.35)
    assert locked(login(client, "clerk_a", WRONG, OFFICE))  # the 6th is checked; the next waits 0.6 s
    time.sleep(0.35)
    assert locked(login(client, "clerk_a", password, OFFICE))
    time.sleep(0.3)
    response = login(client, "clerk_a", password, OFFICE)  # after the delay the owner gets in
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(clerk_a.pk)


def test_the_wait_is_said_in_the_users_time_with_the_default_delays(client, clerk_a, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        response = login(client, "clerk_a", WRONG, OFFICE)
    assert wait_shown(response) == f"{int(settings.LOGIN_THROTTLE_BASE_SECONDS)} 秒"
    assert "每多失败一次，等待时间加倍" in response.content.decode()


def test_one_clerks_typos_do_not_hold_back_the_rest_of_the_office(client, clerk_a, password, settings):
    colleague = UserFactory(username="clerk_a2", role=Role.CLERK, township=clerk_a.township)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        login(client, "clerk_a", WRONG, OFFICE)
    assert locked(login(client, "clerk_a", password, OFFICE))

    response = login(client, colleague.username, password, OFFICE)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(colleague.pk)


def test_an_outsider_does_not_hold_back_a_clerk_at_their_office(client, clerk_a, password, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT + 10):
        login(client, "clerk_a", WRONG, OUTSIDER)
    assert locked(login(client, "clerk_a", password, OUTSIDER))  # the outsider is held back ...

    assert login(client, "clerk_a", password, OFFICE).status_code == 302  # ... the clerk is not


def test_many_addresses_guessing_cannot_keep_the_owner_out_of_a_known_device(client, clerk_a, password, settings):
    """4 addresses × 5 wrong passwords held a named account everywhere; from the browser the owner
    logged in from before (the device cookie), the owner still gets in at once."""
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 20
    assert login(client, "clerk_a", password, OFFICE).status_code == 302  # the owner's PC, once
    assert client.cookies.get("tr_device")
    client.post("/accounts/logout/")
    attacker = Client()
    for n in range(4 * 6):
        attacker.post(LOGIN_URL, {"username": "clerk_a", "password": WRONG}, REMOTE_ADDR=f"198.51.100.{n // 6}")
    assert locked(login(attacker, "clerk_a", password, "198.51.100.99"))  # a new browser waits

    response = login(client, "clerk_a", password, OFFICE)  # the owner's own browser does not

    assert response.status_code == 302 and client.session[SESSION_KEY] == str(clerk_a.pk)


def test_a_stolen_device_cookie_buys_no_more_guesses(client, clerk_a, password, settings):
    assert login(client, "clerk_a", password, OFFICE).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        login(client, "clerk_a", WRONG, OUTSIDER)  # with the cookie: counted on the device alone
    # The device used its failures up: now the ordinary counters apply too.
    responses = [login(client, "clerk_a", WRONG, OUTSIDER) for _ in range(settings.LOGIN_FAILURE_LIMIT + 2)]
    assert locked(responses[-1])


def test_a_cookie_of_another_account_or_forged_counts_for_nothing(client, clerk_a, clerk_b, password, settings):
    assert login(client, "clerk_b", password, OFFICE).status_code == 302  # a device of clerk_b
    client.post("/accounts/logout/")
    client.cookies["tr_device"] = client.cookies["tr_device"].value  # kept
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        login(client, "clerk_a", WRONG, OUTSIDER)
    assert locked(login(client, "clerk_a", password, OUTSIDER))
    client.cookies["tr_device"] = "forged:value"
    assert locked(login(client, "clerk_a", password, OUTSIDER))


def test_password_sprayer_is_held_back_by_address_across_usernames(client, clerk_a, password, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 8
    for n in range(8):  # one try per made-up username: no username reaches its own limit
        login(client, f"guess{n}", WRONG, OUTSIDER)

    assert locked(login(client, "clerk_a", password, OUTSIDER))
    assert login(client, "clerk_a", password, OFFICE).status_code == 302
    row = AuditEvent.objects.get(action=AuditEvent.Action.LOCKED)
    assert row.ip == OUTSIDER and row.detail.startswith("throttled ip: next try after ")


def test_every_failed_login_is_in_the_trail_at_once_and_survives_a_redis_restart(client, clerk_a, settings):
    """#23 finding 3: failures counted in Redis until beat's flush were lost with a restart."""
    for _ in range(3):
        login(client, "clerk_a", WRONG, OUTSIDER)
    caches["default"].clear()  # what a Redis restart without persistence leaves
    rows = AuditEvent.objects.filter(username="clerk_a", action=AuditEvent.Action.LOGIN_FAILED)
    assert rows.count() == 3 and all(r.ip == OUTSIDER and not r.success for r in rows)


def test_refusals_while_throttled_are_summed_not_one_row_each(client, clerk_a, settings):
    settings.LOGIN_THROTTLE_BASE_SECONDS = 120  # no delay runs out during the test
    for _ in range(100):  # a script hammering one account
        login(client, "clerk_a", WRONG, OUTSIDER)

    limit = settings.LOGIN_FAILURE_LIMIT
    rows = AuditEvent.objects.filter(username="clerk_a")
    assert rows.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == limit  # each check, at once
    assert rows.filter(action=AuditEvent.Action.LOCKED).count() == 1
    assert flush_login_failures.delay().get() == 1
    summary = rows.order_by("id").last()
    assert summary.detail == f"aggregated: refused_while_throttled={100 - limit}"
    assert (summary.ip, summary.success, summary.user) == (OUTSIDER, False, None)
    assert flush_login_failures.delay().get() == 0  # nothing counted twice


def test_the_throttle_start_is_audited_once_with_its_scope(client, clerk_a, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT + 3):
        login(client, "clerk_a", WRONG, OUTSIDER)

    row = AuditEvent.objects.get(action=AuditEvent.Action.LOCKED)
    assert re.fullmatch(r"throttled pair: next try after \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, delays doubling "
                        r"\(failures: pair=5\)", row.detail)
    assert (row.username, row.ip, row.success) == ("clerk_a", OUTSIDER, False)


def test_a_hung_redis_costs_one_timeout_not_one_per_use(client, clerk_a, password, settings):
    """#23 finding 4: the throttle used Redis outside the cache's cooldown (2 × 2 s per login)."""
    import socket

    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(64)  # accepts connections, never answers: a Redis that hangs
    port = hung.getsockname()[1]
    settings.CACHES = {"default": {
        "BACKEND": "core.cache.ResilientRedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    try:
        started = time.monotonic()
        assert login(client, "clerk_a", WRONG, OFFICE).status_code == 200
        response = login(client, "clerk_a", password, OFFICE)
        elapsed = time.monotonic() - started
    finally:
        hung.close()
    assert response.status_code == 302  # fails open
    assert elapsed < 1.0, elapsed  # one 0.5 s timeout, then the cooldown for every other use
    assert AuditEvent.objects.filter(username="clerk_a", action=AuditEvent.Action.LOGIN_FAILED).count() == 1


# --- the proxy in front of the app ----------------------------------------------------------
def test_deploy_check_warns_when_a_proxy_is_configured_but_not_trusted(settings):
    from accounts.checks import check_trusted_proxies

    settings.TRUSTED_PROXY_COUNT = 0
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert [w.id for w in check_trusted_proxies(None)] == ["accounts.W001"]
    settings.TRUSTED_PROXY_COUNT = 1
    assert check_trusted_proxies(None) == []


def test_deploy_check_warns_when_requests_came_through_an_untrusted_proxy(client, clerk_a, settings):
    from accounts import checks

    settings.TRUSTED_PROXY_COUNT = 0
    settings.SECURE_PROXY_SSL_HEADER = None
    checks._noted_at = 0.0
    assert checks.check_trusted_proxies(None) == []
    client.post(LOGIN_URL, {"username": "clerk_a", "password": WRONG}, REMOTE_ADDR="10.0.0.2",
                HTTP_X_FORWARDED_FOR="203.0.113.7")
    [warning] = checks.check_trusted_proxies(None)
    assert warning.id == "accounts.W002" and "10.0.0.2" in warning.msg
