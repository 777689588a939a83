from django.conf import settings

from .navigation import items_for
from .roles import Cap


def navigation(request):
    user = getattr(request, "user", None)
    return {
        "nav_items": items_for(user) if user is not None else [],
        "site_title": settings.SITE_TITLE,
        # The offline outbox (docs/offline.md) is for those who record visits; nobody else gets its badge.
        "records_visits": bool(user is not None and user.is_authenticated
                               and (user.can(Cap.VISIT_RECORD) or user.can(Cap.OUTREACH_RECORD))),
    }
