"""Liaison leaders' pages (the figure that counts in the leader's own assessment) and the home
panels: leaders' county ranking with their townships highlighted, clerks' own score."""
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from assessment.models import AnnualScore, Scheme

from ..factories import TownshipFactory, UserFactory
from ..households.querycount import REQUEST
from .factories import LiaisonFactory

YEAR = datetime.date.today().year
D = Decimal
NOW = datetime.datetime(YEAR, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture
def ranked(township_a, township_b, leader):
    """This year: A 90 (1), B 80 (2), C 70 (3), X pending. Last year: A 2, B 3, C 1.
    The leader is liaison for A and C: average (90 + 70) / 2 = 80.00, net change +1 - 2 = -1."""
    c = TownshipFactory(code="411099003", name="西关镇")
    x = TownshipFactory(code="411099004", name="北关镇")
    Scheme.objects.create(year=YEAR)
    for town, total, rank, last in ((township_a, 90, 1, 2), (township_b, 80, 2, 3), (c, 70, 3, 1)):
        AnnualScore.objects.create(year=YEAR, township=town, total=D(total), rank=rank, regular_part=D(total),
                                   year_end_part=D(total), computed_at=NOW)
        AnnualScore.objects.create(year=YEAR - 1, township=town, total=D(50), rank=last, computed_at=NOW)
    AnnualScore.objects.create(year=YEAR, township=x, regular_part=D(99), regular_rank=1, computed_at=NOW)
    LiaisonFactory(township=township_a, year=YEAR, leader=leader)
    LiaisonFactory(township=c, year=YEAR, leader=leader)
    LiaisonFactory(township=x, year=YEAR, leader=leader)
    LiaisonFactory(township=township_b, year=YEAR, leader=UserFactory(role=Role.LEADER, name="赵副局长"))
    return {"c": c, "x": x}


def test_leader_page_shows_townships_ranks_and_the_figure(client_for, leader, ranked, django_assert_num_queries):
    client = client_for(leader)
    client.get(reverse("assessment:leader", args=[leader.pk]))
    # the leader, years, rows, the figure, the count of ranked townships, closed?
    with django_assert_num_queries(REQUEST + 6):
        response = client.get(reverse("assessment:leader", args=[leader.pk]))
    ctx = response.context
    assert [(r.township.name, r.rank, r.change["kind"], r.change["delta"]) for r in ctx["rows"]] == [
        ("城关镇", 1, "up", 1), ("西关镇", 3, "down", 2), ("北关镇", None, "none", None)]
    assert (ctx["average"], ctx["ranked"], ctx["net_change"]) == (D("80.00"), 2, -1)
    html = response.content.decode()
    assert "80.00" in html and "↓1" in html and "东关街道" not in html


def test_my_liaison_redirects_a_leader_to_own_page(client_for, leader, ranked):
    response = client_for(leader).get(reverse("assessment:my_liaison"))
    assert response.status_code == 302 and response["Location"] == reverse("assessment:leader", args=[leader.pk])


def test_leader_page_of_a_non_leader_is_404(client_for, leader, clerk_a):
    assert client_for(leader).get(reverse("assessment:leader", args=[clerk_a.pk])).status_code == 404


@pytest.mark.parametrize("who", ["clerk_a", "bureau_staff", "inspector"])
def test_leader_pages_are_not_for_clerks_or_ungranted_staff(request, client_for, leader, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("assessment:leader", args=[leader.pk])).status_code == 403
    assert client.get(reverse("assessment:my_liaison")).status_code == 403


def test_leader_home_has_the_ranking_with_own_townships_highlighted(client_for, leader, ranked):
    response = client_for(leader).get("/")
    html = response.content.decode()
    assert 'data-testid="home-assessment"' in html
    panel = response.context["assessment_panel"]
    assert [r.township.name for r in panel["rows"]][:3] == ["城关镇", "东关街道", "西关镇"]
    assert panel["mine"] == {r.township_id for r in panel["rows"] if r.township.name in ("城关镇", "西关镇", "北关镇")}
    assert html.count("liaison-mine") == 3
    # The weekly report's list is linked; no report built yet, so no summary of one.
    assert 'data-testid="home-weekly"' in html and 'data-testid="home-weekly-summary"' not in html


def test_clerk_home_shows_own_score_only(client_for, clerk_a, ranked):
    html = client_for(clerk_a).get("/").content.decode()
    assert 'data-testid="home-own-score"' in html and "90.00" in html and "东关街道" not in html.split(
        'data-testid="home-assessment"')[1]


def test_roles_without_assessment_get_no_panel(client_for, inspector, ranked):
    assert 'data-testid="home-assessment"' not in client_for(inspector).get("/").content.decode()


def test_leader_home_query_count_does_not_grow_with_townships(client_for, leader, ranked,
                                                              django_assert_num_queries):
    client = client_for(leader)
    client.get("/")  # the indicator moves are cached for ten minutes after this
    # The ranking, the leader's liaisons and the latest weekly report's summary.
    with django_assert_num_queries(REQUEST + 3) as first:
        client.get("/")
    for n in range(5):
        town = TownshipFactory()
        AnnualScore.objects.create(year=YEAR, township=town, total=D(60 + n), rank=4 + n, computed_at=NOW)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get("/")
    assert len(response.context["assessment_panel"]["rows"]) == 9


@pytest.mark.parametrize("who", ["leader", "assessor", "clerk_a"])
def test_the_liaison_buttons_and_the_leader_link_follow_the_capabilities(request, client_for, leader, ranked,
                                                                          township_a, who):
    """我的联系点 (ranking page, home page) is for Cap.ASSESSMENT_LIAISON (leaders, not a granted
    bureau staff member); the liaison leader's name links to the leader's page for
    Cap.ASSESSMENT_COUNTY (leaders and assessors), plain text for a clerk."""
    client = client_for(request.getfixturevalue(who))
    liaison = who == "leader"
    ranking = client.get(reverse("assessment:ranking")).content.decode()
    assert ('data-testid="my-liaison"' in ranking) == liaison
    home = client.get("/").content.decode()
    assert ('data-testid="home-my-liaison"' in home) == liaison
    detail = client.get(reverse("assessment:township", args=[township_a.pk, YEAR])).content.decode()
    assert leader.name in detail
    assert (reverse("assessment:leader", args=[leader.pk]) in detail) == (who != "clerk_a")
