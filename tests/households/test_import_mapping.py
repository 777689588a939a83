"""Importing the sheets townships really keep (issue #6): columns renamed, reordered, combined or
missing; the clerk maps what the system cannot, the choice is remembered for the township, every
column not imported is listed, total and note rows are skipped, a missing address is allowed."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import AuditEvent
from households.models import Couple, Household, ImportBatch, ImportMapping

from ..factories import id_number
from .test_import_sheet import HUSBAND_BIRTH, WIFE_BIRTH

UPLOAD = reverse("households:import_upload")
# A township's own sheet: a title, 序号, no address, its own name for the planning column, boys and
# girls in one cell, a 合计 row and a note under the table.
OWN_HEADERS = ["序号", "所在村", "户主", "女方姓名", "女方身份证号码", "男方姓名", "男方身份证号码", "子女情况",
               "再生育打算", "联系电话"]
CHILDREN = ["1男1女", "1/0", "一男一女", "两女", "无"]


def own_sheet(n=5, *, headers=OWN_HEADERS, total=True, note=True, address=None) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["城关镇育龄夫妇再生育意愿摸底表"])
    sheet.append(headers)
    for i in range(1, n + 1):
        values = {"序号": i, "所在村": "李家村", "户主": f"李强{i}", "女方姓名": f"王芳{i}",
                  "女方身份证号码": id_number(i, sex="2", birth=WIFE_BIRTH), "男方姓名": f"李强{i}",
                  "男方身份证号码": id_number(i, sex="1", birth=HUSBAND_BIRTH), "子女情况": CHILDREN[(i - 1) % 5],
                  "再生育打算": "一年内", "联系电话": f"1390000{i:04d}", "家庭住址": address}
        sheet.append([values.get(h) for h in headers])
    if total:
        sheet.append([None, "合计", None, None, None, None, None, "6", None, None])
    if note:
        sheet.append(["注：本表由村计生专干填写，每季度更新。"])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("本镇摸底表.xlsx", buffer.getvalue())


def batch() -> ImportBatch:
    return ImportBatch.objects.get()


def mapping_post(client, pk, **columns):
    return client.post(reverse("households:import_mapping", args=[pk]), {f"col_{k}": v for k, v in columns.items()})


OWN_MAPPING = {0: "", 1: "village", 2: "head_name", 3: "wife_name", 4: "wife_id", 5: "husband_name", 6: "husband_id",
               7: "children", 8: "planned_timing", 9: "phone"}


def test_own_sheet_is_mapped_by_the_clerk_then_checked_and_imported(client_for, clerk_a, village_a):
    client = client_for(clerk_a)
    response = client.post(UPLOAD, {"file": own_sheet()}, follow=True)
    page = response.content.decode()

    # Recognised automatically: village, head, both spouses, children, phone; not the planning column.
    b = batch()
    assert b.mapping == {"1": "village", "2": "head_name", "3": "wife_name", "4": "wife_id", "5": "husband_name",
                         "6": "husband_id", "7": "children", "9": "phone"}
    assert b.rows == [] and "计划生育时间" in page and 'data-testid="mapping-problem"' in page
    # Nothing dropped silently: the columns not imported are listed.
    assert 'data-letter="A"' in page and 'data-letter="I"' in page and "再生育打算" in page
    assert Couple.objects.count() == 0

    response = mapping_post(client, b.pk, **{str(k): v for k, v in OWN_MAPPING.items()})
    assert response.status_code == 302
    b = batch()
    statuses = [r["status"] for r in b.rows]
    assert statuses == ["ok"] * 5 + ["total", "note"]  # the 合计 and 注 rows: skipped, not errors
    assert b.error_count == 0 and b.row_count == 5
    assert all("未填写家庭地址" in " ".join(r["warnings"]) for r in b.rows[:5])
    page = client.get(b.get_absolute_url()).content.decode()
    assert 'data-letter="A"' in page and 'data-layout="2"' in page

    client.post(reverse("households:import_confirm", args=[b.pk]))
    couples = {c.wife.name: (c.boys, c.girls) for c in Couple.objects.select_related("wife")}
    assert couples == {"王芳1": (1, 1), "王芳2": (1, 0), "王芳3": (1, 1), "王芳4": (0, 2), "王芳5": (0, 0)}
    assert set(Household.objects.values_list("address", flat=True)) == {""}
    assert batch().source_rows == []  # the raw cells (whole ID numbers) go once the batch is closed


def test_the_clerks_mapping_is_remembered_for_the_next_import_of_the_township(client_for, clerk_a, clerk_b,
                                                                              village_a, village_b):
    client = client_for(clerk_a)
    client.post(UPLOAD, {"file": own_sheet()})
    mapping_post(client, batch().pk, **{str(k): v for k, v in OWN_MAPPING.items()})
    assert ImportMapping.objects.filter(township=clerk_a.township, header="再生育打算", field="planned_timing").exists()
    assert ImportMapping.objects.filter(township=clerk_a.township, header="序号", field="").exists()

    client.post(UPLOAD, {"file": own_sheet(3)})
    second = ImportBatch.objects.order_by("-pk").first()
    assert second.mapping["8"] == "planned_timing" and [r["status"] for r in second.rows][:3] == ["ok"] * 3

    # Another township does not inherit it.
    client_for(clerk_b).post(UPLOAD, {"file": own_sheet(3)})
    other = ImportBatch.objects.order_by("-pk").first()
    assert other.township == clerk_b.township and "8" not in other.mapping


def test_renamed_and_reordered_columns_are_recognised_without_a_mapping_step(client_for, clerk_a, village_a):
    headers = ["联系方式", "男方身份证号", "女方身份证号", "男方姓名", "女方姓名", "户主姓名", "详细地址", "村居",
               "现有男孩", "现有女孩", "生育计划"]
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    sheet.append(["13900000001", id_number(1, sex="1", birth=HUSBAND_BIRTH), id_number(1, sex="2", birth=WIFE_BIRTH),
                  "李强", "王芳", "李强", "三组 1 号", "李家村", 2, 1, "两年内"])
    buffer = io.BytesIO()
    book.save(buffer)
    client_for(clerk_a).post(UPLOAD, {"file": SimpleUploadedFile("a.xlsx", buffer.getvalue())})
    row = batch().rows[0]
    assert row["status"] == "ok", row["errors"]
    assert (row["data"]["boys"], row["data"]["girls"], row["data"]["address"], row["data"]["planned_timing"]) == (
        2, 1, "三组 1 号", "2")


def test_a_missing_required_column_blocks_the_rows_until_mapped(client_for, clerk_a, village_a):
    headers = [h for h in OWN_HEADERS if h != "男方身份证号码"]
    client = client_for(clerk_a)
    page = client.post(UPLOAD, {"file": own_sheet(headers=headers)}, follow=True).content.decode()
    assert "丈夫身份证号" in page and batch().rows == []
    assert 'data-testid="import-confirm" disabled' in page


def test_a_field_mapped_twice_or_children_both_ways_is_refused_and_nothing_changes(client_for, clerk_a, village_a):
    client = client_for(clerk_a)
    client.post(UPLOAD, {"file": own_sheet()})
    before = batch().mapping

    twice = {**OWN_MAPPING, 0: "wife_name"}
    response = mapping_post(client, batch().pk, **{str(k): v for k, v in twice.items()})
    assert response.status_code == 400 and "同一项只能对应一列" in response.content.decode()

    both = {**OWN_MAPPING, 0: "boys"}
    response = mapping_post(client, batch().pk, **{str(k): v for k, v in both.items()})
    assert response.status_code == 400 and "只能选一种" in response.content.decode()
    assert batch().mapping == before and not ImportMapping.objects.exists()


def test_an_unknown_field_in_the_mapping_is_refused(client_for, clerk_a, village_a):
    client = client_for(clerk_a)
    client.post(UPLOAD, {"file": own_sheet()})
    response = mapping_post(client, batch().pk, **{**{str(k): v for k, v in OWN_MAPPING.items()}, "0": "id_number"})
    assert response.status_code == 400 and not ImportMapping.objects.exists()


def test_mapping_another_townships_batch_is_a_404_and_changes_nothing(client_for, clerk_a, clerk_b, village_a):
    client_for(clerk_a).post(UPLOAD, {"file": own_sheet()})
    b = batch()
    response = mapping_post(client_for(clerk_b), b.pk, **{str(k): v for k, v in OWN_MAPPING.items()})
    assert response.status_code == 404
    b.refresh_from_db()
    assert b.rows == [] and "8" not in b.mapping and not ImportMapping.objects.exists()


def test_mapping_needs_the_import_role_and_post(client_for, clerk_a, bureau_staff, village_a):
    client_for(clerk_a).post(UPLOAD, {"file": own_sheet()})
    pk = batch().pk
    assert mapping_post(client_for(bureau_staff), pk, **{"1": "village"}).status_code == 403
    assert client_for(clerk_a).get(reverse("households:import_mapping", args=[pk])).status_code == 405


def test_a_closed_batch_cannot_be_remapped(client_for, clerk_a, village_a):
    client = client_for(clerk_a)
    client.post(UPLOAD, {"file": own_sheet()})
    client.post(reverse("households:import_cancel", args=[batch().pk]))
    response = mapping_post(client, batch().pk, **{str(k): v for k, v in OWN_MAPPING.items()})
    assert response.status_code == 302 and batch().status == "cancelled" and batch().rows == []


def test_mapping_is_audited(client_for, clerk_a, village_a):
    client = client_for(clerk_a)
    client.post(UPLOAD, {"file": own_sheet()})
    mapping_post(client, batch().pk, **{str(k): v for k, v in OWN_MAPPING.items()})
    assert AuditEvent.objects.filter(action="update", object_type="households.importbatch",
                                     detail__startswith="import column mapping").exists()


def test_preview_shows_id_samples_masked(client_for, clerk_a, village_a):
    page = client_for(clerk_a).post(UPLOAD, {"file": own_sheet()}, follow=True).content.decode()
    assert id_number(1, sex="2", birth=WIFE_BIRTH) not in page


def test_rows_without_address_and_the_same_head_get_a_household_each(client_for, clerk_a, village_a):
    book = Workbook()
    sheet = book.active
    sheet.append(["村/社区", "户主姓名", "妻子姓名", "妻子身份证号", "丈夫姓名", "丈夫身份证号", "计划生育时间"])
    for i in (1, 2):
        sheet.append(["李家村", "张伟", f"王芳{i}", id_number(i, sex="2", birth=WIFE_BIRTH), "张伟",
                      id_number(i, sex="1", birth=HUSBAND_BIRTH), "一年内"])
    buffer = io.BytesIO()
    book.save(buffer)
    client = client_for(clerk_a)
    client.post(UPLOAD, {"file": SimpleUploadedFile("a.xlsx", buffer.getvalue())})
    client.post(reverse("households:import_confirm", args=[batch().pk]))
    assert Household.objects.filter(address="", head_name="张伟").count() == 2


def test_incomplete_households_are_marked_and_can_be_listed(client_for, clerk_a, village_a):
    from ..factories import HouseholdFactory

    HouseholdFactory(village=village_a, address="", head_name="无地址户")
    HouseholdFactory(village=village_a, address="一组 1 号", head_name="有地址户")
    client = client_for(clerk_a)
    page = client.get(reverse("households:household_list"), {"status": "incomplete"}).content.decode()
    assert "无地址户" in page and "有地址户" not in page and 'data-testid="incomplete-badge"' in page


@pytest.mark.parametrize("value, expected", [
    ("1/0", (1, 0)), ("0/2", (0, 2)), ("1男1女", (1, 1)), ("男1女2", (1, 2)), ("一男一女", (1, 1)), ("两女", (0, 2)),
    ("1子1女", (1, 1)), ("一儿一女", (1, 1)), ("2男", (2, 0)), ("无", (0, 0)), (None, (0, 0)), ("0", (0, 0)),
    ("儿子1女儿1", (1, 1)), ("1个男孩2个女孩", (1, 2)), ("１／１", (1, 1)),
])
def test_combined_children_forms(value, expected):
    from households import sheets

    assert sheets.children(value) == expected


@pytest.mark.parametrize("value", ["3", "很多", "1/0/1", "30男"])
def test_children_that_cannot_be_split_are_refused_with_a_reason(value):
    from households import sheets

    with pytest.raises(sheets.CellError):
        sheets.children(value)


@pytest.mark.parametrize("values, kind", [
    (["合 计", None, 35], "total"), ([None, "小计：12户"], "total"), (["总计"], "total"),
    ([None, "注：本表由村计生专干填写"], "note"), (["填表人：", "张三", "审核人：", "李四"], "note"),
    (["说明"], "note"), (["李家村", "注意事项"], ""), (["单位村", "李强", "王芳"], ""), ([1, "李家村", "张伟"], ""),
])
def test_total_and_note_rows_are_recognised_and_couples_are_not(values, kind):
    from households import sheets

    assert sheets.layout_row(values) == kind
