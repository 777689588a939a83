"""seed_demo's assessment data: a believable ranking for this year and last, ties, rank changes,
a pending township, liaisons, publicity sites, an assessor; idempotent."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from assessment.models import AnnualScore, Assessor, Liaison, PublicitySite, RegularCheck, Scheme, WeeklyReport
from assessment.selectors.ranking import ranking


def seed(*args):
    call_command("seed_demo", *args, stdout=StringIO())


@pytest.mark.parametrize("scale", ["small", "county"])
def test_demo_gives_a_believable_ranking_for_this_year_and_last(db, scale):
    seed("--scale", scale)
    year = timezone.localdate().year
    townships = 4 if scale == "small" else 16
    leader = Assessor.objects.get(user__username="assessor").user
    assert Scheme.objects.get(year=year - 1).is_closed and not Scheme.objects.get(year=year).is_closed
    last = ranking(year=year - 1, user=leader)
    assert len(last) == townships and all(r.rank for r in last)
    this = ranking(year=year, user=leader)
    ranks = [r.rank for r in this if r.rank]
    assert len(ranks) == townships - 1 and this[-1].rank is None  # one township still 待评定
    if timezone.localdate().month >= 4:  # enough rounds this year for the tie to be made
        assert len(ranks) != len(set(ranks)), f"expected a tie in {ranks}"
    assert any(r.change["kind"] in ("up", "down") for r in this)
    assert Liaison.objects.filter(year=year).count() == townships
    assert PublicitySite.objects.filter(status="done").exists()
    assert RegularCheck.objects.filter(year=year - 1).count() == townships * 12
    # The Monday briefings of the last 12 weeks, built through the worker's service.
    from assessment.weeks import last_complete_week

    reports = WeeklyReport.objects.order_by("-week_start")
    assert reports.count() == 12 and reports[0].week_start == last_complete_week()
    assert all(r.status == "done" and r.sections.count() == townships for r in reports)
    # A year of rectifications (≈ 3 a township a week) in every state, and this year's supervision visits.
    from assessment.models import Rectification, RectificationStep, SupervisionVisit

    rects = Rectification.objects
    assert rects.filter(source="weekly").count() >= townships * 3 * 50
    assert {"open", "reported", "done"} <= set(rects.values_list("status", flat=True))
    assert rects.filter(done_on_time=True).count() > rects.filter(done_on_time=False).count() > 0
    assert rects.overdue(timezone.localdate()).exists()
    assert RectificationStep.objects.filter(to_status="returned").exists()
    assert SupervisionVisit.objects.filter(visit_date__year=year).count() >= townships * timezone.localdate().month // 2
    assert rects.filter(source="supervision", visit__isnull=False).exists()
    # The last briefing counts them.
    assert "rectifications" in reports[0].figures and reports[0].figures["rectifications"]["assigned"] > 0
    # 奖优罚劣: both closed years issued (townships and liaison leaders); the earlier one corrected once.
    from assessment.models import Outcome

    leaders = 2 if scale == "small" else 4
    for y in (year - 2, year - 1):
        current = Outcome.objects.filter(year=y, is_current=True)
        assert current.filter(subject="township").count() == townships
        assert current.filter(subject="leader").count() == leaders
        assert set(current.values_list("status", flat=True)) == {"issued"}
    assert Outcome.objects.filter(year=year - 2, is_current=False).count() == 1
    assert Outcome.objects.filter(year=year - 2, supersedes__isnull=False).count() == 1
    # 包村联户: about 20 households per cadre, and needs at every step.
    from households.models import CadreLink, Need

    per_cadre = list(CadreLink.objects.values("cadre").annotate(n=Count("id"))
                     .values_list("n", flat=True))
    assert len(per_cadre) == 2 and all(15 <= n <= 20 for n in per_cadre), per_cadre
    assert Need.objects.exists()


def test_demo_twice_adds_nothing(db):
    seed()
    counts = (RegularCheck.objects.count(), AnnualScore.objects.count(), PublicitySite.objects.count(),
              Liaison.objects.count(), WeeklyReport.objects.count())
    built = list(WeeklyReport.objects.values_list("week_start", "build_count"))
    totals = list(AnnualScore.objects.order_by("year", "township").values_list("total", flat=True))
    seed()
    assert (RegularCheck.objects.count(), AnnualScore.objects.count(), PublicitySite.objects.count(),
            Liaison.objects.count(), WeeklyReport.objects.count()) == counts
    assert list(WeeklyReport.objects.values_list("week_start", "build_count")) == built  # not rebuilt
    assert list(AnnualScore.objects.order_by("year", "township").values_list("total", flat=True)) == totals
