"""Issue #18, register: GB/T 2260 area codes and 1900+ birth dates in ID numbers, through the form
and through the Excel import; marriage dates against both spouses' births and the legal marriage
age (docs/register-rules.md)."""
import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.validators import build_id_number
from households.marriage import EarlyMarriage
from households.models import Couple, Household, Person
from households.services import exchange
from households.services.register import couple_create, couple_update
from tests.factories import HouseholdFactory, PersonFactory

from .test_import_sheet import good_row, make_xlsx

CREATE = "/households/new/"
ISSUE_NUMBERS = ["000000199005011237", "999999199005021257", "99000019900503127X"]
ABOLISHED = build_id_number("110103", datetime.date(1985, 3, 1), 246)  # 崇文区, abolished 2010
CURRENT = build_id_number("370828", datetime.date(1986, 4, 2), 248)  # 金乡县
BORN_1880 = "440524188001010014"


def create_data(village, number):
    return {"village": village.pk, "address": "三组 12 号", "head_name": "陈红", "phone": "13698765432",
            "hukou_type": "2", "code": "", "id_number": number, "sex": "", "birth_date": "", "marital_status": "20"}


# --- area codes and birth dates: the household form ---------------------------------------------
@pytest.mark.parametrize("number", ISSUE_NUMBERS)
def test_the_form_refuses_an_id_with_no_division_code_and_keeps_what_was_typed(client_for, clerk_a, village_a,
                                                                               number):
    response = client_for(clerk_a).post(CREATE, create_data(village_a, number))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"身份证号前 6 位 {number[:6]} 不是行政区划代码" in html and 'value="三组 12 号"' in html
    assert not Household.objects.exists() and not Person.objects.exists()


def test_the_form_refuses_a_birth_before_1900(client_for, clerk_a, village_a):
    response = client_for(clerk_a).post(CREATE, create_data(village_a, BORN_1880))
    assert "身份证号中的出生日期 18800101 早于 1900 年" in response.content.decode()
    assert not Household.objects.exists()


@pytest.mark.parametrize("number", [ABOLISHED, CURRENT])
def test_the_form_accepts_current_and_abolished_codes(client_for, clerk_a, village_a, number):
    response = client_for(clerk_a).post(CREATE, create_data(village_a, number))
    assert response.status_code == 302
    assert Person.objects.get().id_number == number


# --- area codes and birth dates: the Excel import -----------------------------------------------
def preview(clerk, records):
    return exchange.import_batch_create(by=clerk, upload=make_xlsx(records), file_name="登记表.xlsx")


def test_import_refuses_invalid_codes_and_1880_births_and_accepts_current_and_abolished(clerk_a, village_a):
    rows = [good_row(1, 妻子身份证号=ISSUE_NUMBERS[0]), good_row(2, 丈夫身份证号=ISSUE_NUMBERS[1]),
            good_row(3, 丈夫身份证号=BORN_1880),
            good_row(4, 妻子身份证号=ABOLISHED), good_row(5, 妻子身份证号=CURRENT)]
    batch = preview(clerk_a, rows)
    errors = [" ".join(r["errors"]) for r in batch.rows]
    assert "妻子身份证号：身份证号前 6 位 000000 不是行政区划代码" in errors[0]
    assert "丈夫身份证号：身份证号前 6 位 999999 不是行政区划代码" in errors[1]
    assert "丈夫身份证号：身份证号中的出生日期 18800101 早于 1900 年" in errors[2]
    assert errors[3:] == ["", ""]
    assert [r["status"] for r in batch.rows] == ["error", "error", "error", "ok", "ok"]


# --- marriage dates -------------------------------------------------------------------------------
@pytest.fixture
def spouses(village_a):
    household = HouseholdFactory(village=village_a)
    wife = PersonFactory(household=household, sex="2", birth_date=datetime.date(2000, 3, 10), relation="1")
    husband = PersonFactory(household=household, sex="1", birth_date=datetime.date(1998, 8, 20), relation="0")
    return household, wife, husband


@pytest.mark.parametrize(("married", "outcome"), [
    (datetime.date(1999, 12, 31), "before_wife"),  # wife not yet born
    (datetime.date(1998, 8, 19), "before_both"),  # neither born
    (datetime.date(2020, 3, 9), "early_wife"),  # wife 19 (a day short of 20), husband 21
    (datetime.date(2020, 3, 10), "early_husband"),  # wife 20 exactly, husband 21
    (datetime.date(2020, 8, 19), "early_husband"),  # husband a day short of 22
    (datetime.date(2020, 8, 20), "ok"),  # husband 22 exactly, wife 20
])
def test_marriage_date_against_births_and_legal_age(clerk_a, spouses, married, outcome):
    household, wife, husband = spouses
    if outcome == "ok":
        assert couple_create(household=household, wife=wife, husband=husband, by=clerk_a, marriage_date=married)
        return
    with pytest.raises(ValidationError) as refused:
        couple_create(household=household, wife=wife, husband=husband, by=clerk_a, marriage_date=married)
    message = " ".join(refused.value.message_dict["marriage_date"])
    assert not Couple.objects.exists()
    if outcome.startswith("before"):
        assert not isinstance(refused.value, EarlyMarriage)
        assert f"结婚日期 {married.isoformat()} 早于妻子的出生日期 2000-03-10" in message
        assert ("早于丈夫的出生日期" in message) is (outcome == "before_both")
        return
    assert isinstance(refused.value, EarlyMarriage)
    who, legal = ("妻子", 20) if outcome == "early_wife" else ("丈夫", 22)
    assert f"结婚时{who}" in message and f"未到法定婚龄（{legal} 岁）" in message
    # Confirmed: saved.
    couple = couple_create(household=household, wife=wife, husband=husband, by=clerk_a, marriage_date=married,
                           confirmed_early_marriage=True)
    assert couple.marriage_date == married


def test_the_couple_form_warns_of_an_early_marriage_and_saves_once_confirmed(client_for, clerk_a, spouses):
    household, wife, husband = spouses
    url = f"/households/{household.pk}/couples/new/"
    data = {"wife": wife.pk, "husband": husband.pk, "husband_id_number": "", "marriage_date": "2019-01-01",
            "boys": "0", "girls": "1"}
    client = client_for(clerk_a)
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200 and not Couple.objects.exists()
    assert "结婚时妻子 18 岁，未到法定婚龄（20 岁）" in html and 'data-testid="confirm-early-marriage"' in html
    assert 'value="2019-01-01"' in html
    response = client.post(url, data | {"confirm_early_marriage": "on"})
    assert response.status_code == 302
    assert Couple.objects.get().marriage_date == datetime.date(2019, 1, 1)


def test_the_couple_form_refuses_a_marriage_before_a_birth_without_a_confirmation(client_for, clerk_a, spouses):
    household, wife, husband = spouses
    data = {"wife": wife.pk, "husband": husband.pk, "husband_id_number": "", "marriage_date": "1999-01-01",
            "boys": "0", "girls": "0", "confirm_early_marriage": "on"}
    response = client_for(clerk_a).post(f"/households/{household.pk}/couples/new/", data)
    assert "结婚日期 1999-01-01 早于妻子的出生日期 2000-03-10" in response.content.decode()
    assert not Couple.objects.exists()


def test_editing_a_couple_checks_a_changed_marriage_date_only(clerk_a, spouses):
    household, wife, husband = spouses
    couple = couple_create(household=household, wife=wife, husband=husband, by=clerk_a,
                           marriage_date=datetime.date(2019, 1, 1), confirmed_early_marriage=True)
    couple = couple_update(couple=couple, by=clerk_a, expected_version=couple.version,
                           data={"marriage_date": datetime.date(2019, 1, 1), "boys": 1, "girls": 0})
    assert couple.boys == 1  # the confirmed date is not asked about again
    with pytest.raises(ValidationError):
        couple_update(couple=couple, by=clerk_a, expected_version=couple.version,
                      data={"marriage_date": datetime.date(1999, 1, 1), "boys": 1, "girls": 0})
    couple.refresh_from_db()
    assert couple.marriage_date == datetime.date(2019, 1, 1)


def test_import_refuses_a_marriage_before_a_birth_and_warns_of_an_early_one(clerk_a, village_a):
    # good_row: wife born 1994-06-15, husband 1991-02-03.
    batch = preview(clerk_a, [good_row(1, 结婚日期="1994-01-01"), good_row(2, 结婚日期="2013-01-01"),
                              good_row(3)])
    first, second, third = batch.rows
    assert first["status"] == "error"
    assert "结婚日期 1994-01-01 早于妻子的出生日期 1994-06-15，请核对。" in first["errors"]
    assert second["status"] == "ok"
    assert "结婚时妻子 18 岁，未到法定婚龄（20 岁）。" in second["warnings"]
    assert "结婚时丈夫 21 岁，未到法定婚龄（22 岁）。" in second["warnings"]
    assert not [w for w in third["warnings"] if "婚龄" in w]
    exchange.import_confirm(batch=batch, by=clerk_a)
    assert sorted(str(d) for d in Couple.objects.values_list("marriage_date", flat=True)) == [
        "2013-01-01", "2016-05-01"]


def test_the_walk_in_registration_warns_of_an_early_marriage_and_registers_once_confirmed(client_for, clinician,
                                                                                          village_b):
    """The screening desk registers through the same households services: the same rule."""
    from django.urls import reverse

    husband = build_id_number("411099", datetime.date(1991, 3, 4), 11)
    wife = build_id_number("411099", datetime.date(1994, 8, 9), 12)
    data = {"husband_name": "赵强", "husband_id": husband, "wife_name": "孙梅", "wife_id": wife,
            "phone": "13900001111", "village": village_b.pk, "address": "五组 3 号", "boys": 1, "girls": 0,
            "planned_timing": "1", "marriage_date": "2013-01-01"}  # she was 18
    client = client_for(clinician)
    response = client.post(reverse("screening:walk_in"), data)
    html = response.content.decode()
    assert response.status_code == 200 and "结婚时妻子 18 岁，未到法定婚龄（20 岁）" in html
    assert 'data-testid="confirm-early-marriage"' in html
    assert not Couple.objects.exists() and not Person.objects.exists()  # all or nothing
    response = client.post(reverse("screening:walk_in"), data | {"confirm_early_marriage": "on"})
    assert response.status_code == 302
    assert Couple.objects.get().marriage_date == datetime.date(2013, 1, 1)
