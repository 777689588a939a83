"""The enforcement part of the full-county generator (bench/enforcement/data.py) on a county of
300 households: every rule it promises holds, every table has rows, and the checks catch a
broken row."""
import io

import pytest
from django.db import connection

from accounts.models import AuditEvent
from bench import fullscale
from enforcement.models import (
    Case,
    CaseEvent,
    CaseParty,
    CaseStatus,
    Facility,
    Inspection,
    NumberSequence,
    Tip,
    UltrasoundDevice,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    ctx = fullscale.FullScale(households=300, audit_rows=3000, out=io.StringIO())
    return fullscale.generate(ctx)


def enforcement_results():
    return [r for r in fullscale.run_checks() if r[0] == "bench.enforcement.data"]


def broken(rule_part: str) -> int:
    return sum(count for _module, rule, count in enforcement_results() if rule_part in rule)


def test_small_county_keeps_every_enforcement_rule(county):
    results = enforcement_results()
    assert len(results) >= 12
    assert [r for r in results if r[2]] == []
    for model in (Facility, UltrasoundDevice, Inspection, Tip, Case, CaseParty, CaseEvent, NumberSequence):
        assert model.objects.exists(), model
    assert Inspection.inspectors.through.objects.count() >= 2 * Inspection.objects.count()
    # Every kind of row the lists and figures show is there.
    assert set(Tip.objects.values_list("status", flat=True)) == {"pending", "case_opened", "dismissed"}
    assert Case.objects.filter(status=CaseStatus.CLOSED).exists()
    assert Case.objects.exclude(status__in=["closed", "not_filed"]).exists()
    assert Case.objects.filter(tip__isnull=False).exists() and Case.objects.filter(inspection__isnull=False).exists()
    assert Facility.objects.licence_expired(county.today).exists()
    assert UltrasoundDevice.objects.flagged().exists()
    # Enforcement records are audited as worked on by inspectors, never by a township's clerks.
    audited = AuditEvent.objects.filter(object_type__startswith="enforcement.")
    assert audited.exists()
    assert not audited.exclude(user__role="inspector").exists()


def test_checks_catch_broken_enforcement_rows(county):
    case = Case.objects.filter(status=CaseStatus.CLOSED).first()
    tip = Tip.objects.filter(status="dismissed").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE enforcement_case SET status = 'investigating', closed_on = NULL WHERE id = %s",
                       [case.pk])
        cursor.execute("UPDATE enforcement_tip SET seq = seq + 1000 WHERE id = %s", [tip.pk])
    assert broken("event history") == 1
    assert broken("tip numbers") == 1
