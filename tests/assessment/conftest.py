"""Assessment fixtures: a granted assessor (bureau staff) beside the fixed cast."""
import pytest

from accounts.roles import Role

from ..factories import UserFactory
from .factories import grant


@pytest.fixture
def assessor(db):
    user = UserFactory(username="assessor", name="考核办", role=Role.BUREAU_STAFF)
    grant(user)
    return user


@pytest.fixture
def leader_assessor(db):
    user = UserFactory(username="leader_assessor", name="王副局长", role=Role.LEADER)
    grant(user)
    return user


@pytest.fixture
def week_world(village_a, village_b, clerk_a, clerk_b):
    """The hand-built week of tests/assessment/weekly_world.py (W = 2–8 March 2026)."""
    from .weekly_world import build_world

    return build_world(village_a=village_a, village_b=village_b, clerk_a=clerk_a, clerk_b=clerk_b)
