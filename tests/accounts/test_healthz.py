"""GET /healthz/: public, JSON, and honest about the broker when Redis is unreachable."""
import time

from django.core.cache import cache

from accounts.health import HEARTBEAT_KEY, WORKER_KEY
from accounts.tasks import heartbeat

HEALTHZ = "/healthz/"


def test_healthz_needs_no_login_and_reports_database_and_broker(client, db):
    response = client.get(HEALTHZ)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]  # a probe must never see a cached answer
    doc = response.json()
    assert doc["database"] == {"status": "ok", "vendor": "postgresql"}
    assert doc["broker"] == {"status": "ok"}
    # The suite runs tasks in-process (CELERY_TASK_ALWAYS_EAGER), so there is no worker to ask.
    assert doc["worker"] == {"status": "in-process"}
    assert doc["beat"] == {"status": "in-process", "last_heartbeat_age_s": None}


def test_healthz_refuses_post(client, db):
    assert client.post(HEALTHZ).status_code == 405


def test_healthz_reports_age_of_last_beat_heartbeat(client, db, settings):
    cache.set(HEARTBEAT_KEY, time.time() - 90)
    assert 89 <= client.get(HEALTHZ).json()["beat"]["last_heartbeat_age_s"] <= 95
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert client.get(HEALTHZ).json()["beat"]["status"] == "late"  # three heartbeats (45 s) missed
    settings.CELERY_TASK_ALWAYS_EAGER = True

    heartbeat.delay()  # eager in this suite: runs here and writes the cache

    assert client.get(HEALTHZ).json()["beat"]["last_heartbeat_age_s"] < 5


def test_healthz_still_answers_200_when_broker_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_TASK_ALWAYS_EAGER = False
    started = time.monotonic()

    response = client.get(HEALTHZ)

    assert response.status_code == 200  # the app still serves: only the database decides 503
    doc = response.json()
    assert doc["database"]["status"] == "ok"
    assert doc["broker"]["status"] == "down"
    assert doc["broker"]["error"]
    assert doc["worker"] == {"status": "unknown"}
    assert time.monotonic() - started < 5  # short timeouts: a probe must not hang


def test_healthz_without_redis_url_says_tasks_run_in_process(client, db, settings):
    settings.CELERY_BROKER_URL = "memory://"
    doc = client.get(HEALTHZ).json()
    assert doc["broker"]["status"] == "in-process"


def _worker_mode(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False


def test_anonymous_healthz_reads_worker_state_from_the_heartbeat_without_names(client, db, settings):
    _worker_mode(settings)
    cache.set(WORKER_KEY, {"celery@bureau-app-1": time.time() - 30, "celery@old-host": time.time() - 3000})

    doc = client.get(HEALTHZ).json()

    assert doc["worker"] == {"status": "ok", "count": 1}
    assert "bureau-app-1" not in client.get(HEALTHZ).content.decode()  # no host names to strangers


def test_logged_in_staff_see_worker_names(client_for, clerk_a, settings):
    _worker_mode(settings)
    cache.set(WORKER_KEY, {"celery@bureau-app-1": time.time() - 30, "celery@old-host": time.time() - 3000})

    doc = client_for(clerk_a).get(HEALTHZ).json()

    assert doc["worker"] == {"status": "ok", "count": 1, "workers": ["celery@bureau-app-1"]}


def test_healthz_says_none_when_no_worker_ran_the_heartbeat_lately(client, db, settings):
    _worker_mode(settings)
    cache.set(WORKER_KEY, {"celery@old-host": time.time() - 3000})
    assert client.get(HEALTHZ).json()["worker"] == {"status": "none", "count": 0}


def test_anonymous_healthz_never_pings_workers(client, db, settings, monkeypatch):
    # A control ping waits a whole second for replies that never come: a probe must not do that.
    from config.celery import app

    _worker_mode(settings)

    def no_ping(*args, **kwargs):
        raise AssertionError("healthz pinged the workers")

    monkeypatch.setattr(app.control, "ping", no_ping)
    started = time.monotonic()
    for _ in range(5):
        assert client.get(HEALTHZ).status_code == 200
    assert time.monotonic() - started < 1.0


def test_beat_notes_its_heartbeat_when_it_sends_it_not_when_a_worker_runs_it(client, db, settings):
    """A dead worker must not make beat look dead: the note is written by the publishing process."""
    from accounts.health import note_beat

    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.delete(HEARTBEAT_KEY)
    note_beat(sender="accounts.tasks.ping")  # any other task: no note
    assert client.get(HEALTHZ).json()["beat"] == {"status": "late", "last_heartbeat_age_s": None}
    note_beat(sender="accounts.tasks.heartbeat")
    beat = client.get(HEALTHZ).json()["beat"]
    assert beat["status"] == "ok" and beat["last_heartbeat_age_s"] < 5


def test_heartbeat_schedule_is_fast_enough_to_report_a_death_within_a_minute(settings):
    from accounts.health import stale_after

    assert settings.CELERY_BEAT_SCHEDULE["heartbeat"]["schedule"] == settings.HEALTH_HEARTBEAT_SECONDS
    assert stale_after() <= 60
