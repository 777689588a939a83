"""The scorecard renders whatever indicators the apps publish: households' and a fake one
registered here, with colour bands against the target, trend arrows and drill-down links."""
import datetime
import io

import openpyxl
import pytest
from django.apps import apps
from django.urls import reverse

from assessment.selectors.scorecard import period_for, scorecard
from core.indicators import Indicator, all_indicators

from ..factories import TownshipFactory
from ..households.querycount import REQUEST

URL = reverse("assessment:scorecard")


@pytest.fixture
def fake_indicator(monkeypatch, township_a, township_b):
    """A rate with target 80 published by "assessment" for the test: A 85 (good, was 90: worse),
    B 75 (warn, was 60: better), C 50 (bad, unchanged)."""
    township_c = TownshipFactory(code="411099003", name="西关镇")
    today = datetime.date.today()
    current_start = period_for("30", today).start

    def compute(start, end):
        if start == current_start:
            return {township_a.pk: 85.0, township_b.pk: 75.0, township_c.pk: 50.0}
        return {township_a.pk: 90.0, township_b.pk: 60.0, township_c.pk: 50.0}

    fake = Indicator(key="fake.coverage", label="测试覆盖率", compute=compute, kind="rate", target=80.0)
    config = apps.get_app_config("assessment")
    # assessment publishes its own indicators as a property: replace it, on the class, for the test.
    monkeypatch.setattr(type(config), "indicators", property(lambda self: [fake]))
    return {"a": township_a, "b": township_b, "c": township_c}


def cells_of(data, key):
    index = [i.key for i in data["indicators"]].index(key)
    return {row.township.name: row.cells[index] for row in data["rows"]}


def test_fake_indicator_is_rendered_with_bands_and_trends(fake_indicator):
    assert "fake.coverage" in [i.key for i in all_indicators()]
    cells = cells_of(scorecard(period=period_for("30"), user=None), "fake.coverage")
    assert {name: (c.value, c.band, c.trend["arrow"], c.trend["kind"]) for name, c in cells.items()} == {
        "城关镇": (85.0, "good", "↓", "worse"),
        "东关街道": (75.0, "warn", "↑", "better"),
        "西关镇": (50.0, "bad", "→", "flat"),
    }
    assert all(c.url is None for c in cells.values())  # no drill-down declared


def test_leader_sees_households_and_fake_indicators_on_the_page(client_for, leader, fake_indicator):
    response = client_for(leader).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "测试覆盖率" in html and "按时随访率" in html and "在册夫妇" in html
    assert 'data-band="good"' in html and 'data-band="warn"' in html and 'data-band="bad"' in html
    # Households' figures open their drill-down for the township and period shown.
    period = response.context["period"]
    link = (reverse("households:indicator_list_visits_recorded")
            + f"?township={fake_indicator['a'].pk}&amp;start={period.start}&amp;end={period.end}")
    assert link in html
    assert "style=" not in html


def test_a_households_value_is_shown_for_its_township(client_for, leader, village_a, clerk_a):
    from ..factories import RegisterCoupleFactory

    RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)
    RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)
    data = client_for(leader).get(URL).context
    cells = cells_of(data, "households.register_size")
    assert cells["城关镇"].value == 2


def test_scorecard_export_opens_in_openpyxl(client_for, leader, fake_indicator):
    response = client_for(leader).get(reverse("assessment:scorecard_export"))
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = next(r for r in rows if r[0] == "镇/街道")
    col = header.index("测试覆盖率")
    assert header[col + 1] == "测试覆盖率（上期）"
    data = {r[0]: (r[col], r[col + 1]) for r in rows[rows.index(header) + 1:]}
    assert data["城关镇"] == (85, 90) and data["东关街道"] == (75, 60)


@pytest.mark.parametrize("who", ["clerk_a", "bureau_staff", "inspector", "clinician", "auditor", "admin_user"])
def test_scorecard_is_for_leaders_and_assessors(request, client_for, who):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 403


def test_granted_assessor_opens_the_scorecard(client_for, assessor):
    assert client_for(assessor).get(URL).status_code == 200


def test_scorecard_query_count_does_not_grow_with_townships(client_for, leader, township_a,
                                                            django_assert_num_queries):
    client = client_for(leader)
    client.get(URL)
    # Townships; the apps' batches (every figure of both periods),
    # two periods for each other indicator.
    indicators = all_indicators()
    batches = {i.batch for i in indicators if i.batch is not None}
    assert len(batches) == 5
    # households 1, screening 2 (couples, screenings), enforcement 2 (tips, cases), assessment 1 (checks)
    # + 1 (rectifications, scorecard only)
    batch_statements = 7
    per_page = REQUEST + 1 + batch_statements + 2 * sum(i.batch is None for i in indicators)
    with django_assert_num_queries(per_page):
        client.get(URL)
    for _ in range(5):
        TownshipFactory()
    with django_assert_num_queries(per_page):
        response = client.get(URL)
    assert len(response.context["rows"]) == 6
