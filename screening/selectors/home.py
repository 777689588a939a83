"""The home page's screening panel: the user's queue in two numbers (one query) and links."""
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Cap

from .queue import pathway_steps, queue_scope


def home_panel(user) -> dict | None:
    if not (user.can(Cap.SCREENING_VIEW) or user.can(Cap.SCREENING_RATES)):
        return None
    counts = None
    if user.can(Cap.SCREENING_VIEW):
        counts = queue_scope(user, pathway_steps(timezone.localdate())).filter(step__isnull=False).aggregate(
            total=Count("id"), overdue=Count("id", filter=Q(overdue=True)),
            high_risk=Count("id", filter=Q(high_risk=True)))
    links = []
    if user.can(Cap.SCREENING_CHANGE):
        links.append(("find", _("查找夫妇、登记检查"), "screening:find"))
    if user.can(Cap.SCREENING_RATES):
        links.append(("rates", _("孕检指标"), "screening:rates"))
    return {"screening_counts": counts,
            "screening_links": [{"key": k, "label": label, "url": reverse(name)} for k, label, name in links]}
