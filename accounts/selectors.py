import datetime

from django.utils import timezone

from .models import AuditEvent


def audit_events(*, username: str = "", action: str = "", date_from=None, date_to=None):
    """The audit trail, newest first, filtered as the auditor asked. Dates are Asia/Shanghai days."""
    qs = AuditEvent.objects.select_related("user", "township")
    if username:
        qs = qs.filter(username__iexact=username.strip())
    if action:
        qs = qs.filter(action=action)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lt=datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz))
    return qs.order_by("-at", "-id")
