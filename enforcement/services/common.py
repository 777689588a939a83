"""Helpers the enforcement services share."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import AuditEvent
from accounts.services import audit_log
from core.records import ConcurrentEdit, save_versioned

__all__ = ["ConcurrentEdit", "audit_change", "require_reason", "save_fields"]


def audit_change(*, action: str, obj, by, request=None, detail: str = "") -> None:
    audit_log(action=action, request=request, user=by, obj=obj, detail=detail)


def save_fields(obj, *, data: dict, expected_version: int, by, request=None, detail: str = "") -> None:
    """Apply ``data`` to ``obj`` and save it only if nobody saved it since ``expected_version``
    (the version the form was opened at): two inspectors editing one record never overwrite
    each other silently. Audited."""
    for name, value in data.items():
        setattr(obj, name, value)
    save_versioned(obj, expected_version=expected_version, fields=list(data))
    audit_change(action=AuditEvent.Action.UPDATE, obj=obj, by=by, request=request, detail=detail or "edit")


def require_reason(reason: str, message=None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message or _("请填写理由。")})
    return reason
