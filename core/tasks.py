from celery import shared_task

from .exports import export_job_run, exports_expire


# acks_late (settings) + the conditional claim in export_job_run: a job redelivered after a worker
# died is not run twice; one killed mid-run stays "running" and is shown as such until it expires.
@shared_task(ignore_result=True, soft_time_limit=25 * 60, time_limit=30 * 60)
def run_export_job(job_id: int) -> None:
    """Write one queued export's file (core.exports.export_job_run)."""
    export_job_run(job_id=job_id)


@shared_task(ignore_result=True)
def expire_exports() -> int:
    """Beat, daily: delete export files past their expiry."""
    return exports_expire()
