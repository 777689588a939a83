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


# --- A forged chain check (issue #22 finding 6) ---------------------------------------------------
def _auditor_page(auditor) -> str:
    from django.test import Client

    from tests.conftest import pass_second_factor

    client = Client()
    client.force_login(auditor)
    pass_second_factor(client, auditor)
    return client.get("/accounts/audit/").content.decode()


def _broken_chain():
    from tests.accounts.test_audit_chain import owner_sql

    rows = [AuditEvent.objects.create(username="u", action=AuditEvent.Action.VIEW, detail=f"row {i}") for i in range(3)]
    owner_sql("UPDATE accounts_auditevent SET detail = 'forged' WHERE id = %s", [rows[1].pk])
    assert not verify_chain().ok


def test_one_insert_by_the_app_role_does_not_turn_a_broken_chain_intact(auditor):
    _broken_chain()
    with as_app_role() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT seq, hash FROM accounts_auditevent ORDER BY seq DESC LIMIT 1")
        head_seq, head_hash = cursor.fetchone()
        cursor.execute("INSERT INTO accounts_auditchaincheck (checked_at, ok, rows, head_seq, head_hash, problems,"
                       " seconds, signature) VALUES (now(), true, 3, %s, %s, '[]', 0.1, %s)",
                       [head_seq, head_hash, "0" * 64])
    html = _auditor_page(auditor)
    assert 'data-testid="chain-ok"' not in html
    assert 'data-testid="chain-broken"' in html and 'data-testid="chain-forged"' in html


def test_a_genuine_ok_check_copied_again_by_the_app_role_does_not_verify(auditor):
    AuditEvent.objects.create(username="u", action=AuditEvent.Action.VIEW, detail="first")
    assert verify_chain().ok  # a genuine, signed "ok" row
    _broken_chain()
    with as_app_role() as conn, conn.cursor() as cursor:  # replay the genuine row under a new id
        cursor.execute("INSERT INTO accounts_auditchaincheck (checked_at, ok, rows, head_seq, head_hash,"
                       " first_bad_seq, problems, seconds, signature)"
                       " SELECT checked_at, ok, rows, head_seq, head_hash, first_bad_seq, problems, seconds, signature"
                       " FROM accounts_auditchaincheck WHERE ok ORDER BY id LIMIT 1")
    html = _auditor_page(auditor)
    assert 'data-testid="chain-forged"' in html and 'data-testid="chain-ok"' not in html


def test_a_genuine_check_reads_intact_and_its_head_must_still_be_there(auditor):
    AuditEvent.objects.create(username="u", action=AuditEvent.Action.VIEW, detail="first")
    assert verify_chain().ok
    assert 'data-testid="chain-ok"' in _auditor_page(auditor)
    from tests.accounts.test_audit_chain import superuser_sql

    superuser_sql("DELETE FROM accounts_auditevent WHERE seq = (SELECT head_seq FROM accounts_auditchaincheck"
                  " ORDER BY id DESC LIMIT 1)")
    html = _auditor_page(auditor)
    assert 'data-testid="chain-head-gone"' in html and 'data-testid="chain-ok"' not in html
