"""Reads of 包村联户: the coverage page (who and what is not covered), a cadre's linked households,
needs in scope. Each figure is one query whatever the number of groups, villages or cadres.

"This quarter" is the calendar quarter of today (Asia/Shanghai): a linked household is unvisited
when no outreach visit (by anyone) to it is dated on or after the quarter's first day.
"""
import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User, Village
from accounts.roles import Role

from ..models import CadreLink, Household, Need, OutreachVisit, WorkGroup

BUREAU_ROLES = (Role.BUREAU_STAFF, Role.LEADER)


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def staff_without_group():
    in_group = WorkGroup.objects.filter(is_active=True, members=OuterRef("pk"))
    return User.objects.filter(role__in=BUREAU_ROLES, is_active=True).exclude(Exists(in_group)).order_by(
        "role", "username")


def villages_without_group():
    linked = WorkGroup.objects.filter(is_active=True, villages=OuterRef("pk"))
    return Village.objects.filter(is_active=True, township__is_active=True).exclude(Exists(linked)).select_related(
        "township").order_by("township__sort_order", "code")


def active_links():
    return CadreLink.objects.filter(ended_at__isnull=True, household__is_void=False)


def _visited_since(since: datetime.date):
    return Exists(OutreachVisit.objects.filter(household=OuterRef("household"), visit_date__gte=since))


def unvisited_links(*, today: datetime.date | None = None, cadre_id: int | None = None):
    """Active links whose household had no outreach visit this quarter."""
    since = quarter_start(today or timezone.localdate())
    qs = active_links().exclude(_visited_since(since))
    if cadre_id:
        qs = qs.filter(cadre_id=cadre_id)
    return qs


def coverage(*, today: datetime.date | None = None) -> dict:
    """The coverage page's figures: three queries."""
    today = today or timezone.localdate()
    since = quarter_start(today)
    cadres = list(
        active_links().order_by().values("cadre_id", "cadre__name", "cadre__username")
        .annotate(linked=Count("id"), unvisited=Count("id", filter=~_visited_since(since)))
        .order_by("-linked", "cadre__username")
    )
    return {
        "quarter_start": since,
        "staff_without_group": staff_without_group().count(),
        "villages_without_group": villages_without_group().count(),
        "cadres": cadres,
        "linked_total": sum(c["linked"] for c in cadres),
        "unvisited_total": sum(c["unvisited"] for c in cadres),
    }


def linked_households(*, cadre_id: int):
    return active_links().filter(cadre_id=cadre_id).select_related("household__village", "household__township",
                                                                   "group").order_by("household__village__code",
                                                                                     "household__head_name")


def linkable_households(*, group: WorkGroup, q: str = "", cadre_id: int, limit: int = 30) -> list[Household]:
    """Active households of the group's villages not yet linked to ``cadre_id``, by name or address."""
    qs = Household.objects.filter(is_void=False, village__work_groups=group).exclude(
        cadre_links__cadre_id=cadre_id, cadre_links__ended_at__isnull=True)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(head_name__icontains=q) | Q(address__icontains=q) | Q(village__name__icontains=q))
    return list(qs.select_related("village").order_by("village__code", "head_name", "id")[:limit])


def needs_in_scope(*, user, status: str = "", overdue: bool = False, today: datetime.date | None = None):
    qs = Need.objects.visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status__in=Need.OPEN_STATUSES, deadline__lt=today or timezone.localdate())
    return qs.select_related("household__village", "township", "raised_by").order_by("deadline", "id")


def need_counts(*, user, today: datetime.date | None = None) -> dict:
    """Open and overdue needs the user sees (their work groups' villages): one query."""
    today = today or timezone.localdate()
    return Need.objects.visible_to(user).filter(status__in=Need.OPEN_STATUSES).aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(deadline__lt=today)))


def weekly_coverage(*, end: datetime.date) -> dict:
    """The Monday briefing's 包村联户 line, as of the week's end (``end`` exclusive): villages in no
    work group (today's groups: they keep no history), linked households not visited in the
    quarter so far, and needs open / overdue at the end of the week. Three queries."""
    last_day = end - datetime.timedelta(days=1)
    since = quarter_start(last_day)
    links = CadreLink.objects.filter(linked_at__date__lt=end, household__is_void=False).filter(
        Q(ended_at__isnull=True) | Q(ended_at__date__gte=end))
    unvisited = links.exclude(Exists(OutreachVisit.objects.filter(
        household=OuterRef("household"), visit_date__gte=since, visit_date__lt=end))).values("household").distinct()
    open_at_end = Need.objects.filter(visit__visit_date__lt=end).filter(  # raised in a visit before the end
        Q(status__in=Need.OPEN_STATUSES) | Q(closed_at__date__gte=end))
    needs = open_at_end.aggregate(open=Count("id"), overdue=Count("id", filter=Q(deadline__lt=last_day)))
    return {"villages_without_group": villages_without_group().count(), "unvisited_households": unvisited.count(),
            "needs_open": needs["open"], "needs_overdue": needs["overdue"], "quarter_start": since.isoformat()}
