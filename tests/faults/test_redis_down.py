"""With Redis stopped, clerks still log in and save visits (issue #8, faults).

A private redis-server on this suite's port is the cache and broker, then it is stopped (or the
port was never open): sessions, the cache, the login lockout and Celery publishing must degrade,
never answer 500. The shared Redis on 6379 is never touched.
"""
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tasks import ping
from config.celery import app
from core.cache import ResilientRedisCache
from core.tasks import publish
from households.models import FollowUpVisit
from tests.factories import RegisterCoupleFactory
from tests.support.services import PrivateRedis

pytestmark = pytest.mark.faults
CLOSED_PORT = 8159  # nothing of ours listens there


@pytest.fixture(params=["stopped", "closed port"])
def dead_redis(request, settings):
    """Yields a Redis URL that is down by the time the test acts; the app is pointed at it."""
    redis = None
    if request.param == "stopped":
        redis = PrivateRedis(8150).start()
        url = redis.url
    else:
        url = f"redis://127.0.0.1:{CLOSED_PORT}/0"
    settings.CACHES = {"default": {
        "BACKEND": "core.cache.ResilientRedisCache", "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }}
    settings.CELERY_BROKER_URL = url
    yield {"url": url, "redis": redis}
    if redis is not None:
        redis.stop()
    ResilientRedisCache._down_until.clear()


@pytest.fixture(params=["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"])
def session_engine(request, settings):
    settings.SESSION_ENGINE = request.param
    return request.param


def stop(dead_redis):
    if dead_redis["redis"] is not None:
        dead_redis["redis"].stop()


def test_clerk_logs_in_and_saves_a_visit_while_redis_is_down(client, clerk_a, village_a, password, dead_redis,
                                                              session_engine):
    couple = RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)
    # Logged in while Redis still ran (a cached_db session is then in Redis too) …
    assert client.post("/accounts/login/", {"username": "clerk_a", "password": password}).status_code == 302
    stop(dead_redis)

    # … and goes on working after it stopped.
    url = reverse("households:visit_create", args=[couple.pk])
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    response = client.post(url, {"visit_date": today.isoformat(), "pregnancy_status": "not_pregnant",
                                 "services": ["health_education"], "notes": "Redis 停了也能保存",
                                 "next_due": "", "next_due_default": ""})
    assert response.status_code == 302
    assert FollowUpVisit.objects.get(couple=couple).notes == "Redis 停了也能保存"
    assert client.get(reverse("households:due_mine")).status_code == 200


def test_login_and_lockout_degrade_while_redis_is_down(client, clerk_a, password, dead_redis, session_engine):
    stop(dead_redis)

    wrong = client.post("/accounts/login/", {"username": "clerk_a", "password": "wrong-password"})
    assert wrong.status_code == 200 and "用户名或密码不正确" in wrong.content.decode()
    right = client.post("/accounts/login/", {"username": "clerk_a", "password": password})
    assert right.status_code == 302
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_healthz_reports_the_broker_down_and_still_answers(client, db, dead_redis, settings):
    stop(dead_redis)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["broker"]["status"] == "down"


def test_publishing_a_task_gives_up_quickly_instead_of_failing_the_request(dead_redis):
    stop(dead_redis)
    saved = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, dead_redis["url"]
    app._pool = None
    app.amqp._producer_pool = None
    try:
        started = time.monotonic()
        assert publish(ping) is False
        assert time.monotonic() - started < 10
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
        app._pool = None
        app.amqp._producer_pool = None
