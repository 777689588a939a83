"""Second connections to the suite's PostgreSQL database as other roles: the app role, a superuser.

The suite itself connects as the owner (TEST_DATABASE_URL's role, which migrates). These prove what
the *other* roles can and cannot do, against the real server. scripts/ensure-services.sh creates
the app role; the superuser is the local cluster's ``postgres`` (TEST_PG_SUPERUSER to change it).
"""
import contextlib
import os

import psycopg2
from django.conf import settings
from django.db import connection

APP_ROLE_PASSWORD = os.environ.get("DATABASE_APP_PASSWORD", settings.DATABASE_APP_ROLE)
SUPERUSER = os.environ.get("TEST_PG_SUPERUSER", "postgres")


@contextlib.contextmanager
def connect_as(user: str, password: str | None = None, *, autocommit: bool = True):
    params = connection.settings_dict
    conn = psycopg2.connect(
        dbname=params["NAME"], host=params["HOST"] or "127.0.0.1", port=params["PORT"] or 5432,
        user=user, password=password, connect_timeout=5,
    )
    conn.autocommit = autocommit
    try:
        yield conn
    finally:
        conn.close()


def as_app_role(**kwargs):
    return connect_as(settings.DATABASE_APP_ROLE, APP_ROLE_PASSWORD, **kwargs)


def as_superuser(**kwargs):
    return connect_as(SUPERUSER, os.environ.get("TEST_PG_SUPERUSER_PASSWORD"), **kwargs)
