"""Figures link to the lists behind them only where the reader may open them (issue #22 finding
10: an assessor's scorecard had 40 links that each answered 403 and wrote a ``denied`` row)."""
import re
from html import unescape

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from assessment.services.weekly import weekly_report_build
from core.indicators import all_indicators

from .weekly_world import W

pytestmark = pytest.mark.django_db
SCORECARD = reverse("assessment:scorecard")
WEEKLY = reverse("assessment:weekly_detail", args=[W])
LIST_PATHS = ("/households/indicators/", "/screening/rates/", "/enforcement/", "/assessment/checks/")


def figure_links(html: str) -> list[str]:
    hrefs = {unescape(h) for h in re.findall(r'href="([^"]+)"', html)}
    return sorted(h for h in hrefs if h.startswith(LIST_PATHS) and "start=" in h)


def follow_all(client, links):
    return {link: client.get(link).status_code for link in links}


@pytest.fixture
def built(week_world):
    weekly_report_build(week_start=W)
    return week_world


def test_every_indicator_list_declares_who_may_open_it():
    """A list without a declared rule would never be linked: each drill-down states its rule."""
    from accounts.permissions import _rule_of

    missing = sorted({i.drilldown for i in all_indicators() if i.drilldown and _rule_of(i.drilldown) is None})
    assert not missing


def test_an_assessors_scorecard_has_only_links_that_open(client_for, assessor, built):
    client = client_for(assessor)
    page = client.get(SCORECARD)
    assert page.status_code == 200
    links = figure_links(page.content.decode())
    assert links, "the assessor follows the assessment checks behind their own figures"
    assert all(link.startswith("/assessment/checks/") for link in links), links
    before = AuditEvent.objects.filter(action="denied").count()
    assert set(follow_all(client, links).values()) == {200}
    assert AuditEvent.objects.filter(action="denied").count() == before


def test_a_leaders_scorecard_keeps_every_link_and_each_opens(client_for, leader, built):
    client = client_for(leader)
    links = figure_links(client.get(SCORECARD).content.decode())
    kinds = {link.split("/")[1] for link in links}
    assert kinds == {"households", "screening", "enforcement", "assessment"}, kinds
    assert set(follow_all(client, links).values()) == {200}


@pytest.mark.parametrize("who", ["leader", "clerk_a", "assessor"])
def test_weekly_report_links_open_for_whoever_reads_it(request, client_for, who, built):
    client = client_for(request.getfixturevalue(who))
    page = client.get(WEEKLY)
    assert page.status_code == 200
    links = figure_links(page.content.decode())
    if who == "leader":
        assert links, "the leader's report links its problems to the lists behind them"
    statuses = follow_all(client, links)
    assert set(statuses.values()) <= {200}, statuses


def test_may_follow_asks_the_views_own_rule(leader, assessor, clerk_a):
    from accounts.permissions import may_follow

    assert may_follow(leader, "enforcement:drill_cases_filed")
    assert not may_follow(assessor, "enforcement:drill_cases_filed")
    assert not may_follow(clerk_a, "households:indicator_list_visits_recorded")
    assert may_follow(clerk_a, "assessment:check_list")
    assert not may_follow(leader, "no-such-page")
