"""The application's database role owns nothing and cannot erase or rewrite the audit trail.

The suite migrates as the owner (TEST_DATABASE_URL's role); accounts.db_roles grants the app role
(settings.DATABASE_APP_ROLE) its privileges after migrate. These tests connect as that role to the
suite's own database, and one runs the application's code under it.
"""
import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from accounts.audit_chain import verify_chain
from accounts.models import AuditEvent
from accounts.services import audit_log
from tests.support.pg import APP_ROLE_PASSWORD, as_app_role

pytestmark = pytest.mark.django_db(transaction=True)  # the other connection must see committed rows


@pytest.fixture
def event(clerk_a):
    return AuditEvent.objects.create(user=clerk_a, username="clerk_a", action=AuditEvent.Action.VIEW, detail="x")


def refused(cursor, sql) -> str:
    with pytest.raises(psycopg2.Error) as caught:
        cursor.execute(sql)
    cursor.connection.rollback()
    return str(caught.value)


def test_the_app_role_owns_no_table_sequence_or_function():
    with as_app_role() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles"
                       " WHERE rolname = current_user)")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False, False)


def test_the_app_role_may_append_and_read_the_trail(event):
    with as_app_role() as conn, conn.cursor() as cursor:
        cursor.execute("INSERT INTO accounts_auditevent (at, username, action, object_type, object_id, success,"
                       " detail, prev_hash, hash) VALUES (now(), 'app', 'view', '', '', true, 'by app', '', '')")
        cursor.execute("SELECT count(*) FROM accounts_auditevent")
        assert cursor.fetchone()[0] == 2
    assert verify_chain().ok


@pytest.mark.parametrize("sql, message", [
    ("TRUNCATE accounts_auditevent", "permission denied"),
    ("UPDATE accounts_auditevent SET detail = 'forged'", "permission denied"),
    ("DELETE FROM accounts_auditevent", "permission denied"),
    ("ALTER TABLE accounts_auditevent DISABLE TRIGGER USER", "must be owner"),
    ("DROP TRIGGER accounts_audit_chain ON accounts_auditevent", "must be owner"),
    ("DROP TABLE accounts_auditevent", "must be owner"),
    ("SET session_replication_role = replica", "permission denied"),
    ("TRUNCATE accounts_auditchaincheck", "permission denied"),
    ("DELETE FROM accounts_auditchaincheck", "permission denied"),
    ("CREATE TABLE public.shadow (id int)", "permission denied"),
])
def test_the_app_role_cannot_erase_rewrite_or_unprotect_the_trail(event, sql, message):
    with as_app_role(autocommit=False) as conn, conn.cursor() as cursor:
        assert message in refused(cursor, sql)
    event.refresh_from_db()
    assert event.detail == "x"
    assert verify_chain().ok


def test_the_app_role_may_change_ordinary_tables(clerk_a):
    with as_app_role() as conn, conn.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET phone = '13800000000' WHERE id = %s", [clerk_a.pk])
        assert cursor.rowcount == 1


def test_the_application_runs_under_the_app_role(clerk_a, village_a):
    """The app's own code, services and audit rows included, on a connection as the app role."""
    from households.services.register import household_create

    owner = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(USER=settings.DATABASE_APP_ROLE, PASSWORD=APP_ROLE_PASSWORD)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == settings.DATABASE_APP_ROLE
        household = household_create(by=clerk_a, village=village_a, address="三组 12 号", head_name="王建国")
        audit_log(action=AuditEvent.Action.VIEW, user=clerk_a, obj=household)
        report = verify_chain()
        assert report.ok
        assert "the connected database role owns the audit table" not in " ".join(report.warnings)
    finally:
        connection.close()
        connection.settings_dict.update(USER=owner["USER"], PASSWORD=owner["PASSWORD"])
    assert AuditEvent.objects.filter(object_type="households.household", object_id=str(household.pk)).count() == 2
