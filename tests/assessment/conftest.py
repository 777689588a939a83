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
