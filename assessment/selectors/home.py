"""The assessment panel on the home page (``AssessmentConfig.home_panel``).

Leaders: the county ranking of the year with rank changes, their liaison townships highlighted,
the indicators that moved most since last week, and the weekly report once it exists. Assessors:
a way into entry. Clerks: their own township's current score and last year's published rank.
"""
from django.urls import NoReverseMatch, reverse

from accounts.roles import Cap

from ..models import AnnualScore, Liaison, Scheme
from ..permissions import can_view_assessment, is_assessor, sees_county
from .ranking import current_year, ranking
from .scorecard import biggest_moves
from .weekly import home_summary

# The weekly report (issue #10) adds this URL name in assessment/urls.py; until then no link.
WEEKLY_REPORT_URL = "assessment:weekly_latest"


def _weekly_url() -> str | None:
    try:
        return reverse(WEEKLY_REPORT_URL)
    except NoReverseMatch:
        return None


def home_panel(user) -> dict | None:
    if not can_view_assessment(user):
        return None
    year = current_year()
    ranked_year = year
    if sees_county(user):
        rows = ranking(year=year, user=user)
        if not any(r.rank for r in rows):
            # Early in a year nothing is ranked yet: show last year's ranking instead.
            previous = ranking(year=year - 1, user=user)
            if any(r.rank for r in previous):
                rows, ranked_year = previous, year - 1
        liaison, briefing = user.can(Cap.ASSESSMENT_LIAISON), user.can(Cap.ASSESSMENT_BRIEFING)
        mine = set()
        if liaison:
            mine = set(Liaison.objects.filter(leader=user, year=ranked_year).values_list("township_id", flat=True))
        return {
            "assessment_panel": {
                "kind": "county", "year": ranked_year, "rows": rows, "mine": mine,
                "moves": biggest_moves() if briefing else [],
                "weekly_url": _weekly_url(), "has_liaison": liaison,
                # The latest Monday briefing: its week, problems and the county's visits (one query).
                "weekly": home_summary() if briefing else None,
                "can_enter": is_assessor(user),
            }
        }
    own = AnnualScore.objects.filter(year=year, township_id=user.township_id).first()
    last = AnnualScore.objects.filter(year=year - 1, township_id=user.township_id).first()
    last_closed = Scheme.objects.filter(year=year - 1, is_closed=True).exists()
    return {
        "assessment_panel": {
            "kind": "township", "year": year, "own": own, "last": last if last_closed else None,
            "township_id": user.township_id, "weekly_url": _weekly_url(),
        }
    }
