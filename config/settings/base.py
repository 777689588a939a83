"""Settings shared by every environment, switched by environment variables (django-environ).

local.py, test.py and production.py import everything from here and change only what differs.
"""
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-dev-key-only-for-local-use")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "config.apps.RegisterAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # django-bootstrap-static: Bootstrap 5.3 css/js served locally
]
# This project's own apps, in dependency order (seed_demo runs their demo modules in this order).
PROJECT_APPS = ["core", "accounts", "households"]
INSTALLED_APPS += PROJECT_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's SessionMiddleware, writing the session at most once a minute (accounts/sessions.py).
    "accounts.sessions.IdleTimeoutSessionMiddleware",
    "accounts.middleware.CookieLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Login is the default; public views are marked with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.AuditDeniedMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# PostgreSQL in production and tests; without DATABASE_URL, `make run` uses a SQLite file.
def database_settings(db: dict) -> dict:
    """Connection settings every environment shares (test.py builds its own database from these)."""
    db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    db["CONN_HEALTH_CHECKS"] = True
    if db["ENGINE"].endswith("postgresql"):
        # PostgreSQL's JIT compiles a query once its estimated cost passes jit_above_cost
        # (100,000 by default): the leaders' statistics over 200,000 households pass it and paid
        # 80 ms of compilation to save a few (issue #7). Pages here run in milliseconds; JIT pays
        # off only for queries of many seconds, so the threshold is set where those begin.
        jit_above_cost = env.int("DATABASE_JIT_ABOVE_COST", default=10_000_000)
        options = db.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit_above_cost={jit_above_cost}".strip()
    return db


DATABASES = {"default": database_settings(env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, Celery broker and results ------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="tr"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # Sessions are read from Redis and written through to the database: a page view needs no
    # session query, and a Redis restart logs nobody out.
    SESSION_ENGINE = "accounts.sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # A per-process memory cache cannot hold sessions several processes share: database only.
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.StaffBackend"]  # ModelBackend + the user's township
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # GB/T 22239 evaluator practice: at least 8 characters (DOMAIN.md, "Privacy and security").
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# How many reverse proxies of our own sit in front of the app (they append to X-Forwarded-For).
# 0: trust only REMOTE_ADDR; a client-supplied X-Forwarded-For must not forge the audit trail's IP.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Login-failure lockout: after this many failures for one username, refuse for the window.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
# Idle timeout: the session expires after 30 minutes without a request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# The expiry moves forward at most this often (accounts/sessions.py), not with a write per request.
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Internationalisation -------------------------------------------------------------------
# Source strings are Chinese (the product's first language); English lives in locale/en.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# No broker configured: run tasks in-process so `make run` works without Redis.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every periodic task, in one place, with its crontab written out.
CELERY_BEAT_SCHEDULE = {
    # Lets /healthz/ tell whether beat is alive: every minute.
    "heartbeat": {"task": "accounts.tasks.heartbeat", "schedule": crontab(minute="*")},
    # Unconfirmed Excel import previews hold whole ID numbers: expire them daily at 02:30.
    "expire-import-previews": {
        "task": "households.tasks.expire_import_previews", "schedule": crontab(hour="2", minute="30"),
    },
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Human-readable names used in the page title and navigation.
SITE_TITLE = _("乡镇计生服务登记系统")

# --- Household register -----------------------------------------------------------------------
# Days until the next follow-up visit, by the pregnancy status found at the visit (a setting,
# not a rule: counties set their own rhythm). The visit form offers this as its default.
HOUSEHOLDS_VISIT_INTERVAL_DAYS = {
    "not_pregnant": env.int("VISIT_INTERVAL_NOT_PREGNANT", default=90),
    "pregnant": env.int("VISIT_INTERVAL_PREGNANT", default=30),
    "delivered": env.int("VISIT_INTERVAL_DELIVERED", default=42),
    "terminated": env.int("VISIT_INTERVAL_TERMINATED", default=30),
}
# Women of childbearing age (DOMAIN.md): a couple's wife is 15–49 when registered.
HOUSEHOLDS_WIFE_AGE_RANGE = (15, 49)
HOUSEHOLDS_PAGE_SIZE = 25
# List totals are counted up to this many rows and shown as "1,000+" beyond (core/pagination.py):
# counting a township's 60,000 visits on every page costs more than the page itself.
PAGINATION_COUNT_CAP = env.int("PAGINATION_COUNT_CAP", default=1000)
# An import preview not confirmed within this many hours is cancelled and its ID numbers scrubbed.
HOUSEHOLDS_IMPORT_PREVIEW_HOURS = env.int("IMPORT_PREVIEW_HOURS", default=48)
