"""Entry by granted assessors: one check across all townships (all-or-nothing, per-row errors kept),
voiding, year-end scores, and the refusals: score above maximum, negative, closed year, no grant."""
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from assessment.models import AnnualScore, RegularCheck, Scheme, YearEndScore
from assessment.services.scoring import year_close

from .factories import RegularCheckFactory, YearEndScoreFactory

BULK = reverse("assessment:check_bulk")
TODAY = datetime.date.today()
YEAR = TODAY.year
D = Decimal


def bulk_post(a, b, **overrides):
    data = {
        "category": "inspection", "title": "二季度平时检查", "check_date": TODAY.isoformat(), "maximum": "50",
        f"score_{a.pk}": "45", f"findings_{a.pk}": "宣传栏破损", f"score_{b.pk}": "38.5", f"findings_{b.pk}": "",
    }
    data.update(overrides)
    return data


def test_assessor_enters_one_check_for_all_townships_and_the_ranking_follows(
        client_for, assessor, township_a, township_b):
    response = client_for(assessor).post(BULK, bulk_post(township_a, township_b))
    assert response.status_code == 302 and response["Location"] == f"{reverse('assessment:ranking')}?year={YEAR}"
    checks = RegularCheck.objects.order_by("township__code")
    assert [(c.township, c.score, c.maximum, c.category, c.year) for c in checks] == [
        (township_a, D(45), D(50), "inspection", YEAR), (township_b, D("38.5"), D(50), "inspection", YEAR)]
    assert checks[0].batch == checks[1].batch and checks[0].created_by == assessor
    regular = dict(AnnualScore.objects.filter(year=YEAR).values_list("township__name", "regular_rank"))
    assert regular == {"城关镇": 1, "东关街道": 2}
    assert AuditEvent.objects.filter(action="create", object_type="assessment.regularcheck").count() == 2


def test_a_blank_score_leaves_that_township_out_of_the_check(client_for, assessor, township_a, township_b):
    client_for(assessor).post(BULK, bulk_post(township_a, township_b, **{f"score_{township_b.pk}": ""}))
    assert list(RegularCheck.objects.values_list("township", flat=True)) == [township_a.pk]


@pytest.mark.parametrize(("score", "message"), [("51", "得分 51 高于满分 50"), ("-1", "得分不能为负数"),
                                                ("abc", "请输入数字")])
def test_one_bad_row_saves_nothing_and_keeps_every_row_as_typed(client_for, assessor, township_a, township_b,
                                                                 score, message):
    response = client_for(assessor).post(BULK, bulk_post(township_a, township_b, **{f"score_{township_b.pk}": score}))
    assert response.status_code == 200
    assert RegularCheck.objects.count() == 0
    html = response.content.decode()
    assert message in html
    assert f'value="{score}"' in html and 'value="45"' in html and "宣传栏破损" in html
    assert response.context["form"].errors.keys() == {f"score_{township_b.pk}"}


def test_all_rows_blank_is_refused(client_for, assessor, township_a, township_b):
    response = client_for(assessor).post(BULK, bulk_post(
        township_a, township_b, **{f"score_{township_a.pk}": "", f"score_{township_b.pk}": ""}))
    assert "请至少填写一个镇街的得分" in response.content.decode()
    assert RegularCheck.objects.count() == 0


def test_a_check_dated_in_a_closed_year_is_refused(client_for, assessor, township_a, township_b, leader):
    last_year = YEAR - 1
    Scheme.objects.create(year=last_year, publicity_share=0)
    RegularCheckFactory(township=township_a, check_date=datetime.date(last_year, 3, 1))
    RegularCheckFactory(township=township_b, check_date=datetime.date(last_year, 3, 1))
    YearEndScoreFactory(township=township_a, year=last_year)
    YearEndScoreFactory(township=township_b, year=last_year)
    year_close(year=last_year, by=leader)
    response = client_for(assessor).post(BULK, bulk_post(
        township_a, township_b, check_date=datetime.date(last_year, 12, 1).isoformat()))
    assert response.status_code == 200
    assert f"{last_year} 年度考核已关闭" in response.content.decode()
    assert RegularCheck.objects.count() == 2


def test_future_dates_are_refused(client_for, assessor, township_a, township_b):
    response = client_for(assessor).post(BULK, bulk_post(
        township_a, township_b, check_date=(TODAY + datetime.timedelta(days=1)).isoformat()))
    assert "考核日期不能晚于今天" in response.content.decode() and RegularCheck.objects.count() == 0


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31"])
def test_a_check_dated_before_1900_is_refused_and_the_form_keeps_what_was_typed(
        client_for, assessor, township_a, township_b, day):
    response = client_for(assessor).post(BULK, bulk_post(township_a, township_b, check_date=day))
    html = response.content.decode()
    assert response.status_code == 200 and "考核日期不能早于 1900-01-01，请核对年份。" in html
    assert "宣传栏破损" in html and RegularCheck.objects.count() == 0


@pytest.mark.parametrize("who", ["leader", "bureau_staff", "clerk_a", "inspector", "admin_user"])
def test_entry_needs_a_grant(request, client_for, who, township_a, township_b):
    client = client_for(request.getfixturevalue(who))
    assert client.get(BULK).status_code == 403
    assert client.post(BULK, bulk_post(township_a, township_b)).status_code == 403
    assert RegularCheck.objects.count() == 0


def test_a_revoked_grant_no_longer_enters(client_for, assessor, township_a, township_b):
    assessor.assessor_grant.is_active = False
    assessor.assessor_grant.save()
    assert client_for(assessor).get(BULK).status_code == 403


def test_a_granted_leader_may_enter(client_for, leader_assessor, township_a, township_b):
    assert client_for(leader_assessor).post(BULK, bulk_post(township_a, township_b)).status_code == 302


def test_bulk_entry_refuses_put(client_for, assessor):
    assert client_for(assessor).put(BULK).status_code == 405


def test_void_a_check_recomputes_and_keeps_the_record(client_for, assessor, township_a):
    check = RegularCheckFactory(township=township_a, check_date=TODAY, score=D(5), maximum=D(10))
    RegularCheckFactory(township=township_a, check_date=TODAY, score=D(10), maximum=D(10))
    client = client_for(assessor)
    client.post(reverse("assessment:recompute"), {"year": YEAR})
    assert AnnualScore.objects.get(year=YEAR, township=township_a).check_count == 2
    response = client.post(reverse("assessment:check_void", args=[check.pk]), {"reason": "重复录入"})
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.is_void and check.void_reason == "重复录入" and check.voided_by == assessor
    assert AnnualScore.objects.get(year=YEAR, township=township_a).check_count == 1


def test_void_needs_a_reason_and_a_grant(client_for, assessor, leader, township_a):
    check = RegularCheckFactory(township=township_a, check_date=TODAY)
    url = reverse("assessment:check_void", args=[check.pk])
    assert client_for(leader).post(url, {"reason": "x"}).status_code == 403
    assert client_for(assessor).post(url, {"reason": ""}).status_code == 200
    check.refresh_from_db()
    assert not check.is_void


def test_clerk_voiding_another_townships_check_gets_404(client_for, clerk_a, township_b):
    check = RegularCheckFactory(township=township_b, check_date=TODAY)
    url = reverse("assessment:check_void", args=[check.pk])
    assert client_for(clerk_a).post(url, {"reason": "x"}).status_code == 404
    check.refresh_from_db()
    assert not check.is_void


def test_year_end_scores_all_or_nothing_then_saved(client_for, assessor, township_a, township_b):
    url = reverse("assessment:year_end", args=[YEAR])
    client = client_for(assessor)
    bad = client.post(url, {f"score_{township_a.pk}": "88", f"score_{township_b.pk}": "101"})
    assert bad.status_code == 200 and "年终考核得分须在 0 到 100 之间" in bad.content.decode()
    assert YearEndScore.objects.count() == 0
    good = client.post(url, {f"score_{township_a.pk}": "88", f"notes_{township_a.pk}": "材料齐全",
                             f"score_{township_b.pk}": ""})
    assert good.status_code == 302
    assert list(YearEndScore.objects.values_list("township", "score", "notes")) == [(township_a.pk, D(88), "材料齐全")]
    # Correcting it is an update, audited with the old and new value.
    client.post(url, {f"score_{township_a.pk}": "86", f"notes_{township_a.pk}": "材料齐全"})
    assert YearEndScore.objects.get().score == D(86)
    assert AuditEvent.objects.filter(action="update", object_type="assessment.yearendscore",
                                     detail="88.00 → 86").exists()
    assert AnnualScore.objects.get(year=YEAR, township=township_a).year_end_part == D("86.00")


def test_year_end_page_needs_a_grant(client_for, leader):
    assert client_for(leader).get(reverse("assessment:year_end", args=[YEAR])).status_code == 403


def test_a_year_end_note_without_a_score_is_refused_not_dropped_and_a_note_alone_updates_a_stored_score(
        township_a, assessor):
    """Found by the fuzz: a note typed beside an empty score was accepted and silently lost."""
    from django.core.exceptions import ValidationError

    from assessment.services.checks import YearEndRow, year_end_record

    year = 2026
    with pytest.raises(ValidationError) as refused:
        year_end_record(year=year, by=assessor, rows=[YearEndRow(township=township_a, score=None, notes="迟交")])
    assert "请同时填写得分" in str(refused.value)
    assert not YearEndScore.objects.filter(year=year).exists()
    year_end_record(year=year, by=assessor, rows=[YearEndRow(township=township_a, score=Decimal("88"), notes="")])
    year_end_record(year=year, by=assessor, rows=[YearEndRow(township=township_a, score=None, notes="补交材料")])
    stored = YearEndScore.objects.get(year=year, township=township_a)
    assert (stored.score, stored.notes) == (Decimal("88"), "补交材料")
