"""Settings per environment: what the dev server, production and `check --deploy` get."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def settings_value(module: str, expression: str, **env) -> str:
    """Evaluate ``expression`` in a fresh interpreter with settings ``module`` (no leakage from this one)."""
    clean = {k: v for k, v in os.environ.items() if k not in {"CONN_MAX_AGE", "TWO_FACTOR_REQUIRED_ROLES"}}
    code = f"import importlib; s = importlib.import_module({module!r}); print({expression})"
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env={**clean, **env},
                            capture_output=True, text=True, check=True, timeout=60)
    return result.stdout.strip()


PRODUCTION_ENV = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_ALLOWED_HOSTS": "register.example.org",
                  "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/db"}


def test_runserver_settings_close_connections_after_each_request():
    # runserver's thread per request would keep one connection per thread open (a leak under load).
    assert settings_value("config.settings.local", "s.DATABASES['default']['CONN_MAX_AGE']",
                          DATABASE_URL="postgres://u:p@127.0.0.1:5432/db") == "0"


def test_production_keeps_persistent_connections_for_gunicorn():
    assert settings_value("config.settings.production", "s.DATABASES['default']['CONN_MAX_AGE']",
                          **PRODUCTION_ENV) == "60"


def test_production_keeps_the_jit_threshold_of_every_environment():
    """production.py once rebuilt DATABASES and lost base's options: the statistics page paid its 80 ms of
    JIT compilation again in production only."""
    options = settings_value("config.settings.production", "s.DATABASES['default']['OPTIONS']['options']",
                             **PRODUCTION_ENV)
    assert options == "-c jit_above_cost=10000000"
    assert settings_value("config.settings.production", "s.DATABASES['default']['CONN_HEALTH_CHECKS']",
                          **PRODUCTION_ENV) == "True"


def test_production_requires_two_factor_for_leaders_auditors_and_admins():
    assert settings_value("config.settings.production", "sorted(s.TWO_FACTOR_REQUIRED_ROLES)",
                          **PRODUCTION_ENV) == "['admin', 'auditor', 'leader']"


def test_make_run_demo_relaxes_two_factor_unless_asked():
    assert settings_value("config.settings.local", "s.TWO_FACTOR_REQUIRED_ROLES") == "[]"
    assert settings_value("config.settings.local", "s.TWO_FACTOR_REQUIRED_ROLES",
                          TWO_FACTOR_REQUIRED_ROLES="leader,admin") == "['leader', 'admin']"


def test_check_deploy_is_clean_on_production_settings():
    # The browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE in this process: not a deployment's.
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=BASE_DIR,
        env={**env, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
