"""The enforcement lists' exports go through core.exports: a large one is a background job whose
file holds every row (no cap), read a chunk at a time with the list's prefetches, masked, with the
same columns as the direct download."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from core import exports
from core.models import ExportJob

from .test_lists import fill

pytestmark = pytest.mark.django_db


def sheet_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))


@pytest.mark.parametrize("kind, header", [("cases", "案件编号"), ("inspections", "检查人员"), ("tips", "线索编号"),
                                          ("facilities", "机构名称"), ("devices", "出厂编号")])
def test_a_large_export_is_a_job_with_every_row_across_chunks(
        client_for, leader, inspector, township_a, township_b, settings, monkeypatch, kind, header,
        django_capture_on_commit_callbacks):
    fill(5, township_a, inspector)
    fill(2, township_b, inspector)
    client = client_for(leader)
    url = reverse(f"enforcement:export_{kind}")
    direct = sheet_rows(client.get(url, {"township": township_a.pk}).content)
    settings.EXPORTS_DIRECT_MAX_ROWS = 0
    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)  # 5 rows: three chunks, each with its prefetches
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, {"township": township_a.pk})
    job = ExportJob.objects.get(owner=leader)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert (job.status, job.row_count, job.kind) == ("done", 5, f"enforcement.{kind}")
    download = client.get(reverse("core:export_download", args=[job.pk]))
    rows = sheet_rows(b"".join(download.streaming_content))
    start = next(i for i, r in enumerate(rows) if header in r)
    # The job's sheet is the direct one: same header, same rows (the notes' time may differ).
    assert rows[start:] == direct[next(i for i, r in enumerate(direct) if header in r):]
    assert len(rows[start + 1:]) == 5 and "东关街道" not in str(rows[start + 1:])
    assert AuditEvent.objects.filter(action="export", user=leader, object_type__startswith="enforcement.",
                                     detail__startswith=f"export enforcement.{kind}: 5 rows (job #{job.pk})").exists()


def test_no_row_cap_and_no_truncation_note(client_for, leader, inspector, township_a, settings):
    fill(3, township_a, inspector)
    settings.EXPORTS_DIRECT_MAX_ROWS = 10
    text = str(sheet_rows(client_for(leader).get(reverse("enforcement:export_cases")).content))
    assert "仅导出前" not in text and "当事人身份证号已脱敏" in text and "共 3 行" in text


def test_clerk_cannot_export_enforcement_lists(client_for, clerk_a, inspector, township_a):
    fill(1, township_a, inspector)
    assert client_for(clerk_a).get(reverse("enforcement:export_cases")).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()
