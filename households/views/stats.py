"""Leader statistics: per-township counts of the register work, read-only (Cap.REGISTER_STATS)."""
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.permissions import capability_required
from accounts.roles import Cap

from ..selectors.visits import month_start, stats_total, township_stats


@require_GET
@capability_required(Cap.REGISTER_STATS)
def stats(request):
    today = timezone.localdate()
    rows = list(township_stats(on=today))  # one query, one row per township
    return render(request, "households/stats_townships.html", {
        "rows": rows, "total": stats_total(rows), "today": today, "month_start": month_start(today),
    })
