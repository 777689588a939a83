"""Access helpers every app uses.

- Outside the user's scope → 404 (``OutOfScope``): a record's existence is not revealed.
- In scope but the role may not do this → 403 (``PermissionDenied``).
- Anonymous → login redirect (``LoginRequiredMiddleware``).

Both refusals are written to the audit trail as ``denied`` by ``AuditDeniedMiddleware``.
"""
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Township


class OutOfScope(Http404):
    """A 404 that is really a refusal: the record exists but not for this user."""

    def __init__(self, object_type: str = "", object_id="", township_id=None):
        super().__init__("Not found")
        self.object_type = object_type
        self.object_id = str(object_id)
        self.township_id = township_id


class CapabilityDenied(PermissionDenied):
    def __init__(self, capability: str, *, object_type: str = "", object_id=""):
        super().__init__(capability)
        self.capability = capability
        self.object_type = object_type
        self.object_id = str(object_id)


def require_capability(user, capability: str, *, obj=None) -> None:
    if not user.can(capability):
        raise CapabilityDenied(
            capability,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=obj.pk if obj is not None else "",
        )


def capability_required(capability: str):
    """View decorator: 403 unless the logged-in user's role has ``capability``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require_capability(request.user, capability)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def get_object_for_user(queryset, user, pk, *, capability: str | None = None):
    """Load one record through ``queryset.visible_to(user)``.

    Not visible → ``OutOfScope`` (404). Visible but ``capability`` missing → 403.
    """
    model = queryset.model
    try:
        obj = queryset.visible_to(user).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise OutOfScope(model._meta.label_lower, pk) from None
    if capability is not None:
        require_capability(user, capability, obj=obj)
    return obj


def get_township_for_user(user, pk) -> Township:
    """County-wide roles see every township; a clerk only their own."""
    qs = Township.objects.all()
    if user.township_id and user.role == "clerk":
        qs = qs.filter(pk=user.township_id)
    try:
        return qs.get(pk=pk)
    except (Township.DoesNotExist, ValueError, TypeError):
        raise OutOfScope("accounts.township", pk) from None
