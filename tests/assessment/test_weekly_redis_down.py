"""Redis (the Celery broker) down: the rebuild button says so within two seconds, the report keeps
its figures, and nothing else on the site is affected. Against a real closed port, and a private
redis-server this test starts and stops (never the shared Redis on 6379)."""
import contextlib
import shutil
import socket
import subprocess
import time

import pytest
from django.urls import reverse

from assessment.models import WeeklyReport
from assessment.services.weekly import weekly_report_build
from config.celery import app

from .weekly_world import P, W

pytestmark = pytest.mark.django_db(transaction=True)
CLOSED_PORT = 8199  # this engineer's port range; nothing listens there during the test
PRIVATE_PORT = 8198
BUILD = reverse("assessment:weekly_build")


def port_is_closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@contextlib.contextmanager
def broker(url: str):
    """Point the web process's producer at ``url`` with eager mode off, as in production."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = url, False
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved


def rebuild(client, week):
    started = time.monotonic()
    response = client.post(BUILD, {"week": week.isoformat()}, HTTP_ACCEPT="application/json")
    return response, time.monotonic() - started


@pytest.fixture
def built(week_world):
    weekly_report_build(week_start=W)
    weekly_report_build(week_start=P)
    return week_world


def test_rebuild_says_the_queue_is_down_within_two_seconds_and_the_site_carries_on(client_for, leader, built):
    assert port_is_closed(CLOSED_PORT)
    client = client_for(leader)
    before = WeeklyReport.objects.get(week_start=W)
    with broker(f"redis://127.0.0.1:{CLOSED_PORT}/0"):
        response, seconds = rebuild(client, W)
        assert seconds < 2, f"took {seconds:.2f}s"
        assert response.status_code == 503
        doc = response.json()
        assert not doc["ok"] and "Redis" in doc["message"] and "已有的通报不受影响" in doc["message"]
        report = WeeklyReport.objects.get(week_start=W)
        # Still the report it was: done, same figures, the reason kept for the page.
        assert report.status == "done" and report.figures == before.figures and "Redis" in report.error
        # Everything else answers, and quickly.
        for url in ("/", reverse("assessment:weekly_detail", args=[W]), reverse("assessment:weekly_status", args=[W]),
                    reverse("assessment:weekly_list"), reverse("assessment:ranking"), reverse("households:stats")):
            started = time.monotonic()
            assert client.get(url).status_code == 200, url
            assert time.monotonic() - started < 2, url
        # Without JavaScript: back to the report with the message.
        response = client.post(BUILD, {"week": W.isoformat()}, follow=True)
        assert "任务队列（Redis）暂时无法连接" in response.content.decode()


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs Debian's redis-server")
def test_a_private_redis_that_stops_turns_the_button_from_queued_to_refused(client_for, leader, built, tmp_path):
    assert port_is_closed(PRIVATE_PORT)
    server = subprocess.Popen(["redis-server", "--port", str(PRIVATE_PORT), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 5
        while port_is_closed(PRIVATE_PORT):
            assert time.monotonic() < deadline, "private redis-server did not start"
            time.sleep(0.05)
        client = client_for(leader)
        with broker(f"redis://127.0.0.1:{PRIVATE_PORT}/0"):
            response, seconds = rebuild(client, W)
            assert response.status_code == 202 and seconds < 2  # queued: nobody consumes it here
            assert WeeklyReport.objects.get(week_start=W).status == "queued"
            server.terminate()
            server.wait(timeout=5)
            response, seconds = rebuild(client, P)
            assert response.status_code == 503 and seconds < 2, seconds
            assert "Redis" in response.json()["message"]
            assert WeeklyReport.objects.get(week_start=P).status == "done"
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=5)
