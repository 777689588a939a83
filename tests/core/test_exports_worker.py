"""An export job end to end on a real Celery worker process, a real Redis broker and the real
PostgreSQL test database: request → queued job → worker writes the file → progress JSON says done
→ the owner downloads it. No eager mode here (the rest of the suite runs tasks in-process)."""
import io
import os
import socket
import time

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from core.models import ExportJob

from ..celery_worker import run_worker
from ..factories import FollowUpVisitFactory, RegisterCoupleFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def export_worker(tmp_path):
    """A worker that sees the test database (rows committed by a transactional test)."""
    with (tmp_path / "worker.log").open("w+") as log, run_worker(
            f"tr-export-{os.getpid()}@{socket.gethostname()}", database=connection.settings_dict["NAME"], log=log):
        yield log


def test_export_job_runs_on_a_real_worker_and_the_owner_downloads_it(export_worker, client, settings, township_a,
                                                                     village_a, village_b, clerk_a):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.EXPORTS_DIRECT_MAX_ROWS = 5
    couple = RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)
    for _ in range(12):
        FollowUpVisitFactory(couple=couple, notes="=1+1 随访")
    FollowUpVisitFactory(couple=RegisterCoupleFactory(household__village=village_b), notes="乙镇")
    client.force_login(clerk_a)

    response = client.get(reverse("households:export_visits"))

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    state_url = reverse("core:export_status_json", args=[job.pk])
    deadline = time.monotonic() + 30
    while (state := client.get(state_url).json())["status"] in ("queued", "running"):
        if time.monotonic() > deadline:
            export_worker.seek(0)
            pytest.fail(f"job still {state['status']}:\n{export_worker.read()[-3000:]}")
        time.sleep(0.2)
    assert state["status"] == "done" and state["row_count"] == 12, state

    download = client.get(state["download_url"])
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    notes = [c.value for c in sheet["J"] if c.value and "随访" in str(c.value) and c.row > 4]
    assert len(notes) == 12 and all(sheet[f"J{c}"].quotePrefix for c in range(5, 17))
    export_worker.seek(0)
    assert "core.tasks.run_export_job" in export_worker.read()
