"""Logins, logouts and failed logins go to the audit trail, from any login form (ours or admin)."""
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditEvent
from .services import audit_log
from .sessions import mark_refreshed


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit_log(action=AuditEvent.Action.LOGIN, request=request, user=user, township_id=user.township_id)
    if request is not None and hasattr(request, "session"):
        # The login saves the session anyway: the idle clock starts now (accounts.sessions).
        mark_refreshed(request.session)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_log(action=AuditEvent.Action.LOGOUT, request=request, user=user, township_id=user.township_id)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # The password is never stored; Django already replaced it with asterisks in `credentials`.
    if getattr(request, "_login_failure_audited", False):
        return  # our login form audits its failures itself, aggregated (accounts/login_audit.py)
    audit_log(
        action=AuditEvent.Action.LOGIN_FAILED, request=request, user=None,
        username=str(credentials.get("username", ""))[:150], success=False,
    )
