"""factory_boy factories. Each app appends its own; keep them deterministic where tests compare."""
import datetime

import factory
from factory.django import DjangoModelFactory

from accounts.models import Township, User, Village
from accounts.roles import Role
from accounts.validators import build_id_number

TEST_PASSWORD = "Pass-word-123"


class TownshipFactory(DjangoModelFactory):
    class Meta:
        model = Township
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"411099{n + 100:03d}")
    name = factory.Sequence(lambda n: f"测试{n}镇")
    sort_order = factory.Sequence(int)


class VillageFactory(DjangoModelFactory):
    class Meta:
        model = Village

    township = factory.SubFactory(TownshipFactory)
    code = factory.Sequence(lambda n: f"411099{n + 500:06d}")
    name = factory.Sequence(lambda n: f"测试{n}村")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"职工{n}")
    role = Role.CLERK
    township = factory.LazyAttribute(lambda o: TownshipFactory() if o.role == Role.CLERK else None)
    password = factory.django.Password(TEST_PASSWORD)


def id_number(seq: int, *, sex: str = "2", birth: datetime.date = datetime.date(1992, 5, 17)) -> str:
    """A valid GB 11643 number; ``seq`` keeps numbers unique within a test."""
    sequence = (seq * 2 + (1 if sex == "1" else 0)) % 1000
    return build_id_number("411099", birth, sequence)


# --- households ------------------------------------------------------------------------------
from households.models import (  # noqa: E402
    Couple, FollowUpVisit, Household, IntentionSurvey, Person, PregnancyStatus, Relation, WorkGroup,
)


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    village = factory.SubFactory(VillageFactory)
    address = factory.Sequence(lambda n: f"{n % 9 + 1}组{n + 1}号")
    head_name = factory.Sequence(lambda n: f"户主{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        seq = factory.Sequence(int)

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"成员{n}")
    sex = "2"
    birth_date = datetime.date(1992, 5, 17)
    id_number = factory.LazyAttribute(lambda o: id_number(o.seq, sex=o.sex, birth=o.birth_date))
    relation = Relation.SELF


class CoupleFactory(DjangoModelFactory):
    """A couple in one household: wife (sex 2) and husband (sex 1) are created with valid IDs."""

    class Meta:
        model = Couple

    household = factory.SubFactory(HouseholdFactory)
    wife = factory.LazyAttribute(
        lambda o: PersonFactory(household=o.household, sex="2", relation=Relation.SPOUSE, birth_date=datetime.date(1993, 3, 8))
    )
    husband = factory.LazyAttribute(
        lambda o: PersonFactory(household=o.household, sex="1", relation=Relation.SELF, birth_date=datetime.date(1990, 7, 21))
    )
    marriage_date = datetime.date(2016, 10, 1)
    boys = 1
    girls = 0


class IntentionSurveyFactory(DjangoModelFactory):
    class Meta:
        model = IntentionSurvey

    couple = factory.SubFactory(CoupleFactory)
    surveyor = factory.SubFactory(UserFactory)
    planned_timing = "1"
    next_child_order = 2


class FollowUpVisitFactory(DjangoModelFactory):
    class Meta:
        model = FollowUpVisit

    couple = factory.SubFactory(CoupleFactory)
    visitor = factory.SubFactory(UserFactory)
    visit_date = factory.LazyFunction(datetime.date.today)
    pregnancy_status = PregnancyStatus.NOT_PREGNANT
    next_due = factory.LazyAttribute(lambda o: o.visit_date + datetime.timedelta(days=90))


class WorkGroupFactory(DjangoModelFactory):
    class Meta:
        model = WorkGroup
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"第{n + 1}工作组")

    @factory.post_generation
    def villages(self, create, extracted, **kwargs):
        if create and extracted:
            self.villages.set(extracted)

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)


# --- households: follow-up visits, due lists, outreach (appended) ----------------------------
from django.utils import timezone as _timezone  # noqa: E402

from households.models import OutreachVisit  # noqa: E402


class RegisterCoupleFactory(CoupleFactory):
    """A couple in the register (摸底造册) as survey_record leaves it: timing 一年内, first visit due
    in 30 days. Pass ``responsible=`` for the 专人 and ``next_visit_due=`` to place it in the due list."""

    in_register = True
    planned_timing = "1"
    next_visit_due = factory.LazyFunction(lambda: _timezone.localdate() + datetime.timedelta(days=30))


class OutreachVisitFactory(DjangoModelFactory):
    class Meta:
        model = OutreachVisit

    household = factory.SubFactory(HouseholdFactory)
    visitor = factory.SubFactory(UserFactory, role=Role.BUREAU_STAFF)
    visit_date = factory.LazyFunction(_timezone.localdate)
    content = "宣传生育支持政策和免费孕前检查"
