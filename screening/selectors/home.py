"""The home page's screening panel: the user's queue in two numbers (one query) and links."""
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Cap

from ..models import PathwayState, QueueRank
from .queue import queue_scope


def home_panel(user) -> dict | None:
    if not (user.can(Cap.SCREENING_VIEW) or user.can(Cap.SCREENING_RATES)):
        return None
    counts = None
    if user.can(Cap.SCREENING_VIEW):
        # The stored next steps (the caller refreshed them for today: ScreeningConfig.home_panel),
        # grouped by rank: at most four rows.
        groups = (queue_scope(user, PathwayState.objects.all(), state="")
                  .order_by().values("rank").annotate(n=Count("pk")))
        counts = {"total": 0, "overdue": 0, "high_risk": 0}
        for group in groups:
            counts["total"] += group["n"]
            counts["overdue"] += group["n"] if group["rank"] <= QueueRank.OVERDUE else 0
            counts["high_risk"] += group["n"] if group["rank"] in (QueueRank.OVERDUE_HIGH_RISK, QueueRank.HIGH_RISK) else 0
    links = []
    if user.can(Cap.SCREENING_CHANGE):
        links.append(("find", _("查找夫妇、登记检查"), "screening:find"))
    if user.can(Cap.SCREENING_RATES):
        links.append(("rates", _("孕检指标"), "screening:rates"))
    return {"screening_counts": counts,
            "screening_links": [{"key": k, "label": label, "url": reverse(name)} for k, label, name in links]}
