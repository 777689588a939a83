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
PROJECT_APPS = ["core", "accounts", "households", "screening", "enforcement", "assessment"]
INSTALLED_APPS += PROJECT_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Django's SessionMiddleware, writing the session at most once a minute (accounts/sessions.py).
    "accounts.sessions.IdleTimeoutSessionMiddleware",
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
    # core.http.BadQuery (an impossible date in a link): a 400 page with its message.
    "core.middleware.BadQueryMiddleware",
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
def database_settings(db: dict) -> dict:
    """Connection settings every environment shares (test.py builds its own database from these).

    Persistent connections for gunicorn's long-lived worker threads; local.py sets 0 for runserver,
    whose thread per request would otherwise leave a connection open for every request."""
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
# The PostgreSQL role the web server and Celery run as: it owns nothing, may not UPDATE, DELETE or
# TRUNCATE the audit trail, and gets its privileges after every migrate (accounts.db_roles).
# Migrations run as the owner role (DATABASE_OWNER_URL in scripts/run.sh). Empty: no grants.
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="")

# --- Redis: cache, Celery broker and results ------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",  # Redis down: degrade, never a 500
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
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "name", "email", "phone")},
    },
    # GB/T 22239 evaluator practice: at least 8 characters of 3 of the 4 kinds (docs/domain.md).
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
# Key of the HMAC on each audit-chain check's result (accounts/audit_chain.py): not in the database,
# so the app's database role cannot write a check that reads "intact". Empty: derived from SECRET_KEY.
AUDIT_CHECK_KEY = env("AUDIT_CHECK_KEY", default="")
# The auditor's .xlsx export of the trail: at most this many rows (the newest) per file.
AUDIT_EXPORT_MAX_ROWS = env.int("AUDIT_EXPORT_MAX_ROWS", default=20000)
# Login throttle (accounts/lockout.py): failures allowed freely per username and address, per
# username, per address; past a limit each try waits a delay that doubles with every failure
# (base, at most max seconds): no hard lock anyone could use against an account or an office.
# A counter is forgotten after LOGIN_LOCKOUT_SECONDS without failures.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=20)
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=30)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
LOGIN_THROTTLE_BASE_SECONDS = env.float("LOGIN_THROTTLE_BASE_SECONDS", default=2.0)
LOGIN_THROTTLE_MAX_SECONDS = env.float("LOGIN_THROTTLE_MAX_SECONDS", default=15 * 60)
# Known devices (accounts/devices.py): a browser that completed a login is counted on its own.
DEVICE_COOKIE_DAYS = env.int("DEVICE_COOKIE_DAYS", default=180)
# Two-factor login (TOTP, django-otp): these roles must set it up and pass it; others may.
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=["leader", "auditor", "admin"])
# Area codes an ID number may start with besides the GB/T 2260 codes (accounts/gb2260.py): none in
# production; local and test settings add the demo's fictional county 411099 (accounts/demo.py).
ID_AREA_CODES_ALSO = env.list("ID_AREA_CODES_ALSO", default=[])
OTP_TOTP_ISSUER = "Township Register"
# Setting it up needs a one-time enrolment code from the admin (accounts/twofactor.py), valid this long.
TWO_FACTOR_ENROLMENT_HOURS = env.int("TWO_FACTOR_ENROLMENT_HOURS", default=72)
# Codes are throttled by the login lockout above (counted atomically per username and address);
# django-otp's own back-off would refuse a right code typed within a second or two of a typo.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Minutes between the password step and the code step before the login must start again.
LOGIN_OTP_PENDING_SECONDS = 5 * 60
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
# A worker killed mid-task (SIGKILL, OOM) leaves its message unacknowledged: acks_late plus this
# put it back on the queue for another worker, so tasks must be idempotent (docs/architecture.md).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis' visibility timeout: an unacknowledged task is redelivered after this long. Longer than the
# longest task's hard time limit (verify_audit_chain: 50 min) and than the weekly report's run plus
# its longest retry countdown (300 s + 600 s), so a slow task is not run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)}
# How often a worker looks for such messages (kombu's default: about every 100 s). The fault tests,
# with a visibility timeout of seconds, set it to 1.
if env("CELERY_UNACKED_RESTORE_SECONDS", default=""):
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_SECONDS"), "unacked_restore_throttle": 1,
    }
# Publishing when Redis is down: give up after about a second (core.tasks.enqueue degrades).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.3, "interval_max": 0.5}
# Every periodic task, in one place, with its crontab written out.
# /healthz/ tells beat and the worker apart (accounts/health.py): beat notes the time each time it
# sends the heartbeat, every worker notes its own name on a timer of its main process. Either is
# reported dead after three missed beats (45 s by default), so within a minute of its death.
HEALTH_HEARTBEAT_SECONDS = env.float("HEALTH_HEARTBEAT_SECONDS", default=15.0)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "accounts.tasks.heartbeat", "schedule": HEALTH_HEARTBEAT_SECONDS},
    # Failed logins after the first of a window are counted in Redis: one audit row per
    # username/address with the count, every minute.
    "flush-login-failures": {"task": "accounts.tasks.flush_login_failures", "schedule": crontab(minute="*")},
    # Recompute the audit trail's hash chain; a break shows on the auditor's page: daily at 03:15.
    "verify-audit-chain": {"task": "accounts.tasks.verify_audit_chain", "schedule": crontab(hour="3", minute="15")},
    # Unconfirmed Excel import previews hold whole ID numbers: expire them daily at 02:30.
    "expire-import-previews": {
        "task": "households.tasks.expire_import_previews", "schedule": crontab(hour="2", minute="30"),
    },
    # Each couple's stored next step on the screening pathway, recomputed for the new day (a due
    # date passing makes a couple overdue): daily at 00:10 Asia/Shanghai.
    "rebuild-pathway-states": {
        "task": "screening.tasks.rebuild_pathway_states", "schedule": crontab(hour="0", minute="10"),
    },
    # Export files hold (masked) personal data: delete those past EXPORTS_KEEP_HOURS daily at 02:45.
    "expire-exports": {"task": "core.tasks.expire_exports", "schedule": crontab(hour="2", minute="45")},
    # Weekly reports queued or building whose task the broker lost (Redis restart, a worker killed
    # with its message): queued again, every minute (and once when a worker starts: config/celery.py).
    "reconcile-weekly-reports": {
        "task": "assessment.tasks.reconcile_weekly_reports", "schedule": crontab(minute="*"),
    },
    # Export jobs whose worker died (lease lapsed) or whose message was lost: sent again, every minute.
    "reconcile-exports": {"task": "core.tasks.reconcile_exports", "schedule": crontab(minute="*")},
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
# Women of childbearing age (docs/domain.md, Codes): a couple's wife is 15–49 when registered.
HOUSEHOLDS_WIFE_AGE_RANGE = (15, 49)
HOUSEHOLDS_PAGE_SIZE = 25
# List totals are counted up to this many rows and shown as "1,000+" beyond (core/pagination.py):
# counting a township's 60,000 visits on every page costs more than the page itself.
PAGINATION_COUNT_CAP = env.int("PAGINATION_COUNT_CAP", default=1000)
# An import preview not confirmed within this many hours is cancelled and its ID numbers scrubbed.
HOUSEHOLDS_IMPORT_PREVIEW_HOURS = env.int("IMPORT_PREVIEW_HOURS", default=48)
# Target for the share of follow-up visits made on or before their due date (%), for the
# scorecard's colour bands.
HOUSEHOLDS_VISITS_ON_TIME_TARGET = env.float("VISITS_ON_TIME_TARGET", default=90.0)
# 群众诉求: days a need raised in an outreach visit has to be resolved (or closed) before it is overdue.
HOUSEHOLDS_NEED_DEADLINE_DAYS = env.int("NEED_DEADLINE_DAYS", default=30)

# Every uploaded image (core/images.py): refused from its header, before decoding, when its
# longest side or its pixel count is larger (a 50-megapixel phone photo passes; 8000 × 8000 does not).
UPLOAD_IMAGE_MAX_SIDE = env.int("UPLOAD_IMAGE_MAX_SIDE", default=10000)
UPLOAD_IMAGE_MAX_PIXELS = env.int("UPLOAD_IMAGE_MAX_PIXELS", default=50_000_000)

# --- Township assessment ----------------------------------------------------------------------
# Publicity-site photos: the largest upload accepted and the largest side in pixels.
ASSESSMENT_PHOTO_MAX_BYTES = env.int("ASSESSMENT_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
ASSESSMENT_PHOTO_MAX_SIDE = env.int("ASSESSMENT_PHOTO_MAX_SIDE", default=8000)
# Rectification reports (整改): photos and documents, checked by content like enforcement evidence.
ASSESSMENT_RECTIFICATION_MAX_BYTES = env.int("ASSESSMENT_RECTIFICATION_MAX_MB", default=20) * 1024 * 1024
ASSESSMENT_RECTIFICATION_MAX_FILES = 6
# The scorecard's target (percent) for the on-time rectification rate (colour bands).
ASSESSMENT_RECTIFICATION_TARGET = env.float("ASSESSMENT_RECTIFICATION_TARGET", default=90.0)
# Colour bands of the scorecard: a rate within this many percentage points below its target is
# amber ("close"), further below is red.
ASSESSMENT_BAND_MARGIN = env.float("ASSESSMENT_BAND_MARGIN", default=10.0)

# --- Pre-pregnancy screening (screening/) ------------------------------------------------------
# Targets of the programme's rates, in percent (docs/domain.md, Codes: typical targets; they vary by year).
# None: shown without a colour band. Colour bands: at or above target green, within
# SCREENING_TARGET_AMBER_POINTS below it amber, further below red.
SCREENING_TARGETS = {
    "coverage": env.float("SCREENING_TARGET_COVERAGE", default=90),
    "high_risk_share": None,
    "early_follow_up": env.float("SCREENING_TARGET_EARLY_FOLLOW_UP", default=80),
    "outcome_follow_up": env.float("SCREENING_TARGET_OUTCOME_FOLLOW_UP", default=55),
    "prenatal": env.float("SCREENING_TARGET_PRENATAL", default=80),
}
SCREENING_TARGET_AMBER_POINTS = env.float("SCREENING_TARGET_AMBER_POINTS", default=10)
# Windows of the pathway, in days (the programme's exact windows are not confirmed nationally:
# docs/domain.md makes them settings). Each names the step whose due date it sets.
SCREENING_WINDOWS = {
    # A couple planning within a year should be screened within this many days of the survey.
    "invite": env.int("SCREENING_INVITE_DAYS", default=60),
    # A screening saved as draft should be finished (all results in) within this.
    "complete": env.int("SCREENING_COMPLETE_DAYS", default=14),
    # A high-risk couple gets the letter (advice and referral) within this after the assessment.
    "advice": env.int("SCREENING_ADVICE_DAYS", default=7),
    # First early-pregnancy follow-up after the exam; again after each 未孕; the pathway closes
    # when no pregnancy is found this long after the exam.
    "early_first": env.int("SCREENING_EARLY_FIRST_DAYS", default=90),
    "early_repeat": env.int("SCREENING_EARLY_REPEAT_DAYS", default=90),
    "early_close": env.int("SCREENING_EARLY_CLOSE_DAYS", default=365),
    # A pregnancy found on a household visit: the early-pregnancy follow-up within this.
    "early_after_visit": env.int("SCREENING_EARLY_AFTER_VISIT_DAYS", default=7),
    # Prenatal screening windows, days since the LMP: NT 11+0–13+6 weeks, serum 15+0–20+6 weeks.
    "nt_from": 77, "nt_to": 97, "serum_from": 105, "serum_to": 146,
    # A high-risk prenatal screening result: the diagnosis follow-up within this.
    "diagnosis": env.int("SCREENING_DIAGNOSIS_DAYS", default=14),
    # Outcome follow-up: this long after the expected delivery date (LMP + 280); again after 未分娩.
    "outcome_after_edd": env.int("SCREENING_OUTCOME_AFTER_EDD_DAYS", default=14),
    "outcome_repeat": env.int("SCREENING_OUTCOME_REPEAT_DAYS", default=30),
    # Two LMPs this close belong to one pregnancy (an early follow-up links the visit's pregnancy).
    "same_pregnancy": env.int("SCREENING_SAME_PREGNANCY_DAYS", default=28),
    # Dates that must agree (docs/screening-rules.md): a gestational age written on a prenatal
    # screening or an outcome may differ this much from the one the LMP gives (LMPs are recalled,
    # ultrasound dating corrects them); the gestation the LMP gives at an NT or serum screening
    # may lie this far outside the test's window.
    "lmp_tolerance": 14,
    "window_tolerance": 7,
}
# The examining facility printed on the letter (评估建议告知书).
SCREENING_FACILITY_NAME = env("SCREENING_FACILITY_NAME", default="县妇幼保健计划生育服务中心")
# Confirming writes ≈ 30 ms a row: more valid rows than this are written by a Celery worker (the
# page follows it) so that no web worker is held for seconds.
HOUSEHOLDS_IMPORT_SYNC_MAX_ROWS = env.int("IMPORT_SYNC_MAX_ROWS", default=20)
# An answer "this ID number is registered in another township" (import preview, registration
# form) tells something about a person the clerk may not see: each is audited, and one user gets
# at most this many distinct answers an hour (the rest are withheld with a message).
HOUSEHOLDS_FOREIGN_ID_ANSWERS_PER_HOUR = env.int("FOREIGN_ID_ANSWERS_PER_HOUR", default=100)

# --- Exports (core.exports) -----------------------------------------------------------------------
# Up to this many rows an export is written in the request (well under a second); more rows run
# as a Celery job with a progress page (no web worker blocked). Files are kept this many hours.
EXPORTS_DIRECT_MAX_ROWS = env.int("EXPORTS_DIRECT_MAX_ROWS", default=500)
EXPORTS_KEEP_HOURS = env.int("EXPORTS_KEEP_HOURS", default=24)
EXPORTS_MAX_ACTIVE_JOBS = env.int("EXPORTS_MAX_ACTIVE_JOBS", default=3)
# A running export's worker renews its lease every third of this; lapsed, the job is taken over.
EXPORTS_LEASE_SECONDS = env.int("EXPORTS_LEASE_SECONDS", default=60)
# A queued export not picked up this long after it was sent is sent again (a lost message).
EXPORTS_REQUEUE_SECONDS = env.int("EXPORTS_REQUEUE_SECONDS", default=180)

# --- Two-non enforcement (enforcement/) --------------------------------------------------------
# Licences running out within this many days are listed as "expiring".
ENFORCEMENT_LICENCE_WARNING_DAYS = env.int("ENFORCEMENT_LICENCE_WARNING_DAYS", default=30)
# A tip should become a case or be dismissed within this many days of receipt.
ENFORCEMENT_TIP_HANDLE_DAYS = env.int("ENFORCEMENT_TIP_HANDLE_DAYS", default=15)
# Days allowed in each stage of a case before it appears on the overdue list (the county's own
# rules; the Administrative Penalty Law asks for a decision within 90 days of filing).
ENFORCEMENT_STAGE_DEADLINE_DAYS = {
    "received": env.int("ENFORCEMENT_DAYS_RECEIVED", default=7),
    "preliminary": env.int("ENFORCEMENT_DAYS_PRELIMINARY", default=15),
    "filed": env.int("ENFORCEMENT_DAYS_FILED", default=7),
    "investigating": env.int("ENFORCEMENT_DAYS_INVESTIGATING", default=60),
    "referred": env.int("ENFORCEMENT_DAYS_REFERRED", default=30),
    "decided": env.int("ENFORCEMENT_DAYS_DECIDED", default=15),
    "enforced": env.int("ENFORCEMENT_DAYS_ENFORCED", default=90),
}
# Evidence files: the STORAGES alias they are kept in (local disk under MEDIA_ROOT by default; add
# an alias to STORAGES and name it here to keep them elsewhere) and the largest file accepted.
ENFORCEMENT_EVIDENCE_STORAGE = env("ENFORCEMENT_EVIDENCE_STORAGE", default="default")
ENFORCEMENT_EVIDENCE_MAX_BYTES = env.int("ENFORCEMENT_EVIDENCE_MAX_MB", default=20) * 1024 * 1024
ENFORCEMENT_PAGE_SIZE = 25
# Closure-rate target (percent) for the scorecard's colour bands: every case found is handled.
ENFORCEMENT_CLOSURE_TARGET = env.float("ENFORCEMENT_CLOSURE_TARGET", default=100.0)
# The weekly report: a build still "building" after this many seconds is taken to be dead (its
# worker was killed past the task's 300 s time limit) and may be started again.
ASSESSMENT_WEEKLY_STALE_SECONDS = env.int("ASSESSMENT_WEEKLY_STALE_SECONDS", default=900)
# A week queued or building whose task the broker no longer holds is queued again once its row is
# this old (a message is published after commit: a younger row may not be in the broker yet).
ASSESSMENT_WEEKLY_RECONCILE_GRACE_SECONDS = env.int("ASSESSMENT_WEEKLY_RECONCILE_GRACE_SECONDS", default=60)
# A worker that starts sends the reconcile tasks at once (config/celery.py).
RECONCILE_ON_WORKER_START = env.bool("RECONCILE_ON_WORKER_START", default=True)
# Weeks in the county's week-by-week line of the weekly report.
ASSESSMENT_WEEKLY_CHART_WEEKS = 12
