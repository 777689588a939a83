from celery import shared_task

from .services.exchange import import_previews_expire


@shared_task(ignore_result=True)
def expire_import_previews() -> int:
    """Beat, daily: cancel import previews nobody confirmed, scrubbing their ID numbers."""
    return import_previews_expire()
