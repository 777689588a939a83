"""The Celery app. Settings come from Django settings under the CELERY_ namespace.

Without REDIS_URL (``make run`` on a laptop) tasks run in-process (``task_always_eager``);
with it, a worker and beat are started next to the web server.
"""
import os

from celery import Celery
from celery.signals import before_task_publish, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("township_register")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# /healthz/'s two clocks (accounts/health.py): beat notes each heartbeat it sends, every worker notes
# itself on its own timer. accounts.health imports nothing that needs the app registry.
from accounts.health import WorkerHeartbeat, note_beat  # noqa: E402

before_task_publish.connect(note_beat, weak=False, dispatch_uid="accounts.health.note_beat")
app.steps["worker"].add(WorkerHeartbeat)


@worker_ready.connect
def _reconcile_on_start(sender=None, **kwargs):
    """A worker (re)starting after a crash or a Redis restart: look for work whose message was lost,
    without waiting for beat's next minute (RECONCILE_ON_WORKER_START; off in the test suite, whose
    workers run against a test database that other tests shape)."""
    from django.conf import settings

    if not settings.RECONCILE_ON_WORKER_START:
        return
    sender.app.send_task("assessment.tasks.reconcile_weekly_reports")
    sender.app.send_task("core.tasks.reconcile_exports")
