"""Enforcement demo data (seed_demo, both scales): every stage, consistent, idempotent."""

import random

import pytest
from django.db.models import Count
from django.utils import timezone

from accounts import demo as accounts_demo
from enforcement import demo
from enforcement.models import Case, CaseEvent, CaseStatus, Facility, Inspection, Tip, UltrasoundDevice

pytestmark = pytest.mark.django_db


def seed(scale):
    context = accounts_demo.seed(rng=random.Random(1), scale=scale, context={})
    return demo.seed(rng=random.Random(2), scale=scale, context=context)


@pytest.mark.parametrize("scale", ["small", "county"])
def test_demo_has_every_record_kind_and_every_case_stage(scale):
    seed(scale)
    today = timezone.localdate()
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    assert set(Tip.objects.values_list("status", flat=True)) == {"pending", "case_opened", "dismissed"}
    assert Facility.objects.licence_expiring(today).exists() and Facility.objects.licence_expired(today).exists()
    assert (
        UltrasoundDevice.objects.flagged().exists()
        and UltrasoundDevice.objects.filter(facility__des_ultrasound=True).exists()
    )
    assert (
        Inspection.objects.filter(problems_found=True).exists()
        and Inspection.objects.filter(problems_found=False).exists()
    )
    assert Case.objects.overdue(today).exists() and Tip.objects.overdue(today).exists()
    # Every case has its history: one event per transition, the last one ending in its current stage.
    for case in Case.objects.annotate(n=Count("events")):
        events = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
        assert events[0].from_status == "" and events[-1].to_status == case.status
        assert all(a.to_status == b.from_status for a, b in zip(events, events[1:], strict=False))
    # Tips turned into cases have their case; numbers are unique per year and the counters caught up.
    assert not Tip.objects.filter(status="case_opened", case__isnull=True).exists()
    assert Case.objects.filter(source="tip", tip__isnull=True).count() == 0
    from enforcement.services.numbers import next_number
    from django.db import transaction

    with transaction.atomic():
        year = Case.objects.order_by("-year").values_list("year", flat=True).first()
        assert next_number("case", year) == Case.objects.filter(year=year).count() + 1


def test_demo_twice_adds_nothing():
    seed("small")
    counts = [m.objects.count() for m in (Facility, UltrasoundDevice, Tip, Case, CaseEvent, Inspection)]
    seed("small")
    assert [m.objects.count() for m in (Facility, UltrasoundDevice, Tip, Case, CaseEvent, Inspection)] == counts
