"""python manage.py seed_demo: deterministic, idempotent, and its demo users can log in."""
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD, DEMO_USERS
from accounts.models import Township, User, Village


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "townships": list(Township.objects.order_by("code").values_list("code", "name", "kind", "sort_order")),
        "villages": list(Village.objects.order_by("code").values_list("code", "name", "kind", "township__code")),
        "users": list(User.objects.order_by("username").values_list("username", "name", "role", "township__code",
                                                                     "phone", "password")),
    }


def test_seed_demo_twice_changes_nothing(db):
    assert "demo data (small) ready" in seed()
    first = snapshot()

    seed()

    assert snapshot() == first
    assert len(first["townships"]) == 4
    assert len(first["villages"]) == 4 * 4
    # One per role, plus two clerks per township (other apps' demo modules may add their own).
    expected = {u[0] for u in DEMO_USERS} | {f"clerk_{t:03d}_{k}" for t in range(1, 5) for k in (1, 2)}
    assert expected <= {row[0] for row in first["users"]}


def test_seed_demo_names_are_fixed(db):
    seed()

    clerk1 = User.objects.select_related("township").get(username="clerk1")
    assert (clerk1.name, clerk1.role, clerk1.township.name, clerk1.township.code) == ("张丽", "clerk", "城关镇", "411099001")
    assert clerk1.phone == "13968864189"  # from the seeded RNG, the same on every machine
    clerk2 = User.objects.select_related("township").get(username="clerk2")
    assert (clerk2.name, clerk2.township.name) == ("王芳", "东关街道")
    assert list(Village.objects.filter(township__code="411099001").order_by("code").values_list("name", flat=True)) \
        == ["吴桥村", "陈楼村", "何湾村", "胡家村"]
    assert list(Village.objects.filter(township__code="411099002").order_by("code").values_list("name", flat=True)) \
        == ["杨店社区", "黄河社区", "林场社区", "胡家社区"]
    assert User.objects.get(username="clerk_001_1").name == "林娜"


@pytest.mark.parametrize(("username", "_name", "role", "_township"), DEMO_USERS, ids=[u[0] for u in DEMO_USERS])
def test_demo_users_log_in_with_published_password(db, username, _name, role, _township):
    seed()

    user = authenticate(username=username, password=DEMO_PASSWORD)

    assert user is not None
    assert user.role == role
    assert user.is_staff == (role == "admin")
    assert not user.is_superuser  # the admin role is not a Django superuser
    assert authenticate(username=username, password=DEMO_PASSWORD + "x") is None


def test_demo_passwords_survive_a_second_run(db):
    seed()
    before = User.objects.get(username="clerk1").password

    seed()

    assert User.objects.get(username="clerk1").password == before


def test_county_scale_extends_the_small_org_tree_without_renaming_it(db, settings):
    settings.PROJECT_APPS = ["accounts"]  # the org tree only: other apps' county data takes seconds
    seed()
    small = snapshot()

    seed("--scale", "county")

    county = snapshot()
    assert len(county["townships"]) == 16
    assert len(county["villages"]) == 16 * 12
    assert set(small["townships"]) <= set(county["townships"])
    assert set(small["villages"]) <= set(county["villages"])
