"""The home page's screening panel: the user's queue in two numbers (one query) and links."""
from django.db.models import Count
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
        # Grouped by the two flags (at most four rows) in one statement; an aggregate's FILTER
        # cannot name these annotations.
        groups = (queue_scope(user, pathway_steps(timezone.localdate())).filter(step__isnull=False)
                  .order_by().values("overdue", "high_risk").annotate(n=Count("id")))
        counts = {"total": 0, "overdue": 0, "high_risk": 0}
        for group in groups:
            counts["total"] += group["n"]
            counts["overdue"] += group["n"] if group["overdue"] else 0
            counts["high_risk"] += group["n"] if group["high_risk"] else 0
    links = []
    if user.can(Cap.SCREENING_CHANGE):
        links.append(("find", _("查找夫妇、登记检查"), "screening:find"))
    if user.can(Cap.SCREENING_RATES):
        links.append(("rates", _("孕检指标"), "screening:rates"))
    return {"screening_counts": counts,
            "screening_links": [{"key": k, "label": label, "url": reverse(name)} for k, label, name in links]}
