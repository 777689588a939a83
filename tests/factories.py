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
