"""Celery tasks of the screening app."""
from celery import shared_task


@shared_task(name="screening.tasks.rebuild_pathway_states")
def rebuild_pathway_states() -> int:
    """Every couple's stored next step, recomputed for the new day (nightly, see
    CELERY_BEAT_SCHEDULE). The queue also refreshes stale rows on read; this keeps reads light
    and repairs any row a write outside the services left behind."""
    from .services.pathway_state import pathway_state_rebuild

    return pathway_state_rebuild()
