"""The annual score (60/40), the ranking with ties and rank change, against a hand-computed table.

2025, default scheme (60/40, regular = sum of scores / sum of maxima × 100), publicity not
counted here (share 0; tests/assessment/test_publicity.py covers it):

| town | checks (active)            | regular | year-end | total                      | rank | reg. | 2024 | change |
|------|----------------------------|---------|----------|----------------------------|------|------|------|--------|
| A    | 19/20 + 76/80              | 95.00   | 90       | 57.00 + 36.00 = 93.00      | 1    | 2    | 3    | ↑2     |
| B    | 16/20 + 9/10 (+void 0/50)  | 83.33   | 90       | 49.998 + 36 = 85.998→86.00 | 2    | 4    | 1    | ↓1     |
| C    | 18/20 + 45/50              | 90.00   | 80       | 54.00 + 32.00 = 86.00      | 2    | 3    | 2    | —      |
| D    | 40/50                      | 80.00   | 85       | 48.00 + 34.00 = 82.00      | 4    | 5    | —    | 新     |
| F    | 10/10                      | 100.00  | none yet | none: 待评定                | —    | 1    | 4    | (none) |
| G    | none                       | none    | 70       | none: 待评定                | —    | —    | —    | (none) |
| E (inactive): 20/20, not listed |

B and C tie on the published (rounded) total, so both are 2nd and the next is 4th. The parts are
rounded to 2 decimals first and the total is computed from the rounded parts (83.33 × 0.6 =
49.998), so the published parts always add up to the published total.
Decision: a township without a year-end score (F) or without any check (G) has no total and no
rank until it has both; it is listed after the ranked ones, ordered by its regular-part rank,
and it does not push anyone's rank down.
"""
import datetime
from decimal import Decimal

import pytest

from assessment.models import AnnualScore, Scheme
from assessment.selectors.ranking import ranking
from assessment.services.scoring import scores_recompute

from ..factories import TownshipFactory
from .factories import RegularCheckFactory, YearEndScoreFactory

D = Decimal
EXPECTED_2025 = {
    # name: (regular, year_end, total, rank, regular_rank, change)
    "A": (D("95.00"), D("90.00"), D("93.00"), 1, 2, ("up", 2)),
    "B": (D("83.33"), D("90.00"), D("86.00"), 2, 4, ("down", 1)),
    "C": (D("90.00"), D("80.00"), D("86.00"), 2, 3, ("same", 0)),
    "D": (D("80.00"), D("85.00"), D("82.00"), 4, 5, ("new", None)),
    "F": (D("100.00"), None, None, None, 1, ("none", None)),
    "G": (None, D("70.00"), None, None, None, ("none", None)),
}


@pytest.fixture
def county(db):
    towns = {name: TownshipFactory(code=f"41109907{i}", name=name, sort_order=i) for i, name in enumerate("ABCDFG")}
    towns["E"] = TownshipFactory(code="411099079", name="E", sort_order=9, is_active=False)
    Scheme.objects.create(year=2025, publicity_share=0)
    Scheme.objects.create(year=2024, publicity_share=0)

    def check(name, score, maximum, category="info", **kw):
        return RegularCheckFactory(township=towns[name], score=D(score), maximum=D(maximum), category=category, **kw)

    check("A", 19, 20)
    check("A", 76, 80, "inspection")
    check("B", 16, 20)
    check("B", 9, 10, "petition")
    check("B", 0, 50, "inspection", is_void=True)
    check("C", 18, 20)
    check("C", 45, 50, "inspection")
    check("D", 40, 50, "regular_work")
    check("F", 10, 10)
    check("E", 20, 20)
    check("A", 1, 100, check_date=datetime.date(2024, 12, 31))  # another year: not counted in 2025
    for name, score in (("A", 90), ("B", 90), ("C", 80), ("D", 85), ("G", 70), ("E", 99)):
        YearEndScoreFactory(township=towns[name], year=2025, score=D(score))
    # Last year's published ranks.
    now = datetime.datetime(2025, 1, 10, tzinfo=datetime.UTC)
    for name, rank in (("B", 1), ("C", 2), ("A", 3), ("F", 4)):
        AnnualScore.objects.create(year=2024, township=towns[name], total=D(90 - rank), rank=rank, computed_at=now)
    return towns


def test_annual_scores_match_the_hand_computed_table(county, leader, django_assert_num_queries):
    scores_recompute(year=2025)

    with django_assert_num_queries(1):
        rows = ranking(year=2025, user=leader)

    got = {
        r.township.name: (r.regular_part, r.year_end_part, r.total, r.rank, r.regular_rank,
                          (r.change["kind"], r.change["delta"]))
        for r in rows
    }
    assert got == EXPECTED_2025
    # Ranked first (within a tie, the better regular part first), then the pending ones by their
    # regular rank.
    assert [r.township.name for r in rows] == ["A", "C", "B", "D", "F", "G"]


def test_inactive_township_is_not_ranked_and_does_not_take_a_rank(county):
    scores_recompute(year=2025)
    assert not AnnualScore.objects.filter(year=2025, township=county["E"]).exists()
    assert list(AnnualScore.objects.filter(year=2025, rank__isnull=False).values_list("rank", flat=True)
                .order_by("rank")) == [1, 2, 2, 4]


def test_recompute_is_repeatable_and_follows_a_new_check(county):
    scores_recompute(year=2025)
    scores_recompute(year=2025)
    assert AnnualScore.objects.filter(year=2025).count() == 6
    # D scores full marks on a big check: 40/50 + 100/100 = 140/150 = 93.33 → 56.00 + 34 = 90.00, 2nd.
    RegularCheckFactory(township=county["D"], score=D(100), maximum=D(100))
    scores_recompute(year=2025)
    d = AnnualScore.objects.get(year=2025, township=county["D"])
    assert (d.regular_part, d.total, d.rank) == (D("93.33"), D("90.00"), 2)
    ranks = dict(AnnualScore.objects.filter(year=2025).values_list("township__name", "rank"))
    assert ranks == {"A": 1, "D": 2, "B": 3, "C": 3, "F": None, "G": None}


def test_a_year_end_score_out_of_another_maximum_is_scaled_to_100(county):
    from assessment.models import YearEndScore

    YearEndScore.objects.filter(township=county["D"], year=2025).update(score=D(34), maximum=D(40))  # 85%
    scores_recompute(year=2025)
    assert AnnualScore.objects.get(year=2025, township=county["D"]).year_end_part == D("85.00")
