"""The test suite: always a real PostgreSQL and a real Redis (see `make test`)."""
from .base import *  # noqa: F401,F403
from .base import BASE_DIR, CACHES, database_settings, env

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"
DATABASES = {
    "default": database_settings(env.db(
        "TEST_DATABASE_URL", default="postgres://township:township@127.0.0.1:5432/township_register"
    ))
}
# The suite migrates as the URL's role (the owner) and grants this one the app's privileges; the
# tests in tests/accounts/test_db_roles.py connect as it (scripts/ensure-services.sh creates it).
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="township_app")
# Database 15 keeps the suite's keys away from a developer's `make run` data.
REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES = {**CACHES, "default": {
    "BACKEND": "core.cache.ResilientRedisCache",  # Redis down: degrade, never a 500
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": "tr-test",
    "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
}}
SESSION_ENGINE = "accounts.sessions"  # as in production with Redis
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
# Unit tests run tasks in-process. tests/accounts/test_celery_worker.py starts a real worker with
# CELERY_TASK_ALWAYS_EAGER=false in its environment (and turns eager mode off in the test process).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# The suite's workers do only what each test sends them (tests/faults/test_weekly_lost.py turns it on).
RECONCILE_ON_WORKER_START = env.bool("RECONCILE_ON_WORKER_START", default=False)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "artifacts" / "test-media"
# Serve static files straight from the apps (no collectstatic before tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
