"""core.exports: large exports as jobs — scope rebuilt when the job runs, owner-only progress and
download, an audit row for each export and each download, expiry. The households exports are the
registered specs used here (the suite runs Celery tasks in-process; a real worker runs one in
test_exports_worker.py)."""
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEvent
from accounts.roles import Role
from core import exports
from core.models import ExportJob

from ..factories import FollowUpVisitFactory, RegisterCoupleFactory

REGISTER = reverse("households:export_register")


@pytest.fixture
def big(settings):
    """Every export counts as large: it becomes a job."""
    settings.EXPORTS_DIRECT_MAX_ROWS = 0


@pytest.fixture
def couples(village_a, village_b):
    a = [RegisterCoupleFactory(household__village=village_a, household__head_name=f"甲{n}") for n in range(3)]
    b = [RegisterCoupleFactory(household__village=village_b, household__head_name=f"乙{n}") for n in range(2)]
    return a, b


def start(client, url=REGISTER, capture=None, **params):
    with capture(execute=True):
        response = client.get(url, params)
    job = ExportJob.objects.order_by("-pk").first()
    return response, job


def workbook_rows(response) -> list[tuple]:
    content = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_large_export_runs_as_a_job_with_progress_page_and_download(
        client_for, clerk_a, couples, big, django_capture_on_commit_callbacks):
    client = client_for(clerk_a)
    response, job = start(client, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.row_count, job.kind) == ("done", 3, "households.register")
    assert job.expires_at > timezone.now()

    page = client.get(job.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="export-download"' in html
    assert "js/export-progress.js" in html and "<script>" not in html  # CSP: no inline script
    state = client.get(reverse("core:export_status_json", args=[job.pk])).json()
    assert state["status"] == "done" and state["percent"] == 100 and state["download_url"]

    download = client.get(state["download_url"])
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    assert "attachment" in download["Content-Disposition"]
    rows = workbook_rows(download)
    text = " ".join(str(v) for row in rows for v in row if v is not None)
    assert "甲0" in text and "乙0" not in text
    for couple in couples[0]:
        assert couple.wife.id_number not in text  # masked

    details = list(AuditEvent.objects.filter(action="export").order_by("id").values_list("detail", flat=True))
    assert details == [f"export households.register queued (job #{job.pk})",
                       f"export households.register: 3 rows (job #{job.pk})",
                       f"download export households.register job #{job.pk}: 3 rows"]


def test_job_rebuilds_its_rows_from_the_owners_scope_when_it_runs(
        client_for, clerk_a, township_b, couples, big, django_capture_on_commit_callbacks):
    client = client_for(clerk_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.get(REGISTER)
    job = ExportJob.objects.get()
    # Moved to township B before the worker got to the job: B's rows, never A's.
    clerk_a.township = township_b
    clerk_a.save()
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert (job.status, job.row_count) == ("done", 2)
    text = " ".join(str(v) for row in workbook_rows(client.get(reverse("core:export_download", args=[job.pk])))
                    for v in row if v is not None)
    assert "乙0" in text and "甲0" not in text


def test_job_of_a_user_who_lost_the_role_fails_and_writes_nothing(
        client_for, clerk_a, couples, big, django_capture_on_commit_callbacks):
    client = client_for(clerk_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.get(REGISTER)
    clerk_a.role, clerk_a.township = Role.LEADER, None
    clerk_a.save()
    for callback in callbacks:
        callback()
    job = ExportJob.objects.get()
    assert (job.status, job.file.name) == ("failed", "")
    assert "没有导出这些数据的权限" in job.message
    assert AuditEvent.objects.filter(action="export", success=False).exists()
    # And the download refuses too.
    assert client.get(reverse("core:export_download", args=[job.pk])).status_code in (302, 403)


def test_another_users_job_is_a_404_whatever_the_role(
        client_for, clerk_a, clerk_b, leader, couples, big, django_capture_on_commit_callbacks):
    _response, job = start(client_for(clerk_a), capture=django_capture_on_commit_callbacks)
    for other in (clerk_b, leader):
        client = client_for(other)
        for name in ("core:export_status", "core:export_status_json", "core:export_download"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == "done"
    assert not AuditEvent.objects.filter(action="export", detail__startswith="download").exists()


def test_job_pages_refuse_post(client_for, clerk_a, couples, big, django_capture_on_commit_callbacks):
    client = client_for(clerk_a)
    _response, job = start(client, capture=django_capture_on_commit_callbacks)
    for name in ("core:export_status", "core:export_status_json", "core:export_download"):
        assert client.post(reverse(name, args=[job.pk])).status_code == 405


def test_same_export_asked_twice_while_queued_is_one_job_and_active_jobs_are_limited(
        client_for, clerk_a, couples, big, settings, django_capture_on_commit_callbacks):
    client = client_for(clerk_a)
    with django_capture_on_commit_callbacks(execute=False):
        first = client.get(REGISTER)
        second = client.get(REGISTER)
        assert first["Location"] == second["Location"] and ExportJob.objects.count() == 1
        settings.EXPORTS_MAX_ACTIVE_JOBS = 1
        refused = client.get(REGISTER, {"planned_timing": "1"})
    assert refused.status_code == 429 and "正在进行" in refused.content.decode()
    assert ExportJob.objects.count() == 1


def test_small_export_is_answered_at_once_without_a_job(client_for, clerk_a, couples):
    response = client_for(clerk_a).get(REGISTER)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert not ExportJob.objects.exists()


def test_expired_files_are_deleted_by_the_daily_command_and_no_longer_downloadable(
        client_for, clerk_a, couples, big, django_capture_on_commit_callbacks):
    client = client_for(clerk_a)
    _response, job = start(client, capture=django_capture_on_commit_callbacks)
    job.refresh_from_db()
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    call_command("expire_exports", "--dry-run")
    assert storage.exists(name) and ExportJob.objects.get(pk=job.pk).status == "done"
    call_command("expire_exports")

    job.refresh_from_db()
    assert (job.status, job.file.name) == ("expired", "") and not storage.exists(name)
    response = client.get(reverse("core:export_download", args=[job.pk]))
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()


def test_a_job_a_dead_worker_left_running_is_closed_by_the_daily_clean_up(clerk_a):
    job = ExportJob.objects.create(owner=clerk_a, kind="households.register", status="running",
                                   created_at=timezone.now() - datetime.timedelta(days=2))
    assert exports.exports_expire() == 1
    job.refresh_from_db()
    assert job.status == "failed" and "中断" in job.message


def test_a_job_is_run_once_even_if_the_task_is_delivered_twice(clerk_a, couples):
    job = ExportJob.objects.create(owner=clerk_a, kind="households.register")
    assert exports.export_job_run(job_id=job.pk).status == "done"
    assert exports.export_job_run(job_id=job.pk) is None  # already claimed: nothing done again
    assert AuditEvent.objects.filter(action="export", detail__contains=f"(job #{job.pk})").count() == 1


def test_a_job_with_filters_that_are_no_longer_valid_fails_with_the_reason(clerk_a, couples):
    job = ExportJob.objects.create(owner=clerk_a, kind="households.register", params={"planned_timing": ["9"]})
    exports.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "筛选条件有误" in job.message


def test_visits_export_of_many_rows_is_complete(client_for, clerk_a, village_a, big,
                                                 django_capture_on_commit_callbacks):
    couple = RegisterCoupleFactory(household__village=village_a)
    for day in range(30):
        FollowUpVisitFactory(couple=couple, visit_date=timezone.localdate() - datetime.timedelta(days=day),
                             notes=f"第{day}次")
    client = client_for(clerk_a)
    _response, job = start(client, url=reverse("households:export_visits"), capture=django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.row_count == 30
    rows = workbook_rows(client.get(reverse("core:export_download", args=[job.pk])))
    assert len(rows) == 4 + 30


def test_a_job_filtered_on_a_village_no_longer_in_scope_fails_instead_of_hanging(clerk_a, township_b, village_a,
                                                                                  couples):
    job = ExportJob.objects.create(owner=clerk_a, kind="households.register",
                                   params={"village": [str(village_a.pk)]})
    clerk_a.township = township_b
    clerk_a.save()
    exports.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "不在您的范围内" in job.message


def test_the_import_page_lists_the_users_own_background_exports_only(
        client_for, clerk_a, clerk_b, couples, big, django_capture_on_commit_callbacks):
    _response, job = start(client_for(clerk_a), capture=django_capture_on_commit_callbacks)
    own = client_for(clerk_a).get(reverse("households:import_upload")).content.decode()
    assert 'data-testid="export-jobs"' in own and job.get_absolute_url() in own
    other = client_for(clerk_b).get(reverse("households:import_upload")).content.decode()
    assert job.get_absolute_url() not in other


def test_with_the_broker_down_the_job_fails_at_once_with_a_message(
        client_for, clerk_a, couples, big, monkeypatch, django_capture_on_commit_callbacks):
    def unreachable(job_id):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("core.tasks.run_export_job.delay", unreachable)
    response, job = start(client_for(clerk_a), capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "failed" and "暂时不可用" in job.message


def _lapse(job, seconds=3600):
    ExportJob.objects.filter(pk=job.pk).update(alive_at=timezone.now() - datetime.timedelta(seconds=seconds))


def test_a_running_job_whose_lease_lapsed_is_sent_again_and_finishes_once(clerk_a, couples,
                                                                           django_capture_on_commit_callbacks):
    """The worker died mid-export (OOM, deploy, SIGKILL): its job says running, nobody renews its lease.
    Reconcile (beat, every minute) puts it back in the queue and sends it; it ends done, once."""
    job = ExportJob.objects.create(owner=clerk_a, kind="households.register", status="running", claim="dead0000",
                                   alive_at=timezone.now())
    assert exports.exports_reconcile() == 0  # lease still live: the worker may be working
    _lapse(job)
    assert exports.exports_reconcile(dry_run=True) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert exports.exports_reconcile() == 1  # eager here: the resent task runs at commit
    job.refresh_from_db()
    assert job.status == "done" and job.row_count == 3
    assert exports.exports_reconcile() == 0
    assert AuditEvent.objects.filter(action="export", detail__contains=f"(job #{job.pk})").count() == 1


def test_a_queued_job_never_picked_up_is_sent_again(clerk_a, couples, settings, django_capture_on_commit_callbacks):
    """The message was lost (Redis restarted with nothing on disk): queued for longer than
    EXPORTS_REQUEUE_SECONDS since it was sent, the job is sent again."""
    job = ExportJob.objects.create(owner=clerk_a, kind="households.register", alive_at=timezone.now())
    assert exports.exports_reconcile() == 0
    _lapse(job, settings.EXPORTS_REQUEUE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert exports.exports_reconcile() == 1
    job.refresh_from_db()
    assert job.status == "done"


def test_a_worker_whose_job_was_taken_over_records_nothing(clerk_a, couples):
    """Only the holder of the current claim finishes a job: a slow worker overtaken after its lease
    lapsed discards its file, so the job still has exactly one result."""
    job = ExportJob.objects.create(owner=clerk_a, kind="households.register")
    real_write = exports.export_write

    def overtaken(**kwargs):
        rows = real_write(**kwargs)
        ExportJob.objects.filter(pk=job.pk).update(claim="newholder")  # another worker took it over
        return rows

    exports.export_write = overtaken
    try:
        assert exports.export_job_run(job_id=job.pk) is None
    finally:
        exports.export_write = real_write
    job.refresh_from_db()
    assert job.status == "running" and job.claim == "newholder" and not job.file
    assert not AuditEvent.objects.filter(action="export", detail__contains=f"(job #{job.pk})").exists()


def test_asking_again_for_a_dead_job_sends_it_again_and_dead_jobs_block_nobody(
        client_for, clerk_a, couples, big, settings, django_capture_on_commit_callbacks):
    settings.EXPORTS_MAX_ACTIVE_JOBS = 1
    settings.EXPORTS_DIRECT_MAX_ROWS = -1  # even the empty visits export is a job
    dead = ExportJob.objects.create(owner=clerk_a, kind="households.visits", status="running", claim="dead0000",
                                    alive_at=timezone.now() - datetime.timedelta(hours=1))
    # A different export: the dead job does not count against the limit.
    response, job = start(client_for(clerk_a), capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302 and job.pk != dead.pk
    job.refresh_from_db()
    assert job.status == "done"
    # The same export as the dead job: the user gets that job back, sent again and finished.
    response, _ = start(client_for(clerk_a), url=reverse("households:export_visits"),
                        capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == dead.get_absolute_url()
    dead.refresh_from_db()
    assert dead.status == "done"


def test_the_reconcile_task_is_scheduled_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reconcile-exports"]
    assert entry["task"] == "core.tasks.reconcile_exports"
    assert str(entry["schedule"]._orig_minute) == "*"
