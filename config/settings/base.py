"""Settings shared by every environment, switched by environment variables (django-environ).

local.py, test.py and production.py import everything from here and change only what differs.
"""
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
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
    "csp",
    # Two-factor login: TOTP apps, and one-time recovery codes (static tokens).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
# This project's own apps, in dependency order (seed_demo runs their demo modules in this order).
PROJECT_APPS = ["core", "accounts", "households", "assessment"]
INSTALLED_APPS += PROJECT_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.CookieLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): this session passed two-factor login (django-otp's contract).
    "accounts.security_middleware.SecondFactorMiddleware",
    # Login is the default; public views are marked with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Roles that need a second factor reach nothing but its setup until they have passed it.
    "accounts.security_middleware.TwoFactorRequiredMiddleware",
    "accounts.security_middleware.PasswordExpiryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.AuditDeniedMiddleware",
    # Responses to a logged-in user hold personal data: no browser or proxy may keep a copy.
    "accounts.security_middleware.NoStoreMiddleware",
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
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Persistent connections for gunicorn's long-lived worker threads; local.py sets 0 for runserver,
# whose thread per request would otherwise leave a connection open for every request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
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
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "name", "email", "phone")},
    },
    # GB/T 22239 evaluator practice: at least 8 characters of 3 of the 4 kinds (DOMAIN.md).
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "accounts.password_validation.CharacterClassesValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Days a password lasts before its owner must change it; 0 (the default) turns expiry off.
PASSWORD_MAX_AGE_DAYS = env.int("PASSWORD_MAX_AGE_DAYS", default=0)
# How many reverse proxies of our own sit in front of the app (they append to X-Forwarded-For).
# 0: trust only REMOTE_ADDR; a client-supplied X-Forwarded-For must not forge the audit trail's IP.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Login-failure lockout (accounts/lockout.py), each counted over LOGIN_LOCKOUT_SECONDS:
# one username from one address; one username from anywhere; one address, any usernames.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=20)
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=30)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
# Two-factor login (TOTP, django-otp): these roles must set it up and pass it; others may.
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=["leader", "auditor", "admin"])
OTP_TOTP_ISSUER = "Township Register"
# Codes are throttled by the login lockout above (counted atomically per username and address);
# django-otp's own back-off would refuse a right code typed within a second or two of a typo.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Minutes between the password step and the code step before the login must start again.
LOGIN_OTP_PENDING_SECONDS = 5 * 60
# Idle timeout: the session expires after 30 minutes without a request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
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
# acks_late: a message stays unacknowledged in Redis until its task ends; Redis hands it to
# another worker after the visibility timeout. It must outlast the longest task run plus the
# longest retry countdown a worker holds a message for (the weekly report: 300 s time limit +
# 600 s maximum backoff = 15 min), or a slow build would be started twice. One hour.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
# Every periodic task, in one place, with its crontab written out.
CELERY_BEAT_SCHEDULE = {
    # Lets /healthz/ tell whether beat and a worker are alive: every minute.
    "heartbeat": {"task": "accounts.tasks.heartbeat", "schedule": crontab(minute="*")},
    # Failed logins after the first of a window are counted in Redis: one audit row per
    # username/address with the count, every minute.
    "flush-login-failures": {"task": "accounts.tasks.flush_login_failures", "schedule": crontab(minute="*")},
    # Unconfirmed Excel import previews hold whole ID numbers: expire them daily at 02:30.
    "expire-import-previews": {
        "task": "households.tasks.expire_import_previews", "schedule": crontab(hour="2", minute="30"),
    },
    # The Monday briefing (每周通报) of the week Monday–Sunday just ended: Mondays at 06:00
    # Asia/Shanghai (CELERY_TIMEZONE), i.e. Sunday 22:00 UTC.
    "weekly-report": {
        "task": "assessment.tasks.weekly_report_scheduled",
        "schedule": crontab(minute="0", hour="6", day_of_week="mon"),
    },
}

# --- Content-Security-Policy (django-csp 4) ----------------------------------------------------
# No inline scripts or styles anywhere: JavaScript lives in static/js, CSS in static/css.
# data: images are Bootstrap's own SVG icons (form-select arrow, checkboxes) inside its CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

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
# An import preview not confirmed within this many hours is cancelled and its ID numbers scrubbed.
HOUSEHOLDS_IMPORT_PREVIEW_HOURS = env.int("IMPORT_PREVIEW_HOURS", default=48)
# Target for the share of follow-up visits made on or before their due date (%), for the
# scorecard's colour bands.
HOUSEHOLDS_VISITS_ON_TIME_TARGET = env.float("VISITS_ON_TIME_TARGET", default=90.0)

# --- Township assessment ----------------------------------------------------------------------
# Publicity-site photos: the largest upload accepted and the largest side in pixels.
ASSESSMENT_PHOTO_MAX_BYTES = env.int("ASSESSMENT_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
ASSESSMENT_PHOTO_MAX_SIDE = env.int("ASSESSMENT_PHOTO_MAX_SIDE", default=8000)
# Colour bands of the scorecard: a rate within this many percentage points below its target is
# amber ("close"), further below is red.
ASSESSMENT_BAND_MARGIN = env.float("ASSESSMENT_BAND_MARGIN", default=10.0)
# The weekly report: a build still "building" after this many seconds is taken to be dead (its
# worker was killed past the task's 300 s time limit) and may be started again.
ASSESSMENT_WEEKLY_STALE_SECONDS = env.int("ASSESSMENT_WEEKLY_STALE_SECONDS", default=900)
# Weeks in the county's week-by-week line of the weekly report.
ASSESSMENT_WEEKLY_CHART_WEEKS = 12
