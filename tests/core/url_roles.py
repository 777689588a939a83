"""core's URLs (export jobs): what each role gets on GET (tests/security/test_url_roles.py runs it).

A job is its owner's alone: anyone else — any role, any township — gets 404, so a job's existence
is not revealed. The world's job belongs to clerk_a and is still queued, so its download page sends
the owner back to the progress page (302).
"""
from core.models import ExportJob
from tests.security.url_table import Url, everyone, only


def build(w):
    w.export_job_a = ExportJob.objects.create(owner=w.clerk_a, kind="households", params={})


job = lambda w: {"pk": w.export_job_a.pk}  # noqa: E731

URLS = {
    "core:export_status": Url(only(404, clerk_a=200), kwargs=job),
    "core:export_status_json": Url(only(404, clerk_a=200), kwargs=job, html_checked=False),
    "core:export_download": Url(only(404, clerk_a=302), kwargs=job),
    # The installable web app (config/views.py, docs/offline.md): public, nothing personal in them.
    "service_worker": Url(everyone(200, anonymous=200), html_checked=False),
    "web_manifest": Url(everyone(200, anonymous=200), html_checked=False),
    "offline": Url(everyone(200, anonymous=200)),
}
