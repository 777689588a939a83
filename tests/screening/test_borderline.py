"""Values judged as typed: a borderline table per numeric field (each limit exactly, and one unit
of the last typed digit either side, typed at the field's precision and at the finest a result
keeps), and the review's cases through the results service."""
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from screening.models import ResultField, ScreeningResult
from screening.judging import STORED_DECIMALS, judge, parse_number
from screening.services.screenings import results_save

from .helpers import full_values, start

pytestmark = pytest.mark.django_db

# code: (decimals, (female low, high), (male low, high) or None, (plausible low, high)) — the seeded
# catalogue, written out so that a changed range is a visible change here too.
NUMERIC = {
    "bmi": (1, ("18.5", "23.9"), None, ("10", "70")),
    "sbp": (0, ("90", "139"), None, ("50", "260")),
    "dbp": (0, ("60", "89"), None, ("30", "160")),
    "hb": (0, ("115", "150"), ("130", "175"), ("20", "250")),
    "rbc": (2, ("3.8", "5.1"), ("4.3", "5.8"), ("0.5", "10")),
    "wbc": (1, ("3.5", "9.5"), None, ("0.1", "100")),
    "neut_pct": (1, ("40", "75"), None, ("0", "100")),
    "lymph_pct": (1, ("20", "50"), None, ("0", "100")),
    "mono_pct": (1, ("3", "10"), None, ("0", "100")),
    "eos_pct": (1, ("0.4", "8.0"), None, ("0", "100")),
    "baso_pct": (1, ("0", "1"), None, ("0", "100")),
    "plt": (0, ("125", "350"), None, ("1", "2000")),
    "glu": (2, ("3.9", "6.1"), None, ("0.5", "50")),
    "alt": (0, ("7", "40"), ("9", "50"), ("0", "5000")),
    "cr": (0, ("41", "73"), ("57", "97"), ("5", "3000")),
    "tsh": (2, ("0.27", "4.2"), None, ("0.001", "500")),
}


def test_the_table_is_the_catalogue():
    """Every numeric field of the catalogue has its row (a field added without one fails here)."""
    fields = {f.code: f for f in ResultField.objects.filter(kind="number", is_active=True)}
    assert set(fields) == set(NUMERIC)
    for code, (decimals, female, male, plausible) in NUMERIC.items():
        f = fields[code]
        assert f.decimals == decimals, code
        assert f.range_for("female") == tuple(map(Decimal, female)), code
        assert f.range_for("male") == tuple(map(Decimal, male or female)), code
        assert (f.plausible_low, f.plausible_high) == tuple(map(Decimal, plausible)), code


def _typed(value: Decimal, places: int) -> str:
    return f"{value:.{places}f}"


def borderline_rows():
    """(code, subject, typed, expected): expected is "normal", "abnormal" or "refused"."""
    rows = []
    for code, (decimals, female, male, plausible) in NUMERIC.items():
        p_low, p_high = map(Decimal, plausible)
        for subject, (low, high) in (("female", female), ("male", male or female)):
            low, high = Decimal(low), Decimal(high)
            for places in sorted({decimals, STORED_DECIMALS}):
                unit = Decimal(1).scaleb(-places)
                for limit, outside in ((low, low - unit), (high, high + unit)):
                    inside = limit + unit if limit == low else limit - unit
                    rows.append((code, subject, _typed(limit, places), "normal"))
                    rows.append((code, subject, _typed(inside, places), "normal"))
                    if outside < p_low or outside > p_high:
                        rows.append((code, subject, _typed(outside, places), "refused"))
                    elif outside >= 0:
                        rows.append((code, subject, _typed(outside, places), "abnormal"))
                for limit, outside in ((p_low, p_low - unit), (p_high, p_high + unit)):
                    if Decimal(_typed(limit, places)) != limit:
                        continue  # TSH's 0.001 cannot be typed with two decimals
                    expect = "normal" if low <= limit <= high else "abnormal"
                    rows.append((code, subject, _typed(limit, places), expect))
                    rows.append((code, subject, _typed(outside, places), "refused"))
    return rows


ROWS = borderline_rows()


@pytest.mark.parametrize("code, subject, typed, expected", ROWS, ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in ROWS])
def test_borderline_table(code, subject, typed, expected):
    field = ResultField.objects.get(code=code)
    if expected == "refused":
        with pytest.raises(ValidationError):
            judge(field, subject, number=typed)
        return
    row = judge(field, subject, number=typed)
    assert row["value_number"] == Decimal(typed)  # kept as typed, not rounded to the field's decimals
    assert row["auto_abnormal"] is (expected == "abnormal")


@pytest.mark.parametrize("code, subject, typed, abnormal, shown", [
    ("hb", "female", "114.6", True, "114.6"),     # the review: stored as 115 and judged normal
    ("hb", "female", "115", False, "115"),
    ("tsh", "female", "4.205", True, "4.205"),    # the review: became 4.20 and normal
    ("tsh", "female", "4.2", False, "4.20"),
    ("tsh", "female", "4.20", False, "4.20"),
    ("glu", "female", "6.105", True, "6.105"),
    ("sbp", "female", "139.5", True, "139.5"),
    ("plt", "female", "124.9", True, "124.9"),
])
def test_the_value_is_judged_and_kept_as_typed(couple_a, clinician, code, subject, typed, abnormal, shown):
    screening = start(couple_a, clinician)
    key = f"{subject}__{code}"
    results_save(screening=screening, by=clinician, expected_version=screening.version,
                 values=full_values(screening, **{key: typed}))
    result = ScreeningResult.objects.select_related("field").get(screening=screening, field__code=code,
                                                                  subject=subject)
    assert result.value_number == Decimal(typed)
    assert result.is_abnormal is abnormal
    assert result.display_value == shown


@pytest.mark.parametrize("typed, message", [
    ("4.2051", "最多填写 3 位小数"),
    ("9E+2", "应填写数字"),
    ("1e1", "应填写数字"),
    ("NaN", "应填写数字"),
    ("Infinity", "应填写数字"),
    ("-1", "应填写数字"),
    ("4.2.1", "应填写数字"),
])
def test_what_is_not_a_plainly_typed_number_is_refused_with_a_clear_message(typed, message):
    with pytest.raises(ValidationError) as error:
        parse_number(ResultField.objects.get(code="tsh"), typed)
    assert message in error.value.messages[0]


def test_the_plausible_range_message_prints_the_number_plainly():
    with pytest.raises(ValidationError) as error:
        parse_number(ResultField.objects.get(code="hb"), "900")
    assert error.value.messages[0] == "血红蛋白 Hb 900 g/L 超出可信范围（20–250），请核对是否录入错误。"
    with pytest.raises(ValidationError) as error:
        parse_number(ResultField.objects.get(code="plt"), "2000.5")
    assert "2000.5 ×10⁹/L" in error.value.messages[0] and "E" not in error.value.messages[0]


def test_the_plausible_range_message_shows_a_finer_limit_at_its_own_precision():
    with pytest.raises(ValidationError) as error:
        parse_number(ResultField.objects.get(code="tsh"), "0")
    assert "（0.001–500.00）" in error.value.messages[0]


def test_a_number_too_large_to_store_is_refused_not_a_500():
    field = ResultField.objects.get(code="hb")
    field.plausible_high = None  # a county's own field without a plausible range
    with pytest.raises(ValidationError):
        parse_number(field, "12345678")


def test_the_results_form_keeps_the_typed_value_on_a_refusal(client_for, couple_a, clinician):
    from django.urls import reverse

    screening = start(couple_a, clinician)
    data = {"version": screening.version, "draft": "1", "female__tsh": "4.2051", "female__hb": "114.6"}
    page = client_for(clinician).post(reverse("screening:results", args=[screening.pk]), data)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="4.2051"' in html and 'value="114.6"' in html and "最多填写 3 位小数" in html
    assert not ScreeningResult.objects.filter(screening=screening).exists()
