"""Reads of the rewards and penalties (奖优罚劣): a year's outcomes, a township's history, the notice.

Each is one query (decision, township and leader joined), whatever the number of townships.
"""
from django.db.models import F

from ..models import Outcome, OutcomeDecision, Subject
from ..permissions import sees_county


def _rows(qs):
    return qs.select_related("township", "leader", "decision", "decided_by", "supersedes").order_by(
        "subject", F("rank").asc(nulls_last=True), "township__sort_order", "leader__name", "created_at", "id")


def year_outcomes(*, year: int, user) -> list[Outcome]:
    """Every outcome of ``year`` in the user's scope, current and superseded; clerks only issued
    rows of their own township."""
    qs = Outcome.objects.visible_to(user).filter(year=year)
    if not sees_county(user):
        qs = qs.filter(status=Outcome.Status.ISSUED)
    return list(_rows(qs))


def township_history(*, user, township_id: int) -> list[Outcome]:
    """A township's issued outcomes of every year, newest year first (its clerks' page)."""
    qs = Outcome.objects.visible_to(user).filter(township_id=township_id, status=Outcome.Status.ISSUED)
    return list(qs.select_related("township", "decision", "supersedes").order_by("-year", "created_at", "id"))


def notice_rows(*, year: int) -> dict:
    """The notice (通报): current issued outcomes in rank order, townships then leaders, and the
    year's decisions."""
    rows = list(_rows(Outcome.objects.filter(year=year, is_current=True, status=Outcome.Status.ISSUED)))
    return {
        "townships": [r for r in rows if r.subject == Subject.TOWNSHIP],
        "leaders": [r for r in rows if r.subject == Subject.LEADER],
        "decisions": list(OutcomeDecision.objects.filter(year=year).order_by("decided_on", "id")),
    }


def status_counts(rows: list[Outcome]) -> dict:
    current = [r for r in rows if r.is_current]
    return {status: sum(1 for r in current if r.status == status) for status in Outcome.Status.values}
