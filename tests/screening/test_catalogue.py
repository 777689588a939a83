"""The catalogue is data: seeded by migration, applicability by sex, ranges an admin changes."""
from decimal import Decimal

import pytest
from django.urls import reverse

from screening.models import ResultField, RiskRule, ScreeningItem, ScreeningResult
from screening.judging import judge
from screening.services.screenings import applicable_fields, results_save

from .helpers import full_values, start

pytestmark = pytest.mark.django_db


def test_the_19_national_items_are_seeded_in_order():
    assert list(ScreeningItem.objects.values_list("number", flat=True)) == list(range(1, 20))
    assert ScreeningItem.objects.get(number=14).name == "风疹病毒"


def test_men_get_items_1_3_6_7_9_10_11_13_18_women_all():
    assert set(ScreeningItem.objects.filter(for_male=True).values_list("number", flat=True)) == {
        1, 2, 3, 6, 7, 9, 10, 11, 13, 18}
    assert ScreeningItem.objects.filter(for_female=False).count() == 0


def test_a_husband_only_screening_asks_only_the_mens_items(couple_a, clinician):
    screening = start(couple_a, clinician, consent="male")
    items = {field.item.number for subject, field in applicable_fields(screening)}
    assert subjects(screening) == {"male"}
    assert items <= {2, 3, 6, 7, 9, 10, 11, 13}  # the men's items that have result fields
    assert 5 not in items and 14 not in items and 12 not in items


def subjects(screening):
    return {subject for subject, _field in applicable_fields(screening)}


def test_rules_are_seeded_as_data():
    rule = RiskRule.objects.get(field__code="rubella_igg")
    assert rule.when == "equals" and rule.value == "neg" and "3 个月" in rule.advice


def test_male_reference_range_differs_where_the_catalogue_says():
    cr = ResultField.objects.get(code="cr")
    assert judge(cr, "female", number="90")["auto_abnormal"] is True
    assert judge(cr, "male", number="90")["auto_abnormal"] is False


def test_a_result_keeps_the_range_it_was_judged_by(couple_a, clinician):
    screening = start(couple_a, clinician)
    results_save(screening=screening, by=clinician, expected_version=screening.version,
                 values=full_values(screening, female__hb="112"))
    hb = ResultField.objects.get(code="hb")
    hb.ref_low = Decimal("110")  # the county's laboratory changes the range afterwards
    hb.save()
    result = ScreeningResult.objects.get(screening=screening, field=hb)
    assert result.ref_low == Decimal("115") and result.is_abnormal and result.ref_text.startswith("115")


def test_admin_can_add_an_item_and_a_field_which_then_appears_on_entry(client_for, admin_user, couple_a, clinician):
    client = client_for(admin_user)
    response = client.post(reverse("admin:screening_screeningitem_add"), {
        "number": 20, "name": "维生素D", "group": "lab", "for_female": "on", "is_active": "on",
        "fields-TOTAL_FORMS": "1", "fields-INITIAL_FORMS": "0", "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "1000",
        "fields-0-code": "vitd", "fields-0-name": "25-羟维生素D", "fields-0-kind": "number", "fields-0-unit": "ng/mL",
        "fields-0-decimals": "1", "fields-0-choices": "[]", "fields-0-normal_values": "[]", "fields-0-ref_low": "30",
        "fields-0-ref_high": "100", "fields-0-plausible_low": "1", "fields-0-plausible_high": "300",
        "fields-0-sort_order": "1", "fields-0-is_active": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    screening = start(couple_a, clinician)
    assert ("female", ResultField.objects.get(code="vitd")) in applicable_fields(screening)


def test_admin_changes_a_reference_range(client_for, admin_user):
    field = ResultField.objects.get(code="tsh")
    client = client_for(admin_user)
    page = client.get(reverse("admin:screening_resultfield_change", args=[field.pk]))
    assert page.status_code == 200


def test_other_roles_cannot_open_the_catalogue_admin(client_for, clinician):
    assert client_for(clinician).get(reverse("admin:screening_screeningitem_changelist")).status_code == 403
