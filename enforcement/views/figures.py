"""Figures per township and for the county, for any period (inspectors and leaders, read-only)."""

import datetime

from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import capability_required
from accounts.roles import Cap

from core.forms import PeriodForm
from ..selectors.figures import township_figures


@require_GET
@capability_required(Cap.ENFORCEMENT_VIEW)
def figures(request):
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    if not form.is_bound:  # show the default period in the date fields
        form = PeriodForm(initial={"start": start, "end": end - datetime.timedelta(days=1)})
    rows, total = township_figures(start=start, end=end)  # one query
    return render(
        request,
        "enforcement/figures.html",
        {
            "form": form,
            "rows": rows,
            "total": total,
            "start": start,
            "end": end,
            "last_day": end - datetime.timedelta(days=1),
            "period_query": f"start={start.isoformat()}&end={end.isoformat()}",
        },
    )
