import pytest

from screening.seed import ensure_catalogue

from ..factories import RegisterCoupleFactory


@pytest.fixture
def couple_a(village_a, clerk_a):
    """A couple of township A in the register (timing 一年内), clerk A its 专人."""
    return RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)


@pytest.fixture
def couple_b(village_b, clerk_b):
    return RegisterCoupleFactory(household__village=village_b, responsible=clerk_b)


@pytest.fixture(autouse=True)
def catalogue(request):
    if "db" in request.fixturenames or "transactional_db" in request.fixturenames or request.node.get_closest_marker(
            "django_db"):
        request.getfixturevalue("db")
        ensure_catalogue()
