"""The scheme per year as data (weights, category weights, normalisation) and closing a year."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from assessment.models import AnnualScore, RegularCheck, Scheme
from assessment.services.checks import CheckRow, YearEndRow, check_void, checks_record, year_end_record
from assessment.services.scoring import scheme_update, scores_recompute, year_close

from .factories import RegularCheckFactory, YearEndScoreFactory

D = Decimal
YEAR = 2025


@pytest.fixture
def x(township_a, township_b):
    """A: info 10/20 (50%), inspection 90/100 (90%), year-end 90. B: info 20/20, year-end 60."""
    Scheme.objects.create(year=YEAR, publicity_share=0)
    RegularCheckFactory(township=township_a, category="info", score=D(10), maximum=D(20))
    RegularCheckFactory(township=township_a, category="inspection", score=D(90), maximum=D(100))
    RegularCheckFactory(township=township_b, category="info", score=D(20), maximum=D(20))
    YearEndScoreFactory(township=township_a, year=YEAR, score=D(90))
    YearEndScoreFactory(township=township_b, year=YEAR, score=D(60))
    scores_recompute(year=YEAR)
    return township_a


def annual(township):
    return AnnualScore.objects.get(year=YEAR, township=township)


def test_default_scheme_is_60_40_by_sum_over_maxima(x):
    a = annual(x)
    # 100 / 120 = 83.33; 83.33 × 0.6 + 90 × 0.4 = 49.998 + 36 = 85.998 → 86.00
    assert (a.regular_part, a.year_end_part, a.total) == (D("83.33"), D("90.00"), D("86.00"))


def test_changing_the_weights_recomputes_the_year(x, admin_user):
    scheme_update(scheme=Scheme.objects.get(year=YEAR), by=admin_user, regular_weight=D(70), year_end_weight=D(30))
    # 83.33 × 0.7 + 90 × 0.3 = 58.331 + 27 = 85.331 → 85.33
    assert annual(x).total == D("85.33")
    assert AuditEvent.objects.filter(action="update", object_type="assessment.scheme").exists()


def test_category_weights_normalise_per_category(x, admin_user):
    scheme_update(scheme=Scheme.objects.get(year=YEAR), by=admin_user, normalisation="category",
                  weight_info=D(50), weight_inspection=D(50), weight_petition=D(0), weight_regular_work=D(0))
    # (50 × 50% + 50 × 90%) / 100 = 70.00; B has info only: its weight alone → 100.00
    assert annual(x).regular_part == D("70.00")
    assert AnnualScore.objects.get(year=YEAR, township__name="东关街道").regular_part == D("100.00")


@pytest.mark.parametrize(("fields", "field"), [
    ({"regular_weight": D(70), "year_end_weight": D(40)}, "year_end_weight"),
    ({"normalisation": "category", "weight_info": D(50), "weight_inspection": D(20)}, "weight_info"),
])
def test_invalid_schemes_are_refused_with_a_message(x, admin_user, fields, field):
    with pytest.raises(ValidationError) as error:
        scheme_update(scheme=Scheme.objects.get(year=YEAR), by=admin_user, **fields)
    assert field in error.value.message_dict
    assert Scheme.objects.get(year=YEAR).regular_weight == D(60)


def test_closing_is_refused_while_a_township_has_no_annual_score(x, township_b, admin_user):
    from accounts.models import Township

    Township.objects.create(code="411099055", name="新设镇")  # active, no checks, no year-end
    with pytest.raises(ValidationError) as error:
        year_close(year=YEAR, by=admin_user)
    assert "新设镇" in error.value.messages[0]
    assert not Scheme.objects.get(year=YEAR).is_closed


def test_closing_freezes_the_year_and_refuses_every_change(x, township_b, admin_user, assessor):
    year_close(year=YEAR, by=admin_user)
    frozen = list(AnnualScore.objects.filter(year=YEAR).order_by("township").values_list("total", "rank"))
    scheme = Scheme.objects.get(year=YEAR)
    assert scheme.is_closed and scheme.closed_by == admin_user
    with pytest.raises(ValidationError, match="已关闭"):
        scheme_update(scheme=scheme, by=admin_user, regular_weight=D(50), year_end_weight=D(50))
    with pytest.raises(ValidationError, match="已关闭"):
        checks_record(by=assessor, category="info", title="补录", check_date=datetime.date(YEAR, 12, 30),
                      maximum=D(10), rows=[CheckRow(township=x, score=D(10))])
    with pytest.raises(ValidationError, match="已关闭"):
        year_end_record(year=YEAR, by=assessor, rows=[YearEndRow(township=x, score=D(100))])
    with pytest.raises(ValidationError, match="已关闭"):
        check_void(check=RegularCheck.objects.first(), by=assessor, reason="x")
    with pytest.raises(ValidationError, match="已关闭"):
        year_close(year=YEAR, by=admin_user)
    assert list(AnnualScore.objects.filter(year=YEAR).order_by("township").values_list("total", "rank")) == frozen


def test_admin_scheme_page_refuses_a_closed_year(client_for, x, township_b, admin_user):
    year_close(year=YEAR, by=admin_user)
    scheme = Scheme.objects.get(year=YEAR)
    client = client_for(admin_user)
    url = reverse("admin:assessment_scheme_change", args=[scheme.pk])
    response = client.post(url, {"regular_weight": "50", "year_end_weight": "50", "normalisation": "ratio",
                                 "publicity_share": "0", "publicity_target": "2"})
    scheme.refresh_from_db()
    assert scheme.regular_weight == D(60)
    assert response.status_code in (200, 302)


def test_admin_changes_an_open_scheme_through_the_service(client_for, x, admin_user):
    scheme = Scheme.objects.get(year=YEAR)
    response = client_for(admin_user).post(reverse("admin:assessment_scheme_change", args=[scheme.pk]), {
        "regular_weight": "70", "year_end_weight": "30", "normalisation": "ratio", "publicity_share": "0",
        "publicity_target": "2", "rectification_points": "0", "supervision_target": "1"})
    assert response.status_code == 302
    assert annual(x).total == D("85.33")


def test_admin_refuses_weights_that_do_not_add_up(client_for, x, admin_user):
    scheme = Scheme.objects.get(year=YEAR)
    response = client_for(admin_user).post(reverse("admin:assessment_scheme_change", args=[scheme.pk]), {
        "regular_weight": "70", "year_end_weight": "40", "normalisation": "ratio", "publicity_share": "0",
        "publicity_target": "2", "rectification_points": "0", "supervision_target": "1"})
    assert response.status_code == 200 and "合计须为 100" in response.content.decode()


def test_admin_close_action(client_for, x, township_b, admin_user):
    scheme = Scheme.objects.get(year=YEAR)
    client_for(admin_user).post(reverse("admin:assessment_scheme_changelist"),
                                {"action": "close_years", "_selected_action": [scheme.pk]})
    scheme.refresh_from_db()
    assert scheme.is_closed


def test_recompute_command_recomputes_an_open_year_and_leaves_a_closed_one(x, township_b, admin_user):
    from io import StringIO

    from django.core.management import call_command

    AnnualScore.objects.filter(year=YEAR).delete()
    out = StringIO()
    call_command("recompute_scores", "--year", str(YEAR), stdout=out)
    assert "2 townships recomputed" in out.getvalue() and annual(x).total == D("86.00")
    year_close(year=YEAR, by=admin_user)
    call_command("recompute_scores", "--year", str(YEAR), stdout=out)
    assert "closed" in out.getvalue()
