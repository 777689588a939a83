"""GB 11643-1999 identity numbers (accounts/validators.py)."""
import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError

from accounts.gb2260 import divisions
from accounts.validators import (
    IdNumberValidator,
    build_id_number,
    mask_id_number,
    parse_id_number,
    validate_id_number,
)
from tests.factories import id_number

# The example printed in GB 11643-1999 itself: 1949-12-31, sequence 002 (even: female), check X.
PUBLISHED_FEMALE = "11010519491231002X"
# The standard's other example: 1880-01-01, sequence 001 (odd: male), check 4.
PUBLISHED_1880 = "440524188001010014"
# A real-format male number: area 440524, 1980-01-01, sequence 001 (odd: male), check 3.
MALE = "440524198001010013"


def code_of(value, **kwargs) -> str:
    with pytest.raises(ValidationError) as refused:
        parse_id_number(value, **kwargs)
    return refused.value.code


def test_published_female_number_passes_with_birth_date_and_sex():
    info = parse_id_number(PUBLISHED_FEMALE)
    assert info.number == PUBLISHED_FEMALE
    assert info.birth_date == datetime.date(1949, 12, 31)
    assert info.sex == "2"
    assert info.area_code == "110105"


def test_male_number_passes_with_birth_date_and_sex():
    info = parse_id_number(MALE)
    assert info.birth_date == datetime.date(1980, 1, 1)
    assert info.sex == "1"


def test_lowercase_x_and_blanks_are_accepted_and_normalised():
    assert parse_id_number("11010519491231002x").number == PUBLISHED_FEMALE
    assert parse_id_number(" 110105 19491231 002x\t").number == PUBLISHED_FEMALE


def test_a_birth_before_1900_is_refused_even_the_standards_1880_example():
    """440524188001010014 (aged 146) was accepted."""
    with pytest.raises(ValidationError) as refused:
        parse_id_number(PUBLISHED_1880)
    assert refused.value.code == "id_birth_date"
    assert refused.value.messages == ["身份证号中的出生日期 18800101 早于 1900 年，请核对。"]
    assert code_of(build_id_number("440524", datetime.date(1899, 12, 31), 1)) == "id_birth_date"
    assert parse_id_number(build_id_number("440524", datetime.date(1900, 1, 1), 1)).birth_date == \
        datetime.date(1900, 1, 1)


@pytest.mark.parametrize("value", ["000000199005011237", "999999199005021257", "99000019900503127X"])
def test_an_id_whose_first_six_digits_are_no_division_code_is_refused(value):
    """The issue's three numbers: valid check digits, no such area (they were accepted)."""
    with pytest.raises(ValidationError) as refused:
        parse_id_number(value)
    assert refused.value.code == "id_area_code"
    assert refused.value.messages == [
        f"身份证号前 6 位 {value[:6]} 不是行政区划代码（GB/T 2260，含已撤销的），请核对。"]


@pytest.mark.parametrize(("code", "name", "current"), [
    ("370828", "金乡县", True),  # current
    ("110105", "朝阳区", True),
    ("110103", "崇文区", False),  # abolished 2010 (merged into 东城区)
    ("440524", "潮阳县", False),  # abolished 1993
    ("411023", "许昌县", False),  # became 建安区 in 2016
])
def test_current_and_abolished_division_codes_are_accepted(code, name, current):
    assert parse_id_number(build_id_number(code, datetime.date(1975, 6, 1), 3)).area_code == code
    assert divisions(code)[-1].name == name and divisions(code)[-1].current is current


def test_the_demo_countys_fictional_code_is_accepted_only_where_the_settings_add_it(settings):
    number = build_id_number("411099", datetime.date(1990, 1, 1), 2)
    assert parse_id_number(number).area_code == "411099"
    settings.ID_AREA_CODES_ALSO = []
    assert code_of(number) == "id_area_code"


@pytest.mark.parametrize("value", [
    "110105194912310021",  # last character changed
    "11010519491231003X",  # sequence changed, check kept
    "11001519491231002X",  # two digits swapped in the area code
    "11010519941231002X",  # two digits swapped in the year
])
def test_wrong_check_digit_is_refused(value):
    assert code_of(value) == "id_check_digit"


@pytest.mark.parametrize("birth", ["19490231", "19491301", "19490000", "20230229"])
def test_impossible_birth_date_is_refused(birth):
    assert code_of(f"110105{birth}002X") == "id_birth_date"


def test_future_birth_date_is_refused():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    assert code_of(build_id_number("110105", tomorrow, 2)) == "id_birth_date"
    assert code_of(build_id_number("110105", datetime.date(2021, 6, 1), 2), today=datetime.date(2021, 5, 31)) \
        == "id_birth_date"


@pytest.mark.parametrize("value", ["", "11010519491231002", "11010519491231002XX", "110105491231002"])
def test_wrong_length_is_refused(value):
    assert code_of(value) == "id_length"


@pytest.mark.parametrize(
    "value", ["1101051949123100AX", "11010519491231002Y", "A1010519491231002X", "X10105194912310021"]
)
def test_letters_are_refused(value):
    assert code_of(value) == "id_chars"


def test_length_error_says_how_many_characters_were_given():
    with pytest.raises(ValidationError) as refused:
        parse_id_number("12345")
    assert "当前 5 位" in refused.value.messages[0]


def test_mask_keeps_area_code_and_last_four():
    assert mask_id_number(PUBLISHED_FEMALE) == "110105********002X"
    assert mask_id_number("") == ""
    assert mask_id_number("12345") == "12***"  # short junk still hides most of itself


def test_built_numbers_round_trip():
    for seq, sex in [(1, "1"), (2, "2"), (3, "1")]:
        number = id_number(seq, sex=sex)
        info = parse_id_number(number)
        assert (info.sex, info.birth_date, info.area_code) == (sex, datetime.date(1992, 5, 17), "411099")


class PersonForm(forms.Form):
    id_number = forms.CharField(validators=[validate_id_number])


def test_form_field_validator_accepts_valid_number():
    form = PersonForm({"id_number": PUBLISHED_FEMALE})
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(("value", "message"), [
    ("110105194912310021", "身份证号校验位不正确"),
    ("11010519490231002X", "出生日期 19490231 不存在"),
    ("1101051949", "身份证号应为 18 位"),
])
def test_form_field_validator_gives_chinese_message(value, message):
    form = PersonForm({"id_number": value})
    assert not form.is_valid()
    assert message in form.errors["id_number"][0]


def test_validator_is_deconstructible_for_migrations():
    path, args, kwargs = validate_id_number.deconstruct()
    assert path == "accounts.validators.IdNumberValidator"
    assert validate_id_number == IdNumberValidator()
