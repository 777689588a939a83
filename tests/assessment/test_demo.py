"""seed_demo's assessment data: a believable ranking for this year and last, ties, rank changes,
a pending township, liaisons, publicity sites, an assessor; idempotent."""
from io import StringIO

import pytest
from django.core.management import call_command
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
