"""Rewards and penalties of a closed year (奖优罚劣): bands, proposals, approval, issue, corrections,
scope (docs/assessment.md "奖优罚劣")."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.permissions import CapabilityDenied
from accounts.roles import Role
from assessment.models import AnnualScore, Outcome, OutcomeBand, OutcomeDecision, Scheme, Subject
from assessment.services.outcomes import (
    band_for,
    competition_ranks,
    outcome_correct,
    outcome_decide,
    outcomes_issue,
    outcomes_propose,
)

from ..factories import TownshipFactory, UserFactory
from ..households.querycount import REQUEST
from .factories import LiaisonFactory, approve

YEAR = 2025
D = Decimal
NOW = datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
DAY = datetime.date(2026, 1, 10)


def _bands(scheme):
    """Ranks 1–3 先进; the last place 通报批评 + 约谈; a total below 60 黄牌; leaders: 1st 优秀."""
    rows = [
        OutcomeBand(scheme=scheme, position=1, kind="rank", rank_from=1, rank_to=3, label="先进", measures="通报表扬"),
        OutcomeBand(scheme=scheme, position=2, kind="rank", rank_from=1, rank_to=1, from_bottom=True,
                    label="通报批评", measures="约谈"),
        OutcomeBand(scheme=scheme, position=3, kind="score", score_max=D(60), label="黄牌警告"),
        OutcomeBand(scheme=scheme, subject=Subject.LEADER, position=1, kind="rank", rank_from=1, rank_to=1,
                    label="优秀"),
    ]
    return OutcomeBand.objects.bulk_create(rows)


@pytest.fixture
def year_world(township_a, township_b, leader):
    """A closed 2025 of seven townships (hand-computed table in the test below):

        A 95 (1), B 90 (2), C 88 (3), D 88 (3) — C and D tied at the 先进 boundary —,
        E 70 (5), F 55 (6, last), G no year-end score (no total, no rank).
    Liaisons: ``leader`` A + F (mean 75.00), L2 B + C (89.00), L3 G only (no mean).
    """
    towns = {"A": township_a, "B": township_b}
    for n, key in enumerate("CDEFG", start=3):
        towns[key] = TownshipFactory(code=f"41109900{n}", name=f"{key}镇", sort_order=n)
    table = {"A": (95, 1), "B": (90, 2), "C": (88, 3), "D": (88, 3), "E": (70, 5), "F": (55, 6), "G": (None, None)}
    for key, (total, rank) in table.items():
        AnnualScore.objects.create(year=YEAR, township=towns[key], total=None if total is None else D(total),
                                   rank=rank, computed_at=NOW)
    # Closed as year_close leaves it (it refuses a pending township; the rule is defined anyway).
    scheme = Scheme.objects.create(year=YEAR, is_closed=True, closed_at=NOW)
    _bands(scheme)
    l2 = UserFactory(username="l2", name="王建华", role=Role.LEADER)
    l3 = UserFactory(username="l3", name="陈志强", role=Role.LEADER)
    for key, who in (("A", leader), ("F", leader), ("B", l2), ("C", l2), ("G", l3)):
        LiaisonFactory(township=towns[key], year=YEAR, leader=who)
    approver = UserFactory(username="approver", name="李局长", role=Role.LEADER)
    approve(approver)
    return {"towns": towns, "approver": approver, "l2": l2, "l3": l3, "scheme": scheme}


def _current(**kwargs):
    return Outcome.objects.get(year=YEAR, is_current=True, **kwargs)


def test_proposals_follow_the_bands_against_a_hand_computed_table(year_world, leader):
    written = outcomes_propose(year=YEAR, by=year_world["approver"])
    assert written == 7 + 3
    got = {o.township.name: (o.rank, o.proposed_label, o.proposed_measures, o.status)
           for o in Outcome.objects.filter(subject=Subject.TOWNSHIP).select_related("township")}
    towns = year_world["towns"]
    assert got == {
        towns["A"].name: (1, "先进", "通报表扬", "proposed"),
        towns["B"].name: (2, "先进", "通报表扬", "proposed"),
        towns["C"].name: (3, "先进", "通报表扬", "proposed"),  # tied 3rd at the boundary:
        towns["D"].name: (3, "先进", "通报表扬", "proposed"),  # both get the better outcome
        towns["E"].name: (5, "", "", "proposed"),  # no band
        towns["F"].name: (6, "通报批评", "约谈", "proposed"),  # last; also < 60, the first band wins
        towns["G"].name: (None, "", "", "proposed"),  # no year-end score: no rank, no band
    }
    leaders = {o.leader.username: (o.total, o.rank, o.proposed_label)
               for o in Outcome.objects.filter(subject=Subject.LEADER).select_related("leader")}
    assert leaders == {"l2": (D("89.00"), 1, "优秀"), leader.username: (D("75.00"), 2, ""), "l3": (None, None, "")}


def test_a_tie_for_the_last_place_gets_the_better_outcome():
    last = OutcomeBand(kind="rank", rank_from=1, rank_to=1, from_bottom=True, label="通报批评")
    # Six ranked, two tied last (5, 5): second from the bottom for both, so neither is 通报批评.
    assert band_for([last], rank=5, total=D(50), ranked=6) is None
    assert band_for([last], rank=6, total=D(50), ranked=6) is last
    assert competition_ranks({"a": D(9), "b": D(8), "c": D(8), "d": D(1), "e": None}) == {
        "a": 1, "b": 2, "c": 2, "d": 4, "e": None}


def test_score_bands_have_open_ends():
    low = OutcomeBand(kind="score", score_max=D(60), label="黄牌")
    mid = OutcomeBand(kind="score", score_min=D(60), score_max=D(80), label="合格")
    assert band_for([low, mid], rank=9, total=D("59.99"), ranked=9) is low
    assert band_for([low, mid], rank=9, total=D(60), ranked=9) is mid
    assert band_for([low, mid], rank=1, total=D(80), ranked=9) is None


def test_proposals_need_a_closed_year_and_an_approver(year_world, leader):
    Scheme.objects.filter(year=YEAR).update(is_closed=False)
    with pytest.raises(ValidationError, match="尚未关闭"):
        outcomes_propose(year=YEAR, by=year_world["approver"])
    Scheme.objects.filter(year=YEAR).update(is_closed=True)
    with pytest.raises(CapabilityDenied):
        outcomes_propose(year=YEAR, by=leader)  # a leader without the approval grant
    assert not Outcome.objects.exists()


def test_decide_confirms_or_changes_with_a_reason(year_world):
    approver = year_world["approver"]
    outcomes_propose(year=YEAR, by=approver)
    a = _current(township=year_world["towns"]["A"])
    outcome_decide(outcome=a, by=approver, label="先进", measures="通报表扬")
    a.refresh_from_db()
    assert (a.status, a.label, a.reason, a.decided_by) == ("decided", "先进", "", approver)
    e = _current(township=year_world["towns"]["E"])
    with pytest.raises(ValidationError) as refused:
        outcome_decide(outcome=e, by=approver, label="通报批评", measures="约谈")
    assert refused.value.message_dict == {"reason": ["与建议结果不同，须填写调整理由。"]}
    e.refresh_from_db()
    assert (e.status, e.label) == ("proposed", "")
    outcome_decide(outcome=e, by=approver, label="通报批评", measures="约谈", reason="全年两次信访问题")
    e.refresh_from_db()
    assert (e.status, e.label, e.reason) == ("decided", "通报批评", "全年两次信访问题")
    assert AuditEvent.objects.filter(object_type="assessment.outcome", object_id=str(e.pk)).exists()


def test_issue_numbers_are_unique_per_year_and_issued_rows_never_change(year_world):
    approver = year_world["approver"]
    outcomes_propose(year=YEAR, by=approver)
    a = _current(township=year_world["towns"]["A"])
    b = _current(township=year_world["towns"]["B"])
    for row in (a, b):
        outcome_decide(outcome=row, by=approver, label=row.proposed_label, measures=row.proposed_measures)
    decision = outcomes_issue(year=YEAR, by=approver, number="县卫健发〔2026〕3号", decided_on=DAY)
    assert set(decision.outcomes.values_list("pk", flat=True)) == {a.pk, b.pk}
    assert Outcome.objects.filter(status="issued").count() == 2  # the undecided stay proposed
    c = _current(township=year_world["towns"]["C"])
    outcome_decide(outcome=c, by=approver, label="先进", measures="通报表扬")
    with pytest.raises(ValidationError) as refused:
        outcomes_issue(year=YEAR, by=approver, number="县卫健发〔2026〕3号", decided_on=DAY)
    assert "number" in refused.value.message_dict
    c.refresh_from_db()
    assert c.status == "decided" and OutcomeDecision.objects.count() == 1
    # The same number in another year is another document.
    Scheme.objects.create(year=YEAR + 1, is_closed=True)
    assert not OutcomeDecision.objects.filter(year=YEAR + 1).exists()
    # Issued: no decision changes it, and proposing again leaves it alone.
    with pytest.raises(ValidationError, match="不能修改"):
        outcome_decide(outcome=a, by=approver, label="无", reason="改主意")
    OutcomeBand.objects.filter(label="先进").update(label="先进单位")
    outcomes_propose(year=YEAR, by=approver)
    a.refresh_from_db()
    assert (a.status, a.label, a.proposed_label, a.decision) == ("issued", "先进", "先进", decision)
    d = _current(township=year_world["towns"]["D"])
    assert d.proposed_label == "先进单位"  # an undecided proposal follows the bands
    # Not even a save outside the services changes an issued row.
    issued = Outcome.objects.get(pk=a.pk)
    issued.label = "无"
    with pytest.raises(ValueError, match="immutable"):
        issued.save()
    assert Outcome.objects.get(pk=a.pk).label == "先进"


def test_a_correction_supersedes_and_both_stay_visible(year_world, client_for):
    approver = year_world["approver"]
    outcomes_propose(year=YEAR, by=approver)
    f = _current(township=year_world["towns"]["F"])
    outcome_decide(outcome=f, by=approver, label="通报批评", measures="约谈")
    outcomes_issue(year=YEAR, by=approver, number="县卫健发〔2026〕3号", decided_on=DAY)
    with pytest.raises(ValidationError) as refused:
        outcome_correct(outcome=f, by=approver, label="无", reason="", number="县卫健发〔2026〕9号", decided_on=DAY)
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError):  # the number is taken
        outcome_correct(outcome=f, by=approver, label="无", reason="复核", number="县卫健发〔2026〕3号", decided_on=DAY)
    assert Outcome.objects.filter(township=f.township).count() == 1
    new = outcome_correct(outcome=f, by=approver, label="无", reason="复核后年终考核分数更正",
                          number="县卫健发〔2026〕9号", decided_on=DAY)
    f.refresh_from_db()
    assert (f.is_current, f.label, f.status, f.decision.number) == (False, "通报批评", "issued", "县卫健发〔2026〕3号")
    assert (new.is_current, new.supersedes, new.label, new.decision.number) == (True, f, "无", "县卫健发〔2026〕9号")
    with pytest.raises(ValidationError, match="现行"):
        outcome_correct(outcome=f, by=approver, label="先进", reason="再改", number="x", decided_on=DAY)
    page = client_for(approver).get(reverse("assessment:outcomes") + f"?year={YEAR}")
    rows = [r for r in page.context["rows"] if r.township_id == f.township_id]
    assert [(r.label, r.is_current) for r in rows] == [("通报批评", False), ("无", True)]
    # The notice lists the current row only.
    notice = client_for(approver).get(reverse("assessment:outcomes_notice") + f"?year={YEAR}").content.decode()
    assert "复核后年终考核分数更正" in notice and "县卫健发〔2026〕9号" in notice


def test_the_approver_runs_the_year_through_the_pages(year_world, client_for):
    approver = year_world["approver"]
    client = client_for(approver)
    url = reverse("assessment:outcomes") + f"?year={YEAR}"
    assert client.post(reverse("assessment:outcomes_propose"), {"year": YEAR}).status_code == 302
    e = _current(township=year_world["towns"]["E"])
    decide = reverse("assessment:outcome_decide", args=[e.pk])
    response = client.post(decide, {"label": "通报批评", "measures": "约谈", "reason": ""})
    assert response.status_code == 200 and "须填写调整理由" in response.content.decode()
    assert response.context["form"]["label"].value() == "通报批评"  # kept what was typed
    e.refresh_from_db()
    assert e.status == "proposed"
    assert client.post(decide, {"label": "通报批评", "measures": "约谈", "reason": "信访"}).status_code == 302
    response = client.post(reverse("assessment:outcomes_issue"), {"year": YEAR, "number": "", "decided_on": ""})
    assert response.status_code == 400 and "请填写决定文号" in response.content.decode()
    response = client.post(reverse("assessment:outcomes_issue"),
                           {"year": YEAR, "number": "县卫健发〔2026〕3号", "decided_on": "2999-01-01"})
    assert response.status_code == 400 and "不能晚于今天" in response.content.decode()
    assert response.context["issue_form"]["number"].value() == "县卫健发〔2026〕3号"
    assert client.post(reverse("assessment:outcomes_issue"),
                       {"year": YEAR, "number": "县卫健发〔2026〕3号", "decided_on": DAY.isoformat()}).status_code == 302
    e.refresh_from_db()
    assert e.status == "issued"
    html = client.get(url).content.decode()
    assert "县卫健发〔2026〕3号" in html and 'data-testid="correct"' in html
    export = client.get(reverse("assessment:outcomes_export") + f"?year={YEAR}")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "通报批评" in values and "县卫健发〔2026〕3号" in values


def test_ungranted_leaders_and_clerks_cannot_approve(year_world, client_for, leader, clerk_a, clerk_b):
    outcomes_propose(year=YEAR, by=year_world["approver"])
    a = _current(township=year_world["towns"]["A"])
    for who in (leader, clerk_a):
        client = client_for(who)
        assert client.post(reverse("assessment:outcomes_propose"), {"year": YEAR}).status_code == 403
        assert client.post(reverse("assessment:outcomes_issue"),
                           {"year": YEAR, "number": "x", "decided_on": DAY.isoformat()}).status_code == 403
    # A proposal is not the clerk's to see (only issued outcomes are): 404, like another township's.
    assert client_for(clerk_a).post(reverse("assessment:outcome_decide", args=[a.pk]),
                                    {"label": "无", "reason": "x"}).status_code == 404
    assert client_for(leader).post(reverse("assessment:outcome_decide", args=[a.pk]),
                                   {"label": "无", "reason": "x"}).status_code == 403
    a.refresh_from_db()
    assert (a.status, a.label) == ("proposed", "")
    assert not OutcomeDecision.objects.exists()


def test_a_clerk_sees_their_own_townships_issued_outcomes_of_every_year(year_world, client_for, clerk_a, clerk_b):
    approver = year_world["approver"]
    outcomes_propose(year=YEAR, by=approver)
    a = _current(township=year_world["towns"]["A"])
    b = _current(township=year_world["towns"]["B"])
    for row in (a, b):
        outcome_decide(outcome=row, by=approver, label="先进", measures="通报表扬")
    outcomes_issue(year=YEAR, by=approver, number="县卫健发〔2026〕3号", decided_on=DAY)
    page = client_for(clerk_a).get(reverse("assessment:outcomes"))
    assert [(r.year, r.township_id) for r in page.context["history"]] == [(YEAR, a.township_id)]
    html = page.content.decode()
    assert "县卫健发〔2026〕3号" in html and year_world["towns"]["B"].name not in html
    assert page.context["rows"] == []
    # The notice, the export and township A's outcome pages are not clerk B's.
    assert client_for(clerk_b).get(reverse("assessment:outcomes_notice")).status_code == 403
    assert client_for(clerk_b).get(reverse("assessment:outcome_correct", args=[a.pk])).status_code == 404
    assert [r.township_id for r in client_for(clerk_b).get(reverse("assessment:outcomes")).context["history"]] == [
        b.township_id]


def test_the_outcomes_page_costs_the_same_whatever_the_number_of_townships(
        year_world, client_for, django_assert_num_queries):
    approver = year_world["approver"]
    outcomes_propose(year=YEAR, by=approver)
    client = client_for(approver)
    url = reverse("assessment:outcomes") + f"?year={YEAR}"
    client.get(url)
    with django_assert_num_queries(REQUEST + 3) as first:  # years, outcomes, scheme (the approval grant is cached)
        client.get(url)
    town = TownshipFactory(code="411099099", name="新镇")
    AnnualScore.objects.create(year=YEAR, township=town, total=D(60), rank=7, computed_at=NOW)
    outcomes_propose(year=YEAR, by=approver)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)
