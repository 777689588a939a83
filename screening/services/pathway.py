"""Keep a screening's pathway columns in step with its follow-ups.

The queue reads one row per couple (its *current* screening) and decides the next step with SQL
from these columns and today's date (selectors.queue): no joins to the follow-up tables and no
per-row Python. Every service that writes a follow-up calls ``refresh_pathway`` in the same
transaction, and every service that creates or voids a screening calls ``refresh_current``.
Both then refresh the couple's stored next step (``services.pathway_state``) unless told not to
(the demo and the bench generator write many, then rebuild every couple's at once).
"""
from ..models import EarlyPregnancyFollowUp, EarlyResult, OutcomeFollowUp, PrenatalScreening, Screening
from .pathway_state import pathway_state_refresh


def refresh_current(couple_id: int, *, state: bool = True) -> None:
    """Mark the couple's latest active screening (by exam date, then id) as its current one."""
    latest = (Screening.objects.filter(couple_id=couple_id, is_void=False).order_by("-exam_date", "-id")
              .values_list("pk", flat=True).first())
    Screening.objects.filter(couple_id=couple_id, is_current=True).exclude(pk=latest).update(is_current=False)
    if latest is not None:
        Screening.objects.filter(pk=latest).update(is_current=True)
    if state:
        pathway_state_refresh([couple_id])


def refresh_pathway(screening_id: int, *, state: bool = True) -> None:
    """Recompute the follow-up columns of one screening from its active follow-ups."""
    early = EarlyPregnancyFollowUp.objects.filter(screening_id=screening_id, is_void=False)
    latest = early.order_by("-followed_on", "-id").values("result", "followed_on").first()
    pregnant = (early.filter(result=EarlyResult.PREGNANT).order_by("-followed_on", "-id")
                .values("lmp", "pregnancy_visit_id").first())
    prenatal = PrenatalScreening.objects.filter(screening_id=screening_id, is_void=False)
    high_pending = (prenatal.filter(result=PrenatalScreening.Result.HIGH, diagnosis_result="")
                    .order_by("tested_on").values_list("tested_on", flat=True).first())
    outcome = (OutcomeFollowUp.objects.filter(screening_id=screening_id, is_void=False)
               .order_by("-followed_on", "-id").values("result", "followed_on").first())
    Screening.objects.filter(pk=screening_id).update(
        # Once a pregnancy is recorded the early stage is over: a later 未孕 cannot hide it.
        early_result=EarlyResult.PREGNANT if pregnant else (latest["result"] if latest else ""),
        early_last_on=latest["followed_on"] if latest else None,
        pregnancy_lmp=pregnant["lmp"] if pregnant else None,
        pregnancy_visit_id=pregnant["pregnancy_visit_id"] if pregnant else None,
        prenatal_done=prenatal.exists(),
        prenatal_high_since=high_pending,
        outcome_result=outcome["result"] if outcome else "",
        outcome_last_on=outcome["followed_on"] if outcome else None,
    )
    if state:
        pathway_state_refresh(Screening.objects.filter(pk=screening_id).values_list("couple_id", flat=True))
