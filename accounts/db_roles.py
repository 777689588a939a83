"""Two PostgreSQL roles: the owner runs migrations, the application runs as a role that owns nothing.

The owner of a table can ``TRUNCATE`` it, ``DISABLE TRIGGER`` its append-only triggers and
``DROP`` it, whatever the triggers say. So the web server, the Celery worker and beat connect as
``DATABASE_APP_ROLE`` (default ``township_app``), which this module grants only what the app
needs after every ``migrate`` (post_migrate): SELECT/INSERT/UPDATE/DELETE on the tables, the
sequences, and on the audit trail and its checks nothing but SELECT and INSERT.

Migrations run under the owner (``DATABASE_OWNER_URL`` in scripts/run.sh, the deployer's
credentials in production). docs/operations.md has the SQL to create both roles.
"""
import logging

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

# Tables whose rows the application may add and read but never change, remove or empty.
APPEND_ONLY_TABLES = ("accounts_auditevent", "accounts_auditchaincheck")


def grant_app_role(*, using: str = "default") -> str | None:
    """Grant ``settings.DATABASE_APP_ROLE`` the app's privileges; returns the role, or None if skipped."""
    role = getattr(settings, "DATABASE_APP_ROLE", "")
    connection = connections[using]
    if not role or connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", [role])
        current, exists = cursor.fetchone()
        if role == current:
            # Migrating as the app role itself: it owns what it just created, nothing to grant.
            log.warning("DATABASE_APP_ROLE %s is the role running migrations: it owns the tables", role)
            return None
        if not exists:
            log.warning("DATABASE_APP_ROLE %s does not exist: run scripts/ensure-services.sh "
                        "or create it (docs/operations.md)", role)
            return None
        quoted = connection.ops.quote_name(role)
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
        cursor.execute(f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {quoted}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
        # The app reads the migration history (runserver's check) but never writes it.
        cursor.execute(f"REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM {quoted}")
        for table in APPEND_ONLY_TABLES:
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {quoted}")
    return role


def grant_after_migrate(sender, using="default", **kwargs):
    # post_migrate fires once per app; granting once per migrate is enough (accounts' signal).
    grant_app_role(using=using)
