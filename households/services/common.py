"""Pieces every register service uses: optimistic locking and voiding (they live in ``core``),
and the idempotency key of visits sent from the offline outbox (docs/offline.md)."""
import uuid

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from core.records import ConcurrentEdit, save_versioned, void_record


def saved_before(model, client_key: uuid.UUID | None, *, by, **same):
    """The record ``by`` already saved under ``client_key`` (a resend, a double tap, a second tab),
    or ``None`` when the key is new or absent.

    Call it inside the service's transaction, before any check of the target's current state: a
    visit saved once stays saved even if the couple was voided since. A transaction-level advisory
    lock on the key makes two simultaneous sends of one key wait for each other, so the second
    finds the first's row instead of failing on the unique column. A key already used by another
    user or for another record is refused (``ValidationError``): nothing is overwritten.
    """
    if client_key is None:
        return None
    if connection.vendor == "postgresql":  # SQLite (make run without DATABASE_URL) writes one at a time anyway
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 20))", [str(client_key)])
    existing = model.objects.filter(client_key=client_key).first()
    if existing is None:
        return None
    if existing.visitor_id != by.pk or any(getattr(existing, name) != value for name, value in same.items()):
        raise ValidationError(_("该离线记录的编号已被另一条记录使用，请丢弃后重新填写。"))
    existing.replayed = True
    return existing


__all__ = ["ConcurrentEdit", "save_versioned", "void_record", "saved_before"]
