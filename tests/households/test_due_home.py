"""Home page widgets from households: the clerk's due counts, shortcuts for bureau staff and leaders."""
import datetime

import pytest
from django.utils import timezone

from households.selectors.visits import week_end

from ..factories import RegisterCoupleFactory
from .querycount import CLERK_REQUEST, REQUEST

DAY = datetime.timedelta(days=1)


@pytest.fixture
def households_panel_only(settings):
    # These tests pin what the households panel costs; other apps' panels pin their own.
    settings.PROJECT_APPS = ["core", "accounts", "households"]


def test_clerk_home_counts_own_due_and_overdue_couples(client_for, clerk_a, clerk_b, village_a, village_b,
                                                       django_assert_num_queries, households_panel_only):
    today = timezone.localdate()
    for days in (-9, -1):
        RegisterCoupleFactory(household__village=village_a, responsible=clerk_a, next_visit_due=today + days * DAY)
    RegisterCoupleFactory(household__village=village_a, responsible=clerk_a, next_visit_due=week_end(today))
    RegisterCoupleFactory(household__village=village_a, responsible=clerk_a, next_visit_due=week_end(today) + DAY)
    RegisterCoupleFactory(household__village=village_b, responsible=clerk_b, next_visit_due=today - DAY)
    client = client_for(clerk_a)
    client.get("/")

    # The two due counts are one query (other apps' panels are switched off by the fixture).
    with django_assert_num_queries(CLERK_REQUEST + 1):
        html = client.get("/").content.decode()

    assert 'data-testid="home-overdue" data-count="2"' in html
    assert 'data-testid="home-due-week" data-count="1"' in html
    assert 'href="/households/due/"' in html


def test_bureau_staff_home_links_to_outreach_not_to_couples(client_for, bureau_staff):
    html = client_for(bureau_staff).get("/").content.decode()
    assert 'href="/households/outreach/" data-testid="home-link-outreach"' in html
    assert 'data-testid="home-due"' not in html
    assert "/households/register/" not in html and "/households/due/" not in html


def test_leader_home_links_to_stats(client_for, leader, django_assert_num_queries, households_panel_only):
    client = client_for(leader)
    client.get("/")
    with django_assert_num_queries(REQUEST):
        html = client.get("/").content.decode()
    assert 'href="/households/stats/" data-testid="home-link-stats"' in html
    assert 'data-testid="home-due"' not in html


@pytest.mark.parametrize("who", ["clinician", "inspector", "auditor", "admin_user"])
def test_other_roles_get_no_household_widgets(request, client_for, who):
    html = client_for(request.getfixturevalue(who)).get("/").content.decode()
    assert 'data-testid="home-links"' not in html
    assert "/households/" not in html
