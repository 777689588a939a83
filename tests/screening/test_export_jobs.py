"""The screening lists' exports go through core.exports: a large one is a background job whose
file holds every row (no cap), the queue's status sentence worked out a chunk at a time; the
clerk's file is their township's and status only."""
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from core import exports
from core.models import ExportJob
from households.models import Couple

from ..factories import RegisterCoupleFactory
from .helpers import assessed

pytestmark = pytest.mark.django_db
HB = "96"


def sheet_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None)


def run_job(client, url, params, capture):
    with capture(execute=True):
        response = client.get(url, params)
    job = ExportJob.objects.order_by("-pk").first()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    download = client.get(reverse("core:export_download", args=[job.pk]))
    return job, sheet_text(b"".join(download.streaming_content))


@pytest.fixture
def many(village_a, clerk_a, couple_a, couple_b, clinician):
    """Five screened couples of township A in the queue (one high risk), one of B."""
    for _n in range(4):
        assessed(RegisterCoupleFactory(household__village=village_a, responsible=clerk_a), clinician)
    assessed(couple_a, clinician, high=True, female__hb=HB)
    assessed(couple_b, clinician)
    return couple_a


def test_queue_export_as_a_job_is_the_clerks_township_status_only(
        client_for, clerk_a, many, couple_b, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.EXPORTS_DIRECT_MAX_ROWS = 0
    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)
    client = client_for(clerk_a)
    expected = client.get(reverse("screening:queue")).context["page"].paginator.count
    job, text = run_job(client, reverse("screening:queue_export"), {}, django_capture_on_commit_callbacks)
    assert job.status == "done" and job.kind == "screening.queue" and job.row_count == expected == 5
    assert "高风险 · 待早孕随访" in text and "不含检查结果" in text
    # The value as a number of its own (names and phones of the factories carry digits like 196).
    assert not re.search(rf"(?<![\d.]){HB}(?![\d.])", text) and "血红蛋白" not in text
    assert many.wife.id_number not in text
    assert couple_b.wife.name not in text  # another township's couple
    assert AuditEvent.objects.filter(user=clerk_a, action="export", object_type="screening.queue",
                                     detail__contains=f"(job #{job.pk})").exists()


def test_screenings_export_as_a_job_has_every_screening_and_the_findings(
        client_for, clinician, couple_a, couple_b, settings, monkeypatch, django_capture_on_commit_callbacks):
    assessed(couple_a, clinician, high=True, female__hb=HB)
    assessed(couple_b, clinician)
    settings.EXPORTS_DIRECT_MAX_ROWS = 0
    monkeypatch.setattr(exports, "CHUNK_ROWS", 1)  # each screening its own chunk, results prefetched per chunk
    job, text = run_job(client_for(clinician), reverse("screening:screening_export"), {},
                        django_capture_on_commit_callbacks)
    assert (job.status, job.row_count) == ("done", 2)
    assert HB in text and couple_a.wife.masked_id_number in text and couple_a.wife.id_number not in text
    assert couple_b.wife.name in text and "全县" in job.file_name


def test_screening_export_refuses_a_wrong_filter_with_nothing_exported(client_for, clinician, couple_a):
    assessed(couple_a, clinician)
    response = client_for(clinician).get(reverse("screening:screening_export"), {"date_from": "2025-13-45"})
    assert response.status_code == 400 and "筛选条件有误" in response.content.decode()
    assert not AuditEvent.objects.filter(action="export").exists() and not ExportJob.objects.exists()


def test_rate_list_export_as_a_job(client_for, leader, couple_a, township_a, clinician, settings,
                                   django_capture_on_commit_callbacks):
    assessed(couple_a, clinician)
    Couple.objects.filter(pk=couple_a.pk).update(planned_timing="1")
    settings.EXPORTS_DIRECT_MAX_ROWS = 0
    params = {"township": township_a.pk, "start": "2020-01-01", "end": "2029-01-01", "format": "xlsx"}
    job, text = run_job(client_for(leader), reverse("screening:rate_list_screened"), params,
                        django_capture_on_commit_callbacks)
    assert job.status == "done" and job.row_count >= 1 and job.kind == "screening.rate.screened"
    assert couple_a.wife.masked_id_number in text and couple_a.wife.id_number not in text
    assert AuditEvent.objects.filter(user=leader, action="export", object_type="screening.rate.screened").exists()


def test_clerk_cannot_export_a_rate_list(client_for, clerk_a, township_a):
    url = reverse("screening:rate_list_coverage")
    params = {"township": township_a.pk, "start": "2025-01-01", "end": "2025-07-01", "format": "xlsx"}
    assert client_for(clerk_a).get(url, params).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()
