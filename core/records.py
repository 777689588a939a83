"""Writes every app's records share: optimistic locking (``save_versioned``) and voiding.

Services call these inside their own transactions; views never do.
"""
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import access


class ConcurrentEdit(Exception):
    """Someone saved the record after this form was opened. The form shows this message."""

    message = _("该记录已被他人修改。为避免覆盖对方的修改，本次未保存；请刷新页面查看最新内容后再修改。")

    def __str__(self):
        return str(self.message)


def save_versioned(obj: models.Model, *, expected_version: int, fields: list[str]) -> None:
    """Write ``fields`` of ``obj`` only if nobody changed the row since ``expected_version``.

    One conditional UPDATE (``WHERE version = expected``): no lock is held while the clerk types,
    and two saves racing each other cannot both win — the second finds the version moved on.
    """
    model = type(obj)
    values = {name: getattr(obj, name) for name in fields}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        values["updated_at"] = timezone.now()
    updated = model._base_manager.filter(pk=obj.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if updated != 1:
        raise ConcurrentEdit()
    obj.version = expected_version + 1


def void_record(obj: models.Model, *, by, reason: str, request=None) -> None:
    """Void (never delete) a ``core.models.Voidable`` record, with the reason, and audit it."""
    obj.is_void = True
    obj.void_reason = reason
    obj.voided_at = timezone.now()
    obj.voided_by = by
    obj.save(update_fields=["is_void", "void_reason", "voided_at", "voided_by"])
    access.audit(action=access.DELETE, request=request, user=by, obj=obj, detail=f"void: {reason}")
