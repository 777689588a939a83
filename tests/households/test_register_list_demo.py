"""The demo data (seed_demo) fills every list of this part with records: a first look works."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from tests.conftest import pass_second_factor


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())
    return {u.username: u for u in User.objects.filter(username__in=["clerk1", "bureau", "leader"])}


def count(response):
    assert response.status_code == 200
    return response.context["page"].paginator.count


def test_demo_data_fills_register_visit_due_outreach_and_stats(client, demo):
    client.force_login(demo["clerk1"])
    assert count(client.get(reverse("households:register_list"))) > 0
    assert count(client.get(reverse("households:visit_list"))) > 0
    assert count(client.get(reverse("households:due_township"))) > 0
    assert count(client.get(reverse("households:outreach_list"))) > 0

    client.force_login(demo["bureau"])
    assert count(client.get(reverse("households:outreach_households"))) > 0
    assert count(client.get(reverse("households:outreach_list"))) > 0

    client.force_login(demo["leader"])
    pass_second_factor(client, demo["leader"])
    response = client.get(reverse("households:stats"))
    assert response.status_code == 200
    total = response.context["total"]
    assert total["household_count"] > 0 and total["register_count"] > 0 and total["overdue"] > 0
