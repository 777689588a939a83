"""The Monday briefing through a real Celery worker process, real Redis and PostgreSQL: a leader's
rebuild is queued after commit, the worker (another process, its own connection) builds it, and
the page's status JSON follows it to "done"."""
import os
import socket
import time

import pytest
from django.db import connection
from django.urls import reverse

from assessment.models import WeeklyReport
from assessment.services.weekly import weekly_report_request

from ..celery_worker import run_worker
from .weekly_world import EXPECTED_COUNTY, W

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    with run_worker(f"tr-weekly-{os.getpid()}@{socket.gethostname()}",
                    database=connection.settings_dict["NAME"]) as process:
        yield process


def wait_for(week, status="done", timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        report = WeeklyReport.objects.get(week_start=week)
        if report.status == status:
            return report
        assert time.monotonic() < deadline, f"still {report.status}: {report.error}"
        time.sleep(0.2)


def test_a_worker_process_builds_the_report_a_leader_asked_for(worker, week_world, client_for, leader):
    client = client_for(leader)
    response = client.post(reverse("assessment:weekly_build"), {"week": W.isoformat()},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 202
    report = WeeklyReport.objects.get(week_start=W)
    assert report.requested_by == leader and report.task_id
    built = wait_for(W)
    # The worker claimed it under the task id chosen when it was queued (not an eager run here).
    assert built.task_id == report.task_id and built.build_count == 1 and built.sections.count() == 3
    assert built.figures["county"]["households.visits_recorded"] == EXPECTED_COUNTY["households.visits_recorded"][0]
    doc = client.get(reverse("assessment:weekly_status", args=[W])).json()
    assert doc["status"] == "done" and not doc["active"]
    # Queued again through the service (as beat does): the same row, rebuilt once more.
    assert weekly_report_request(week_start=W).outcome == "queued"
    deadline = time.monotonic() + 30
    while WeeklyReport.objects.get(week_start=W).build_count < 2:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert WeeklyReport.objects.count() == 1
