"""Rates against a hand-computed fixture; one statement per indicator; the list behind a figure
has exactly the figure's rows; leaders read it (audited) and nobody else unlisted does."""
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from core.indicators import all_indicators
from screening.selectors.rates import batch, rate_rows, rate_table, rate_values
from screening.services.followups import early_follow_up_record, outcome_follow_up_record, prenatal_screening_record
from screening.services.screenings import screening_void

from ..factories import RegisterCoupleFactory
from .helpers import assessed, completed, pregnant, start

pytestmark = pytest.mark.django_db
D = datetime.date
START, END = D(2025, 1, 1), D(2025, 7, 1)


@pytest.fixture
def fixture(village_a, village_b, clinician):
    """Township A (see the comments for why each couple counts where it does) and one of B."""
    def couple(village=village_a, timing="1"):
        return RegisterCoupleFactory(household__village=village, planned_timing=timing)

    c = {name: couple() for name in ("c1", "c2", "c3", "c4", "c6", "c8", "c9")}
    c["c5"] = couple(timing="2")
    c["c7"] = couple(village=village_b)
    # c1: screened in the period (general); first early follow-up due 05-11, done 05-15 (未孕).
    s1 = assessed(c["c1"], clinician, exam_date=D(2025, 2, 10))
    early_follow_up_record(screening=s1, by=clinician, followed_on=D(2025, 5, 15), result="2")
    # c2: screened in the period, high risk; early follow-up due 05-30, not done.
    assessed(c["c2"], clinician, exam_date=D(2025, 3, 1), high=True)
    # c3: planning within a year, never screened.
    # c4: screened before the period (not in coverage); early due 2025-01-30, done (已孕, LMP 01-10);
    #     serum window closes 06-05 (prenatal due in the period), NT done 04-04.
    s4 = assessed(c["c4"], clinician, exam_date=D(2024, 11, 1))
    pregnant(s4, clinician, lmp=D(2025, 1, 10), followed_on=D(2025, 3, 1))
    prenatal_screening_record(screening=s4, by=clinician, test="nt", tested_on=D(2025, 4, 4), gestational_weeks=12,
                              gestational_days=0, result="low")
    # c5: not planning within a year, yet screened in the period (complete, not assessed).
    completed(c["c5"], clinician, exam_date=D(2025, 4, 1))
    # c6: LMP 2024-04-01, outcome due 2025-01-20 (in the period), delivered and followed up 02-01.
    s6 = assessed(c["c6"], clinician, exam_date=D(2024, 2, 1))
    pregnant(s6, clinician, lmp=D(2024, 4, 1), followed_on=D(2024, 5, 20))
    outcome_follow_up_record(screening=s6, by=clinician, followed_on=D(2025, 2, 1), result="1", outcome="normal",
                             delivery_date=D(2025, 1, 1), gestational_weeks=39, birth_weight_g=3200)
    # c7 (township B): screened in the period, general.
    assessed(c["c7"], clinician, exam_date=D(2025, 5, 5))
    # c8: a draft started in the period does not count as screened.
    start(c["c8"], clinician, exam_date=D(2025, 6, 20))
    # c9: a voided screening does not count.
    screening_void(screening=start(c["c9"], clinician, exam_date=D(2025, 2, 2)), by=clinician, reason="录入错误")
    return c


def cells(row):
    return {cell["key"]: (cell["num"], cell["den"], cell["value"]) for cell in row}


def test_rates_match_the_hand_computed_fixture(fixture, township_a, township_b, django_assert_num_queries):
    with django_assert_num_queries(3):  # couples, screenings, townships
        table = rate_table(START, END)
    a = cells(next(r["cells"] for r in table["rows"] if r["township"] == township_a))
    assert a["coverage"] == (3, 6, Decimal("50.0"))  # c1 c2 c5 of c1 c2 c3 c5 c8 c9
    assert a["high_risk_share"] == (1, 2, Decimal("50.0"))  # c2 of c1 c2
    assert a["early_follow_up"] == (2, 3, Decimal("66.7"))  # c1 c4 of c1 c2 c4
    assert a["outcome_follow_up"] == (1, 1, Decimal("100.0"))  # c6
    assert a["prenatal"] == (1, 1, Decimal("100.0"))  # c4
    assert a["screened"][2] == 3 and a["high_found"][2] == 1
    b = cells(next(r["cells"] for r in table["rows"] if r["township"] == township_b))
    assert b["coverage"] == (1, 1, Decimal("100.0")) and b["high_risk_share"] == (0, 1, Decimal("0.0"))
    county = cells(table["county"])
    assert county["coverage"] == (4, 7, Decimal("57.1")) and county["screened"][2] == 4


def test_rates_are_colour_banded_against_targets_from_settings(fixture, township_a, settings):
    settings.SCREENING_TARGETS = {**settings.SCREENING_TARGETS, "coverage": 55}
    row = next(r["cells"] for r in rate_table(START, END)["rows"] if r["township"] == township_a)
    coverage = next(c for c in row if c["key"] == "coverage")
    assert coverage["band"] == "near"  # 50.0 is within 10 points of 55
    settings.SCREENING_TARGETS = {**settings.SCREENING_TARGETS, "coverage": 90}
    row = next(r["cells"] for r in rate_table(START, END)["rows"] if r["township"] == township_a)
    assert next(c for c in row if c["key"] == "coverage")["band"] == "below"


def test_each_indicator_is_one_statement_over_all_townships(fixture, township_a, django_assert_num_queries):
    screening_indicators = [i for i in all_indicators() if i.key.startswith("screening.")]
    assert {i.key for i in screening_indicators} >= {
        "screening.coverage", "screening.high_risk_share", "screening.early_follow_up",
        "screening.outcome_follow_up", "screening.prenatal", "screening.screened", "screening.high_found"}
    for indicator in screening_indicators:
        with django_assert_num_queries(1):
            values = indicator.compute(START, END)
        assert indicator.drilldown and reverse(indicator.drilldown)
        assert values[township_a.pk] == rate_values(indicator.key.split(".")[1], START, END)[township_a.pk]
    assert rate_values("coverage", START, END)[township_a.pk] == Decimal("50.0")


def test_batch_gives_every_rate_of_every_period_in_two_statements(fixture, django_assert_num_queries):
    """What the scorecard and the weekly report read: the same figures as each rate's own
    statement, for overlapping periods too, one statement per base table."""
    periods = [(START, END), (D(2024, 7, 1), START), (D(2024, 10, 1), D(2025, 12, 31)), (D(2025, 5, 1), D(2025, 6, 1))]
    with django_assert_num_queries(2):
        answers = batch(periods)
    indicators = [i for i in all_indicators() if i.key.startswith("screening.")]
    assert set(answers) == {i.key for i in indicators}
    for indicator in indicators:
        for (first, end), (values, county) in zip(periods, answers[indicator.key], strict=True):
            assert values == indicator.compute(first, end), (indicator.key, first, end)
            assert county == indicator.county(first, end), (indicator.key, first, end)
    assert answers["screening.coverage"][0][0][fixture["c1"].township_id] == Decimal("50.0")
    # The county's rate from the county's totals, as the rates page's county row: 4 of 7, not the
    # mean of A's 50.0 and B's 100.0 (issue #18).
    assert answers["screening.coverage"][0][1] == Decimal("57.1")
    assert answers["screening.high_risk_share"][0][1] == Decimal("33.3")  # 1 of 3
    assert answers["screening.screened"][0][1] == 4


def test_the_list_behind_a_figure_has_exactly_its_rows(fixture, township_a):
    rows = list(rate_rows("coverage", START, END, township_id=township_a.pk))
    assert len(rows) == 6 and sum(r.counted for r in rows) == 3
    early = list(rate_rows("early_follow_up", START, END, township_id=township_a.pk))
    assert {r.couple_id for r in early} == {fixture["c1"].pk, fixture["c2"].pk, fixture["c4"].pk}


def test_leader_opens_the_masked_list_read_only_and_it_is_audited(client_for, leader, fixture, township_a):
    url = reverse("screening:rate_list_coverage") + f"?township={township_a.pk}&start=2025-01-01&end=2025-07-01"
    response = client_for(leader).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    wife = fixture["c1"].wife
    assert wife.name in body and wife.id_number not in body and wife.masked_id_number in body
    assert "风疹" not in body and 'action="/screening' not in body  # no lab values, nothing to submit
    assert AuditEvent.objects.filter(user=leader, object_type="screening.rate.coverage", township=township_a).exists()


def test_rates_page_shows_every_township_with_clickable_figures(client_for, leader, fixture):
    response = client_for(leader).get(reverse("screening:rates"), {"start": "2025-01-01", "end": "2025-06-30"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-rate="coverage" data-value="50.0"' in body and "/screening/rates/coverage/?township=" in body
    assert "end=2025-07-01" in body  # the list's end is exclusive, like core.indicators'


def test_bad_period_on_the_list_is_a_400_that_says_why_not_a_500(client_for, leader):
    response = client_for(leader).get(reverse("screening:rate_list_coverage") + "?start=x&end=y")
    assert response.status_code == 400
    assert "开始日期不是有效的日期" in response.content.decode()


@pytest.mark.parametrize("role", ["clerk_a", "inspector", "bureau_staff", "auditor", "admin"])
def test_rates_are_refused_to_other_roles(client_for, cast, role):
    client = client_for(cast[role])
    assert client.get(reverse("screening:rates")).status_code == 403
    assert client.get(reverse("screening:rate_list_coverage") + "?start=2025-01-01&end=2025-02-01").status_code == 403


def test_the_list_behind_a_figure_exports_masked(client_for, leader, fixture, township_a):
    import io

    from openpyxl import load_workbook

    url = reverse("screening:rate_list_coverage") + f"?township={township_a.pk}&start=2025-01-01&end=2025-07-01"
    response = client_for(leader).get(url + "&format=xlsx")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    text = " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None)
    wife = fixture["c1"].wife
    assert wife.masked_id_number in text and wife.id_number not in text
    assert AuditEvent.objects.filter(user=leader, action="export", object_type="screening.rate.coverage").exists()


def test_each_cell_carries_its_link_band_for_screen_readers_and_numbers_in_both_layouts():
    """The cells are written in Python (screening.views.rates), not by the template: the markup
    the phone's cards and the desktop table had, pinned here."""
    from screening.views.rates import _card_html, _td_html

    rate = {"key": "coverage", "kind": "rate", "num": 3, "den": 4, "value": Decimal("75.0"), "band": "below",
            "target": 90, "href": "/screening/rates/coverage/?township=1&start=2025-01-01&end=2025-07-01",
            "label": "检查覆盖率", "band_label": "未达标", "value_s": "75.0", "num_s": "3", "den_s": "4"}
    href = "/screening/rates/coverage/?township=1&amp;start=2025-01-01&amp;end=2025-07-01"
    assert _td_html(rate) == (
        '<td class="text-end band-below" data-rate="coverage" data-value="75.0" data-num="3" data-den="4">\n'
        f'<a class="rate-link" href="{href}" data-testid="rate-link">75.0%</a>\n'
        '<span class="visually-hidden">未达标</span>\n<div class="small">3/4</div>\n</td>')
    assert _card_html(rate) == (
        '<dt class="col-7 fw-normal">检查覆盖率 <span class="text-nowrap">（≥90%）</span></dt>\n'
        f'<dd class="col-5 text-end mb-1 band-below"><a class="rate-link" data-testid="rate-link-card" href="{href}">'
        '75.0%</a> <span class="text-nowrap">3/4</span>\n<span class="visually-hidden">未达标</span></dd>')
    empty = {**rate, "kind": "count", "value": None, "band": "", "target": None, "value_s": "", "label": "<b>"}
    assert _td_html(empty) == ('<td class="text-end " data-rate="coverage" data-value="" data-num="3" data-den="4">\n'
                               '—\n\n\n</td>')
    assert _card_html(empty) == '<dt class="col-7 fw-normal">&lt;b&gt;</dt>\n<dd class="col-5 text-end mb-1 ">—\n</dd>'
