"""Assessment's part of the full-county generator (bench/assessment/data.py) on a county of 300
households: the rules it promises hold, the stored results are the services' own, and the rule
checks catch a broken row."""
import io

import pytest
from django.db import connection
from django.utils import timezone

from assessment.models import AnnualScore, Assessor, RegularCheck, Scheme, WeeklyReport
from assessment.services.scoring import scores_recompute
from bench import fullscale

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    ctx = fullscale.FullScale(households=300, audit_rows=2000, out=io.StringIO())
    return fullscale.generate(ctx)


def broken(rule_part: str) -> int:
    return sum(count for module, rule, count in fullscale.run_checks()
               if module == "bench.assessment.data" and rule_part in rule)


def test_two_years_of_assessment_keep_every_rule(county):
    results = [r for r in fullscale.run_checks() if r[0] == "bench.assessment.data"]
    assert len(results) >= 8
    assert [r for r in results if r[2]] == []
    this_year = timezone.localdate().year
    assert list(Scheme.objects.order_by("year").values_list("year", "is_closed")) == [
        (this_year - 1, True), (this_year, False)]
    checks = RegularCheck.objects.all()
    assert checks.count() > 300
    assert set(checks.values_list("year", flat=True)) == {this_year - 1, this_year}
    assert set(checks.values_list("category", flat=True)) == {"info", "petition", "inspection", "regular_work"}
    assert checks.values("township").distinct().count() == 16
    # Last year's ranking is published: everybody ranked; this year one township still 待评定.
    assert AnnualScore.objects.filter(year=this_year - 1, rank__isnull=False).count() == 16
    assert AnnualScore.objects.filter(year=this_year, rank__isnull=True).count() == 1
    assert Assessor.objects.filter(is_active=True, user__username="assessor").exists()
    assert WeeklyReport.objects.filter(status="done").count() == 12
    assert county.data["assessment_checks"] == checks.count()


def test_stored_scores_are_what_the_service_computes(county):
    this_year = timezone.localdate().year
    before = list(AnnualScore.objects.filter(year=this_year).order_by("township_id")
                  .values_list("township_id", "regular_part", "year_end_part", "total", "rank", "check_count"))
    scores_recompute(year=this_year)
    after = list(AnnualScore.objects.filter(year=this_year).order_by("township_id")
                 .values_list("township_id", "regular_part", "year_end_part", "total", "rank", "check_count"))
    assert after == before
    # The closed year is frozen: the service leaves it alone.
    assert scores_recompute(year=this_year - 1) == 0


def test_checks_catch_broken_rows(county):
    check = RegularCheck.objects.filter(is_void=False).first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE assessment_regularcheck SET year = year - 1 WHERE id = %s", [check.pk])
        cursor.execute("UPDATE assessment_annualscore SET rank = rank + 1 WHERE id = (SELECT min(id) FROM "
                       "assessment_annualscore WHERE rank IS NOT NULL)")
    assert broken("check year") == 1
    assert broken("competition rank") == 1
    assert broken("check count") >= 1
