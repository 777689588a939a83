"""The ranking page, a township's scorecard and the checks behind each figure: who sees what,
the click-through from a figure to its checks, the export and the print page, query counts."""
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from assessment.models import AnnualScore, Scheme
from assessment.services.scoring import scores_recompute, year_close

from ..factories import TownshipFactory
from ..households.querycount import CLERK_REQUEST, REQUEST
from .factories import LiaisonFactory, RegularCheckFactory, YearEndScoreFactory

YEAR = datetime.date.today().year
D = Decimal
RANKING = reverse("assessment:ranking")


@pytest.fixture
def season(township_a, township_b, leader):
    """This year: A 18/20 (90) + year-end 80 → 86.00, 1st; B 16/20 (80) + 90 → 84.00, 2nd.
    Last year (closed): B 1st, A 2nd, so A ↑1 and B ↓1. The leader is A's liaison. Publicity sites
    are not counted here (share 0): test_publicity.py covers them."""
    Scheme.objects.create(year=YEAR, publicity_share=0)
    Scheme.objects.create(year=YEAR - 1, publicity_share=0)
    day = datetime.date(YEAR, 1, 5)
    checks = {
        "a": RegularCheckFactory(township=township_a, score=D(18), maximum=D(20), check_date=day, title="一季度核查",
                                 findings="台账不全"),
        "b": RegularCheckFactory(township=township_b, score=D(16), maximum=D(20), check_date=day, title="一季度核查"),
    }
    YearEndScoreFactory(township=township_a, year=YEAR, score=D(80))
    YearEndScoreFactory(township=township_b, year=YEAR, score=D(90))
    RegularCheckFactory(township=township_a, score=D(15), maximum=D(20), check_date=datetime.date(YEAR - 1, 5, 1))
    RegularCheckFactory(township=township_b, score=D(19), maximum=D(20), check_date=datetime.date(YEAR - 1, 5, 1))
    YearEndScoreFactory(township=township_a, year=YEAR - 1, score=D(80))
    YearEndScoreFactory(township=township_b, year=YEAR - 1, score=D(80))
    LiaisonFactory(township=township_a, year=YEAR, leader=leader)
    year_close(year=YEAR - 1, by=leader)
    scores_recompute(year=YEAR)
    return checks


def test_leader_sees_the_ranking_with_parts_rank_changes_and_liaison(client_for, leader, season, township_a):
    response = client_for(leader).get(RANKING)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.township.name, r.total, r.rank, r.change["kind"]) for r in rows] == [
        ("城关镇", D("86.00"), 1, "up"), ("东关街道", D("84.00"), 2, "down")]
    html = response.content.decode()
    assert 'data-change="up1"' in html and 'data-change="down1"' in html
    assert "liaison-mine" in html  # A is the leader's township, highlighted
    # Every figure links to what is behind it.
    checks_url = f'{reverse("assessment:check_list")}?year={YEAR}&amp;township={township_a.pk}'
    assert checks_url in html
    assert reverse("assessment:township", args=[township_a.pk, YEAR]) in html
    assert 'data-testid="bar-chart"' in html and "<svg" in html and "style=" not in html


def test_click_through_from_the_regular_part_to_the_check(client_for, leader, season, township_a):
    client = client_for(leader)
    listing = client.get(reverse("assessment:check_list"), {"year": YEAR, "township": township_a.pk})
    assert [c.pk for c in listing.context["page"]] == [season["a"].pk]
    detail = client.get(season["a"].get_absolute_url())
    assert detail.status_code == 200
    assert "台账不全" in detail.content.decode() and "18 / 20" in detail.content.decode()


def test_township_page_breaks_the_score_into_categories(client_for, leader, season, township_a):
    response = client_for(leader).get(reverse("assessment:township", args=[township_a.pk, YEAR]))
    assert response.status_code == 200
    info = next(line for line in response.context["lines"] if line.category == "info")
    assert (info.checks, info.score, info.maximum, info.rate) == (1, D(18), D(20), D("90.00"))
    assert response.context["annual"].total == D("86.00")
    assert 'data-testid="category-link"' in response.content.decode()


def test_clerk_sees_only_own_township_while_the_year_is_open(client_for, clerk_a, season):
    response = client_for(clerk_a).get(RANKING)
    assert response.status_code == 200
    assert [r.township.name for r in response.context["rows"]] == ["城关镇"]
    html = response.content.decode()
    assert "东关街道" not in html and 'data-testid="not-published"' in html


def test_clerk_sees_the_whole_ranking_once_the_year_is_closed(client_for, clerk_a, season):
    response = client_for(clerk_a).get(RANKING, {"year": YEAR - 1})
    assert [r.township.name for r in response.context["rows"]] == ["东关街道", "城关镇"]
    assert response.context["full"] is True


def test_clerk_cannot_open_another_townships_page_or_check(client_for, clerk_a, season, township_b):
    client = client_for(clerk_a)
    assert client.get(reverse("assessment:township", args=[township_b.pk, YEAR])).status_code == 404
    assert client.get(season["b"].get_absolute_url()).status_code == 404
    assert client.get(reverse("assessment:check_list"), {"township": township_b.pk}).status_code == 404
    assert client.get(season["a"].get_absolute_url()).status_code == 200
    assert AuditEvent.objects.filter(action="denied", user=clerk_a).exists()


@pytest.mark.parametrize("who", ["clinician", "inspector", "auditor", "admin_user", "bureau_staff"])
def test_roles_without_assessment_get_403(request, client_for, season, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(RANKING).status_code == 403
    assert client.get(season["a"].get_absolute_url()).status_code == 403


def test_granted_bureau_staff_sees_the_county(client_for, assessor, season):
    response = client_for(assessor).get(RANKING)
    assert response.status_code == 200 and len(response.context["rows"]) == 2


def test_ranking_refuses_post(client_for, leader, season):
    assert client_for(leader).post(RANKING).status_code == 405


def test_ranking_export_opens_in_openpyxl_and_is_audited(client_for, leader, season):
    response = client_for(leader).get(reverse("assessment:ranking_export"), {"year": YEAR})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header = values.index(next(r for r in values if r[0] == "名次"))
    assert values[header + 1][:6] == (1, "↑1", "城关镇", 90, 80, 86) or values[header + 1][:6] == [
        1, "↑1", "城关镇", 90, 80, 86]
    assert values[header + 2][:3] in ((2, "↓1", "东关街道"), [2, "↓1", "东关街道"])
    assert AuditEvent.objects.filter(action="export", object_type="assessment.ranking", user=leader).exists()


def test_ranking_export_states_the_weights_in_plain_digits(client_for, leader, season):
    """The formula line said "经常性考核 × 6E+1%" (a normalised Decimal)."""
    response = client_for(leader).get(reverse("assessment:ranking_export"), {"year": YEAR})
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
             for c in row if isinstance(c, str)]
    formula = next(c for c in cells if c.startswith("年度成绩 ="))
    assert "经常性考核 × 60% + 年终考核 × 40%" in formula and "E+" not in formula


def test_print_page_has_no_navigation_needs_and_loads_the_print_script(client_for, leader, season):
    html = client_for(leader).get(reverse("assessment:ranking_print"), {"year": YEAR}).content.decode()
    assert 'data-testid="print-table"' in html and "js/assessment.js" in html and "data-print" in html
    assert "onclick" not in html and "<script>" not in html


def test_ranking_page_query_count_does_not_grow_with_townships_and_checks(client_for, leader, season,
                                                                          django_assert_num_queries):
    client = client_for(leader)
    client.get(RANKING)
    with django_assert_num_queries(REQUEST + 5) as small:
        client.get(RANKING)
    for i in range(6):
        town = TownshipFactory()
        for _ in range(5):
            RegularCheckFactory(township=town, check_date=datetime.date(YEAR, 1, 6))
        YearEndScoreFactory(township=town, year=YEAR, score=D(70 + i))
    scores_recompute(year=YEAR)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(RANKING)
    assert len(response.context["rows"]) == 8


def test_clerk_ranking_query_count(client_for, clerk_a, season, django_assert_num_queries):
    client = client_for(clerk_a)
    client.get(RANKING)
    with django_assert_num_queries(CLERK_REQUEST + 4):
        client.get(RANKING)


def test_closed_year_is_frozen_even_when_inputs_change(season, township_a, leader):
    frozen = dict(AnnualScore.objects.filter(year=YEAR - 1).values_list("township__name", "total"))
    township_a.is_active = False
    township_a.save()
    assert scores_recompute(year=YEAR - 1) == 0
    assert dict(AnnualScore.objects.filter(year=YEAR - 1).values_list("township__name", "total")) == frozen
    assert Scheme.objects.get(year=YEAR - 1).is_closed


def test_a_year_out_of_range_in_the_url_is_404(client_for, leader, assessor, township_a):
    assert client_for(leader).get(reverse("assessment:township", args=[township_a.pk, 99999])).status_code == 404
    assert client_for(assessor).get(reverse("assessment:year_end", args=[1900])).status_code == 404


def test_the_checks_of_one_round_across_townships(client_for, leader, season):
    response = client_for(leader).get(reverse("assessment:check_list"), {"year": YEAR, "batch": "not-a-uuid"})
    assert response.status_code == 200
    import uuid

    from assessment.models import RegularCheck

    batch = uuid.uuid4()
    RegularCheck.objects.filter(pk=season["a"].pk).update(batch=batch)
    response = client_for(leader).get(reverse("assessment:check_list"), {"year": YEAR, "batch": str(batch)})
    assert [c.pk for c in response.context["page"]] == [season["a"].pk]
