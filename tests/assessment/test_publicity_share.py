"""Publicity as a fixed share of the regular part, set in the scheme, and the ranking's formula
text following the year's scheme (issue #18; the worked example of docs/assessment.md).

Publicity points used to be added to the regular part's maximum, so their weight depended on how
many checks were entered (about 9% of the regular part with 110 points of checks, 33% with one
20-point check). Now: regular = checks part × (100 − share)% + completion rate × share%.
"""
import datetime
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.urls import reverse

from assessment.models import AnnualScore, Scheme
from assessment.services.scoring import scores_recompute

from ..factories import TownshipFactory
from .factories import PublicitySiteFactory, RegularCheckFactory, YearEndScoreFactory

YEAR = datetime.date.today().year
DAY = datetime.date(YEAR, 1, 2)


@pytest.fixture
def county(township_a, township_b):
    """The docs' worked example: share 10%, target 2 sites, weights 60/40.

    | township | checks            | sites | regular                       | year-end | total                  |
    | 城关镇   | 99 / 110 = 90%    | 1     | 90 × 0.9 + 50 × 0.1 = 86.00   | 80       | 86 × 0.6 + 32 = 83.60  |
    | 东关街道 | 18 / 20 = 90%     | 1     | 90 × 0.9 + 50 × 0.1 = 86.00   | 90       | 51.60 + 36 = 87.60     |
    | 西关镇   | 10 / 20 = 50%     | 3     | 50 × 0.9 + 100 × 0.1 = 55.00  | 70       | 33 + 28 = 61.00        |

    Under the old rule (10 points on the maximum) 城关镇 had (99 + 5) / 120 = 86.67 and 东关街道
    (18 + 5) / 30 = 76.67: the same 90% of checks and the same one site, 10 points apart.
    """
    Scheme.objects.create(year=YEAR, publicity_share=D("10"), publicity_target=2)
    township_c = TownshipFactory(code="411099003", name="西关镇")
    for score, maximum in ((D(45), D(50)), (D(36), D(40)), (D(18), D(20))):  # 99 / 110
        RegularCheckFactory(township=township_a, check_date=DAY, score=score, maximum=maximum)
    RegularCheckFactory(township=township_b, check_date=DAY, score=D(18), maximum=D(20))
    RegularCheckFactory(township=township_c, check_date=DAY, score=D(10), maximum=D(20))
    PublicitySiteFactory(township=township_a, completion_date=DAY)
    PublicitySiteFactory(township=township_b, completion_date=DAY)
    for _n in range(3):
        PublicitySiteFactory(township=township_c, completion_date=DAY)
    for town, score in ((township_a, 80), (township_b, 90), (township_c, 70)):
        YearEndScoreFactory(township=town, year=YEAR, score=D(score))
    scores_recompute(year=YEAR)
    return {"a": township_a, "b": township_b, "c": township_c}


def table():
    return {r.township.name: (r.regular_part, r.total, r.rank)
            for r in AnnualScore.objects.filter(year=YEAR).select_related("township")}


def test_publicity_is_a_fixed_share_whatever_the_checks_add_up_to(county):
    assert table() == {
        "城关镇": (D("86.00"), D("83.60"), 2),
        "东关街道": (D("86.00"), D("87.60"), 1),
        "西关镇": (D("55.00"), D("61.00"), 3),
    }


@pytest.mark.parametrize(("share", "expected"), [
    # share 0: publicity gives nothing; the checks alone.
    (D("0"), {"城关镇": D("90.00"), "东关街道": D("90.00"), "西关镇": D("50.00")}),
    # share 25: 90 × 0.75 + 50 × 0.25 = 80.00; 50 × 0.75 + 100 × 0.25 = 62.50.
    (D("25"), {"城关镇": D("80.00"), "东关街道": D("80.00"), "西关镇": D("62.50")}),
])
def test_the_share_is_set_in_the_scheme(county, share, expected):
    Scheme.objects.filter(year=YEAR).update(publicity_share=share)
    scores_recompute(year=YEAR)
    assert {name: regular for name, (regular, _t, _r) in table().items()} == expected


@pytest.mark.parametrize(("normalisation", "share", "text", "absent"), [
    ("ratio", D("10"), "经常性考核 = （全年得分合计 ÷ 满分合计 × 100）× 90% + 人口文化宣传阵地完成率 × 10%（当年建成 2 个为 100%）。",
     "不计分"),
    ("ratio", D("0"), "经常性考核 = 全年得分合计 ÷ 满分合计 × 100（人口文化宣传阵地不计分）。", "完成率"),
    ("ratio", D("12.5"), "× 87.5% + 人口文化宣传阵地完成率 × 12.5%", "不计分"),
    ("category", D("0"), "经常性考核 = 各类别得分率按类别权重加权折算为百分制（人口文化宣传阵地不计分）。", "完成率"),
    ("category", D("10"), "（各类别得分率按类别权重加权折算为百分制）× 90% + 人口文化宣传阵地完成率 × 10%", "不计分"),
])
def test_the_ranking_page_states_the_years_formula(client_for, leader, county, normalisation, share, text, absent):
    """It said "含人口文化宣传阵地分" when that year's scheme gave publicity no points."""
    Scheme.objects.filter(year=YEAR).update(normalisation=normalisation, publicity_share=share,
                                            weight_info=100, weight_petition=0, weight_inspection=0,
                                            weight_regular_work=0)
    html = client_for(leader).get(reverse("assessment:ranking"), {"year": YEAR}).content.decode()
    formula = html.split('data-testid="regular-formula">')[1].split("</span>")[0]
    assert text in formula and absent not in formula and "含人口文化宣传阵地分" not in html
    print_html = client_for(leader).get(reverse("assessment:ranking_print"), {"year": YEAR}).content.decode()
    assert text in print_html
    export = client_for(leader).get(reverse("assessment:ranking_export"), {"year": YEAR})
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
             for c in row if isinstance(c, str)]
    assert any(text in c for c in cells)


def test_the_scorecard_shows_the_publicity_share_and_completion(client_for, leader, county):
    html = client_for(leader).get(reverse("assessment:township", args=[county["c"].pk, YEAR])).content.decode()
    row = html.split('data-category="publicity"')[1].split("</tr>")[0]
    assert "人口文化宣传阵地（占经常性考核 10%）" in row and "100%" in row
