"""Unconfirmed import previews expire: cancelled, ID numbers scrubbed (task, command, service)."""
import datetime

from django.core.management import call_command
from django.utils import timezone

from households.models import ImportBatch
from households.services import exchange
from households.tasks import expire_import_previews

from .test_import_sheet import good_row, make_xlsx


def _preview(clerk, n, *, age_hours):
    batch = exchange.import_batch_create(by=clerk, upload=make_xlsx([good_row(n)]), file_name=f"{n}.xlsx")
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - datetime.timedelta(hours=age_hours))
    return batch


def _ids(batch):
    batch.refresh_from_db()
    return [batch.rows[0]["data"]["wife_id"], batch.rows[0]["data"]["husband_id"]]


def test_stale_preview_is_cancelled_and_scrubbed_fresh_one_kept(settings, clerk_a, village_a):
    settings.HOUSEHOLDS_IMPORT_PREVIEW_HOURS = 48
    stale, fresh = _preview(clerk_a, 1, age_hours=49), _preview(clerk_a, 2, age_hours=1)

    assert expire_import_previews.delay().get() == 1  # eager in unit tests; the worker test runs it for real

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == ImportBatch.Status.CANCELLED and "自动取消" in stale.message
    assert all("*" in value for value in _ids(stale))
    assert fresh.status == ImportBatch.Status.PREVIEW
    assert not any("*" in value for value in _ids(fresh))


def test_confirmed_batches_are_left_alone(clerk_a, village_a):
    batch = _preview(clerk_a, 3, age_hours=100)
    exchange.import_confirm(batch=batch, by=clerk_a)

    assert exchange.import_previews_expire() == 0
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED


def test_command_dry_run_counts_without_changing(capsys, clerk_a, village_a):
    batch = _preview(clerk_a, 4, age_hours=100)

    call_command("expire_import_previews", "--dry-run")
    assert "would expire 1" in capsys.readouterr().out
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW

    call_command("expire_import_previews")
    assert "expired 1" in capsys.readouterr().out
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CANCELLED
