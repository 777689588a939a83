"""Template helpers for follow-up visits: the couple's visit panel and service labels."""
from django import template

from accounts.roles import Cap

from ..models import VisitService
from ..selectors.visits import couple_visit_history

register = template.Library()

_SERVICE_LABELS = dict(VisitService.choices)


@register.simple_tag(takes_context=True)
def couple_visit_panel(context, couple):
    """The couple's visit history (one query, visitors joined) and whether this user may add one."""
    user = context["request"].user
    return {
        "visits": couple_visit_history(couple),
        "can_record": user.can(Cap.VISIT_RECORD) and couple.in_register and not couple.is_void,
        "can_void": user.can(Cap.VISIT_RECORD),
    }


@register.filter
def visit_service_labels(codes) -> str:
    """["health_education", ...] → "健康教育、…" in the active language."""
    return "、".join(str(_SERVICE_LABELS.get(code, code)) for code in (codes or []))
