"""factory_boy factories for assessment (kept beside its tests, next to tests/factories.py)."""
import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.roles import Role
from assessment.models import (
    Assessor,
    Liaison,
    Outcome,
    OutcomeApprover,
    OutcomeDecision,
    PublicitySite,
    RegularCheck,
    YearEndScore,
)

from ..factories import TownshipFactory, UserFactory


class RegularCheckFactory(DjangoModelFactory):
    class Meta:
        model = RegularCheck

    township = factory.SubFactory(TownshipFactory)
    category = "info"
    title = factory.Sequence(lambda n: f"第{n + 1}次信息核查")
    check_date = datetime.date(2025, 3, 15)
    score = Decimal("18")
    maximum = Decimal("20")
    findings = ""


class YearEndScoreFactory(DjangoModelFactory):
    class Meta:
        model = YearEndScore

    township = factory.SubFactory(TownshipFactory)
    year = 2025
    score = Decimal("85")


class LiaisonFactory(DjangoModelFactory):
    class Meta:
        model = Liaison

    township = factory.SubFactory(TownshipFactory)
    year = 2025
    leader = factory.SubFactory(UserFactory, role=Role.LEADER)


class PublicitySiteFactory(DjangoModelFactory):
    class Meta:
        model = PublicitySite

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"人口文化宣传点{n + 1}")
    kind = PublicitySite.Kind.HIGHLIGHT
    location = "人民路文化广场"
    status = PublicitySite.Status.DONE
    completion_date = datetime.date(2025, 6, 1)


def grant(user) -> Assessor:
    return Assessor.objects.create(user=user)


def approve(user) -> OutcomeApprover:
    """Grant ``user`` (a leader) approval of outcomes (奖惩审定)."""
    return OutcomeApprover.objects.create(user=user)


def issued_outcome(*, township, year, by, label="先进", number=None) -> Outcome:
    """An outcome of ``township`` already issued under its own decision (as the services leave it)."""
    decision = OutcomeDecision.objects.create(year=year, number=number or f"县卫健发〔{year}〕{township.pk}号",
                                              decided_on=datetime.date(year + 1, 1, 10), issued_by=by)
    return Outcome.objects.create(year=year, subject="township", township=township, total=Decimal("90"), rank=1,
                                  proposed_label=label, label=label, status=Outcome.Status.ISSUED, decided_by=by,
                                  decision=decision)
