"""Screening's part of the full-county generator (bench/screening/data.py) on a small county: every
rule its CHECKS state holds, the tables are filled, and the checks do catch a broken row."""
import io

import pytest
from django.db import connection

from bench import fullscale
from screening.models import (
    EarlyPregnancyFollowUp, OutcomeFollowUp, PrenatalScreening, Screening, ScreeningResult, ScreeningRiskFactor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    ctx = fullscale.FullScale(households=2000, audit_rows=2000, out=io.StringIO())
    return fullscale.generate(ctx)


def screening_checks():
    return [(rule, n) for module, rule, n in fullscale.run_checks() if module == "bench.screening.data"]


def test_small_county_screenings_keep_every_rule(county):
    results = screening_checks()
    assert len(results) >= 12
    assert [r for r in results if r[1]] == []
    screenings = Screening.objects.count()
    assert 250 <= screenings <= 600  # ~40,000 × 2,000 / 200,000
    assert ScreeningResult.objects.count() > 40 * screenings
    assessed = Screening.objects.filter(status="assessed", is_void=False)
    high = assessed.filter(risk_level="high").count() / assessed.count()
    assert 0.1 < high < 0.25
    assert ScreeningRiskFactor.objects.exists()
    assert EarlyPregnancyFollowUp.objects.filter(result="1").exists()
    assert EarlyPregnancyFollowUp.objects.filter(result="2").exists()
    assert OutcomeFollowUp.objects.filter(result="1").exists()
    assert PrenatalScreening.objects.exists()
    assert Screening.objects.filter(is_current=True).count() == Screening.objects.filter(
        is_void=False).values("couple").distinct().count()


def test_screening_checks_catch_broken_rows(county):
    screening = Screening.objects.filter(status="assessed", early_result="1").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE screening_screening SET pregnancy_lmp = pregnancy_lmp + 1, is_current = NOT is_current "
                       "WHERE id = %s", [screening.pk])
    broken = dict(screening_checks())
    assert broken["pathway columns are not what the active follow-ups say"] == 1
    assert broken["is_current is not the couple's latest active screening"] == 1
