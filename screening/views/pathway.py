"""The pathway queue, a couple's pathway page and the queue's export.

Clerks see status only (that a screening happened, the risk level, the next step); clinicians
see the same list county-wide with a one-tap action for each step. No lab value is on any of
these pages or in the export (PIPL Art. 28).
"""
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.permissions import capability_required
from accounts.roles import Cap
from core.pages import audit_view
from core.pagination import paginate, query_without_page
from core.views import export_start

from ..forms.pathway import QueueFilterForm
from ..permissions import get_couple_for_user
from ..selectors.queue import couple_pathway, decorate, pathway_queue
from ..selectors.screenings import couple_pregnancies, couple_screenings
from ..services.pathway_state import pathway_queue_fresh


def _queue(request):
    form = QueueFilterForm(request.GET or None, user=request.user)
    f = form.values()
    today = timezone.localdate()
    pathway_queue_fresh(user=request.user, today=today, township=f.get("township"))
    rows = pathway_queue(user=request.user, today=today, township=f.get("township"), step=f.get("step", ""),
                         high_risk_only=f.get("high_risk", False), overdue_only=f.get("overdue", False),
                         q=f.get("q", ""))
    return form, rows, today


@require_GET
@capability_required(Cap.SCREENING_VIEW)
def queue(request):
    form, rows, today = _queue(request)
    page = paginate(request, rows)  # keyset pages: the keys first, then the page's couples by id
    decorate(page.object_list, user=request.user, today=today)
    return render(request, "screening/queue.html", {
        "form": form, "page": page, "query": query_without_page(request), "today": today,
    })


@require_GET
@capability_required(Cap.SCREENING_VIEW)
def queue_export_view(request):
    return export_start(request, "screening.queue")  # screening/exports.py


@require_GET
@capability_required(Cap.SCREENING_VIEW)
def couple_detail(request, pk):
    """The couple's pathway: screenings (status), pregnancies (one each, whichever app recorded
    them first), the next step. Results are on the screening's own page, for clinicians."""
    couple = get_couple_for_user(request.user, pk)
    today = timezone.localdate()
    row = couple_pathway(couple_id=couple.pk, today=today)
    if row is not None:
        decorate([row], user=request.user, today=today)
    screenings = list(couple_screenings(couple))
    audit_view(request, couple, detail="screening pathway")
    return render(request, "screening/couple_detail.html", {
        "couple": couple, "row": row, "screenings": screenings, "today": today,
        "pregnancies": couple_pregnancies(couple, screenings),
        "can_results": request.user.can(Cap.SCREENING_RESULTS),
        "can_change": request.user.can(Cap.SCREENING_CHANGE),
    })
