"""factory_boy factories and small builders for the enforcement tests."""

import dataclasses
import datetime
import itertools
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from enforcement.models import Case, CaseStatus, Facility, Tip, UltrasoundDevice
from enforcement.services.cases import Outcome, case_open, case_transition

from ..factories import TownshipFactory


class FacilityFactory(DjangoModelFactory):
    class Meta:
        model = Facility

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"测试医院{n}")
    kind = "clinic"
    licence_number = factory.Sequence(lambda n: f"PDY41109900{n:05d}")
    licence_valid_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
    des_ultrasound = True


class DeviceFactory(DjangoModelFactory):
    class Meta:
        model = UltrasoundDevice

    facility = factory.SubFactory(FacilityFactory)
    model_name = "DC-30"
    serial_number = factory.Sequence(lambda n: f"SN{n:06d}")
    room = "B超室"
    operators = "王医生"


class TipFactory(DjangoModelFactory):
    class Meta:
        model = Tip

    year = factory.LazyAttribute(lambda o: o.received_on.year)
    seq = factory.Sequence(lambda n: n + 1)
    township = factory.SubFactory(TownshipFactory)
    channel = "phone"
    received_on = factory.LazyFunction(timezone.localdate)
    content = factory.Sequence(lambda n: f"举报某诊所非法鉴定胎儿性别 {n}")
    reporter_name = "举报人甲"
    reporter_contact = "13800001111"


# The path through the workflow to each stage (the first step of each pair is taken from the previous).
PATH = {
    CaseStatus.RECEIVED: [],
    CaseStatus.PRELIMINARY: [CaseStatus.PRELIMINARY],
    CaseStatus.NOT_FILED: [CaseStatus.NOT_FILED],
    CaseStatus.FILED: [CaseStatus.PRELIMINARY, CaseStatus.FILED],
    CaseStatus.INVESTIGATING: [CaseStatus.PRELIMINARY, CaseStatus.FILED, CaseStatus.INVESTIGATING],
    CaseStatus.REFERRED: [CaseStatus.PRELIMINARY, CaseStatus.FILED, CaseStatus.INVESTIGATING, CaseStatus.REFERRED],
    CaseStatus.DECIDED: [CaseStatus.PRELIMINARY, CaseStatus.FILED, CaseStatus.INVESTIGATING, CaseStatus.DECIDED],
    CaseStatus.ENFORCED: [
        CaseStatus.PRELIMINARY,
        CaseStatus.FILED,
        CaseStatus.INVESTIGATING,
        CaseStatus.DECIDED,
        CaseStatus.ENFORCED,
    ],
    CaseStatus.CLOSED: [
        CaseStatus.PRELIMINARY,
        CaseStatus.FILED,
        CaseStatus.INVESTIGATING,
        CaseStatus.DECIDED,
        CaseStatus.ENFORCED,
        CaseStatus.CLOSED,
    ],
}
STEP_ARGS = {
    CaseStatus.NOT_FILED: {"reason": "线索不实"},
    CaseStatus.REFERRED: {"reason": "涉嫌犯罪", "referral_department": "police"},
    CaseStatus.DECIDED: {
        "outcome": Outcome(decision_number="X卫罚〔2026〕1号", warning=True, fine_amount=Decimal("20000"))
    },
}


_DECISIONS = itertools.count(1)


def step_kwargs(to: str) -> dict:
    kwargs = dict(STEP_ARGS.get(to, {}))
    if to == CaseStatus.DECIDED:  # a decision number names one case a year: each case its own
        kwargs["outcome"] = dataclasses.replace(
            kwargs["outcome"], decision_number=f"X卫罚〔2026〕{next(_DECISIONS)}号")
    return kwargs


def make_case(
    *, township, by, status: str = CaseStatus.RECEIVED, title: str = "某诊所非法鉴定胎儿性别", **kwargs
) -> Case:
    """A case opened through the service and walked to ``status`` through the real workflow."""
    case = case_open(by=by, township=township, title=title, source=kwargs.pop("source", "referral"), **kwargs)
    for to in PATH[status]:
        case = case_transition(case=case, to=to, by=by, **step_kwargs(to))
    return case
