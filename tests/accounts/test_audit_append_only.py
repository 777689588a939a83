"""The audit trail is append-only in PostgreSQL itself (migration 0002), not only in the ORM.

Each refused statement runs inside ``transaction.atomic()`` so the error rolls back to a savepoint
and the test's connection stays usable for the checks after it.
"""
import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from accounts.models import AuditEvent


@pytest.fixture
def event(clerk_a):
    return AuditEvent.objects.create(
        user=clerk_a, username="clerk_a", action=AuditEvent.Action.VIEW, object_type="households.person",
        object_id="42", township=clerk_a.township, detail="original",
    )


def assert_unchanged(event):
    event.refresh_from_db()
    assert (event.username, event.detail, event.object_id) == ("clerk_a", "original", "42")


def test_new_audit_rows_can_be_written(event):
    assert AuditEvent.objects.filter(pk=event.pk, detail="original").exists()


def test_raw_sql_update_of_audit_row_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE accounts_auditevent SET detail = %s WHERE id = %s", ["forged", event.pk])
    assert_unchanged(event)


def test_raw_sql_delete_of_audit_row_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_delete_of_whole_trail_is_refused(event):
    AuditEvent.objects.create(username="other", action=AuditEvent.Action.LOGIN)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_auditevent")
    assert AuditEvent.objects.count() == 2


def test_orm_queryset_update_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(username="forged")
    assert_unchanged(event)


def test_orm_save_of_existing_row_is_refused(event):
    event.detail = "forged"
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            event.save()
    assert_unchanged(event)


def test_orm_queryset_delete_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_orm_instance_delete_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_user_with_audit_rows_cannot_be_deleted(event, clerk_a):
    # PROTECT on AuditEvent.user: deleting staff would orphan who-did-what.
    with pytest.raises(ProtectedError):
        clerk_a.delete()
