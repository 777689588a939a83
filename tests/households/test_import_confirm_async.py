"""A large import is confirmed by a Celery worker (the request returns at once); the guarantees
stay: once only, one transaction, nothing written on an unexpected failure."""
import datetime

from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from households.models import Couple, ImportBatch
from households.services import exchange

from .test_import_sheet import good_row, make_xlsx

UPLOAD = reverse("households:import_upload")


def upload(client, n):
    client.post(UPLOAD, {"file": make_xlsx([good_row(i) for i in range(1, n + 1)])})
    return ImportBatch.objects.get()


def test_large_batch_is_written_by_the_worker_and_the_page_follows_it(client_for, clerk_a, village_a, settings,
                                                                       django_capture_on_commit_callbacks):
    settings.HOUSEHOLDS_IMPORT_SYNC_MAX_ROWS = 2
    client = client_for(clerk_a)
    batch = upload(client, 4)
    confirm = reverse("households:import_confirm", args=[batch.pk])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(confirm)
    assert response.status_code == 302 and Couple.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == "confirming"
    page = client.get(batch.get_absolute_url()).content.decode()
    assert 'data-testid="import-confirming"' in page and "js/import-progress.js" in page
    assert 'data-testid="import-confirm"' not in page  # no second click, no cancel meanwhile
    assert client.post(confirm).status_code == 302  # a second click: refused, nothing queued
    assert client.post(reverse("households:import_cancel", args=[batch.pk])).status_code == 302
    assert client.get(reverse("households:import_status", args=[batch.pk])).json()["status"] == "confirming"

    for callback in callbacks:  # the worker
        callback()

    batch.refresh_from_db()
    assert (batch.status, batch.imported_count, Couple.objects.count()) == ("imported", 4, 4)
    assert client.get(reverse("households:import_status", args=[batch.pk])).json()["status"] == "imported"
    assert AuditEvent.objects.filter(detail="import confirm queued").count() == 1


def test_small_batch_is_still_confirmed_in_the_request(client_for, clerk_a, village_a):
    client = client_for(clerk_a)
    batch = upload(client, 2)
    client.post(reverse("households:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "imported" and Couple.objects.count() == 2


def test_worker_failure_writes_nothing_and_marks_the_batch_failed(clerk_a, village_a, monkeypatch):
    from households import tasks

    batch = exchange.import_batch_create(by=clerk_a, upload=make_xlsx([good_row(1), good_row(2)]), file_name="a.xlsx")
    ImportBatch.objects.filter(pk=batch.pk).update(status="confirming")
    calls = {"n": 0}
    real = exchange._write_row

    def second_row_breaks(data, ctx):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(data, ctx)

    monkeypatch.setattr(exchange, "_write_row", second_row_breaks)
    tasks.confirm_import(batch.pk, clerk_a.pk)
    batch.refresh_from_db()
    assert batch.status == "failed" and "第 3 行" in batch.message and Couple.objects.count() == 0
    tasks.confirm_import(batch.pk, clerk_a.pk)  # redelivered: claimed already, nothing happens
    assert Couple.objects.count() == 0


def test_status_of_another_townships_batch_is_a_404(client_for, clerk_a, clerk_b, village_a):
    batch = upload(client_for(clerk_a), 1)
    assert client_for(clerk_b).get(reverse("households:import_status", args=[batch.pk])).status_code == 404


def test_a_batch_a_dead_worker_left_confirming_is_closed_by_the_daily_clean_up(clerk_a, village_a):
    batch = exchange.import_batch_create(by=clerk_a, upload=make_xlsx([good_row(1)]), file_name="a.xlsx")
    ImportBatch.objects.filter(pk=batch.pk).update(
        status="confirming", updated_at=timezone.now() - datetime.timedelta(hours=2))
    assert exchange.import_previews_expire(dry_run=True) == 1
    assert exchange.import_previews_expire() == 1
    batch.refresh_from_db()
    assert batch.status == "failed" and batch.source_rows == [] and "中断" in batch.message
    assert Couple.objects.count() == 0


def test_import_status_needs_the_import_role_and_get(client_for, clerk_a, bureau_staff, village_a):
    batch = upload(client_for(clerk_a), 1)
    url = reverse("households:import_status", args=[batch.pk])
    assert client_for(bureau_staff).get(url).status_code == 403
    assert client_for(clerk_a).post(url).status_code == 405


def test_with_the_broker_down_the_batch_goes_back_to_preview_and_nothing_is_written(
        client_for, clerk_a, village_a, settings, monkeypatch, django_capture_on_commit_callbacks):
    def unreachable(*args):
        raise ConnectionError("Connection refused")

    monkeypatch.setattr("households.tasks.confirm_import.delay", unreachable)
    settings.HOUSEHOLDS_IMPORT_SYNC_MAX_ROWS = 1
    client = client_for(clerk_a)
    batch = upload(client, 3)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("households:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "preview" and "暂时不可用" in batch.message and Couple.objects.count() == 0
