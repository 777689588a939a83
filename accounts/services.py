"""Writes owned by the accounts app: the audit trail."""
from django.conf import settings
from django.db import models

from .models import AuditEvent


def client_ip(request) -> str | None:
    """The client's address for the audit trail.

    X-Forwarded-For is written by whoever sends the request, so it is trusted only as far as our
    own proxies go: with ``TRUSTED_PROXY_COUNT = n`` the client is the n-th address from the right
    (the one our outermost proxy appended). With no proxy configured, REMOTE_ADDR is the truth.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    if forwarded and not hops:
        from .checks import note_forwarded_request

        note_forwarded_request(request, len(forwarded))  # `check --deploy` warns (accounts.W002)
    return request.META.get("REMOTE_ADDR") or None


def _township_id_of(obj):
    if obj is None:
        return None
    if hasattr(obj, "township_id"):
        return obj.township_id
    township = getattr(obj, "township", None)
    return getattr(township, "pk", None)


def audit_log(
    *,
    action: str,
    request=None,
    user=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id="",
    township_id=None,
    success: bool = True,
    detail: str = "",
    username: str = "",
    ip: str | None = None,
) -> AuditEvent:
    """Append one row to the audit trail and return it.

    ``obj`` fills the object type, id and township; explicit arguments win. Call it *outside*
    a transaction that may roll back when the event must survive a failure (refusals do).
    """
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    return AuditEvent.objects.create(
        user=user,
        username=_text(username or (user.get_username() if user else ""), 150),
        action=action,
        object_type=_text(object_type or (obj._meta.label_lower if obj is not None else ""), 60),
        object_id=_text(str(object_id or (obj.pk if obj is not None else "")), 40),
        township_id=township_id or _township_id_of(obj),
        ip=ip or (client_ip(request) if request is not None else None),
        success=success,
        detail=_text(detail, 255),
    )


def _text(value: str, limit: int) -> str:
    """A value from a request (a URL's id, a typed username) as the trail can store it: no
    control characters (PostgreSQL refuses NUL in text: the refusal itself must still be recorded),
    cut to the column's length."""
    return "".join(ch if ch >= " " or ch in "\t\n" else "\ufffd" for ch in value)[:limit]
