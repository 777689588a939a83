"""The two things core needs from the layer above it, without importing it: the audit trail and
the capability check.

``core`` is the lowest layer (docs/architecture.md; import-linter's contracts in pyproject.toml):
it must not import ``accounts``, which owns users, roles and the audit trail. Yet exports and
voiding write audit rows, and the export views check a capability. ``accounts`` therefore installs
its implementations here when Django starts (``AccountsConfig.ready``); core calls them through
``audit(...)`` and ``require_capability(...)``.

The actions core records are named here by their stored values (``accounts.models.AuditEvent.Action``).
"""
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

EXPORT = "export"
DELETE = "delete"
VIEW = "view"

_hooks: dict[str, Callable] = {}


def install(*, audit: Callable, require_capability: Callable) -> None:
    """Called once by the accounts app: ``audit(action=..., **fields)`` appends an audit row
    (``accounts.services.audit_log``); ``require_capability(user, capability)`` raises the 403
    (``accounts.permissions.require_capability``)."""
    _hooks["audit"] = audit
    _hooks["require_capability"] = require_capability


def _hook(name: str) -> Callable:
    try:
        return _hooks[name]
    except KeyError:
        raise ImproperlyConfigured("core.access: no %s installed (is accounts in INSTALLED_APPS?)" % name) from None


def audit(**fields):
    """Append one row to the audit trail (the keyword arguments of ``accounts.services.audit_log``)."""
    return _hook("audit")(**fields)


def require_capability(user, capability: str) -> None:
    """Raise the 403 (and its audit row) unless ``user``'s role has ``capability``."""
    _hook("require_capability")(user, capability)
