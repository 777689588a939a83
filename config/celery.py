"""The Celery app. Settings come from Django settings under the CELERY_ namespace.

Without REDIS_URL (``make run`` on a laptop) tasks run in-process (``task_always_eager``);
with it, a worker and beat are started next to the web server.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("township_register")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
