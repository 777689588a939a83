from celery import shared_task

from .services.exchange import import_previews_expire


@shared_task(ignore_result=True)
def expire_import_previews() -> int:
    """Beat, daily: cancel import previews nobody confirmed, scrubbing their ID numbers."""
    return import_previews_expire()


@shared_task(ignore_result=True, soft_time_limit=9 * 60, time_limit=10 * 60)
def confirm_import(batch_id: int, user_id: int) -> None:
    """Write a large import batch the clerk confirmed (services.exchange.import_confirm_queue).
    Idempotent: the batch is claimed from 正在导入; a redelivered task finds it claimed."""
    from accounts.models import User

    from .models import ImportBatch
    from .services.exchange import ImportFailed, ImportNotPending, import_confirm

    batch = ImportBatch.objects.filter(pk=batch_id).first()
    user = User.objects.filter(pk=user_id).first()
    if batch is None or user is None:
        return
    try:
        import_confirm(batch=batch, by=user, claim_from=ImportBatch.Status.CONFIRMING)
    except (ImportNotPending, ImportFailed):
        pass  # already recorded on the batch (message, status) and in the audit trail
