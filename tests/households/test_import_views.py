"""Excel import through the pages: upload → preview (nothing written) → confirm (exactly the good
rows, once) or cancel; rollback on an unexpected failure; scope and roles."""
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from households import sheets
from households.models import Assignment, Couple, Household, ImportBatch, IntentionSurvey, Person
from households.services import exchange

from ..factories import CoupleFactory, HouseholdFactory, PersonFactory, VillageFactory, id_number
from .test_import_sheet import HUSBAND_BIRTH, WIFE_BIRTH, good_row, make_xlsx

UPLOAD = reverse("households:import_upload")


def counts() -> dict:
    return {m.__name__: m.objects.count() for m in (Household, Person, Couple, IntentionSurvey, Assignment)}


def upload(client, records, **kwargs):
    return client.post(UPLOAD, {"file": make_xlsx(records, **kwargs)})


def only_batch() -> ImportBatch:
    return ImportBatch.objects.get()


def errors_by_row(batch) -> dict[int, str]:
    return {r["row"]: " ".join(r["errors"]) for r in batch.rows}


@pytest.fixture
def sheet_rows(village_a, village_b):
    """Three good rows (rows 2–4 in Excel) and one bad row of each kind (rows 5–15)."""
    VillageFactory(township=village_a.township, name="张庄村", code="411099001002")
    registered = CoupleFactory(household__village=village_a)  # already in the register (township A)
    in_b = PersonFactory(household__village=village_b, sex="2", birth_date=datetime.date(1995, 1, 1))
    bad_check = id_number(20, sex="2", birth=WIFE_BIRTH)
    bad_check = bad_check[:17] + ("0" if bad_check[17] != "0" else "1")
    twice = id_number(30, sex="2", birth=WIFE_BIRTH)
    return [
        good_row(1),  # row 2
        good_row(2, 村社区="张庄村"),  # row 3
        good_row(3, 户主姓名="李老汉"),  # row 4: head is neither spouse → warning, still imported
        good_row(4, 妻子身份证号=bad_check),  # row 5
        good_row(5, 妻子身份证号=id_number(5, sex="1", birth=WIFE_BIRTH)),  # row 6: wife male per ID
        good_row(6, 妻子身份证号=id_number(6, sex="2", birth=datetime.date(1970, 1, 1))),  # row 7: 50+
        good_row(7, **{"村/社区": "不存在村"}),  # row 8
        good_row(8, **{"村/社区": "王庄社区"}),  # row 9: township B's village
        good_row(9, 妻子姓名=""),  # row 10: required cell missing
        good_row(10, 计划生育时间="马上"),  # row 11
        good_row(11, 妻子身份证号=twice),  # row 12 ┐ the same ID twice in the file
        good_row(12, 妻子身份证号=twice),  # row 13 ┘
        good_row(13, 妻子身份证号=registered.wife.id_number),  # row 14: registered in A
        good_row(14, 妻子身份证号=in_b.id_number),  # row 15: registered in B
    ]


EXPECTED_ERRORS = {
    5: "校验位不正确", 6: "妻子应为女性", 7: "妻子年龄应在 15–49 岁之间", 8: "村/社区不在本镇/街道",
    9: "村/社区不在本镇/街道", 10: "缺少必填项：妻子姓名", 11: "计划生育时间“马上”无法识别",
    12: "在文件中重复出现（第 12、13 行）", 13: "在文件中重复出现（第 12、13 行）", 14: "已登记", 15: "已在其他镇/街道登记",
}


# --- Preview --------------------------------------------------------------------------------
def test_upload_page_offers_the_form_template_and_exports(client_for, clerk_a):
    response = client_for(clerk_a).get(UPLOAD)
    assert response.status_code == 200
    html = response.content.decode()
    for testid in ("import-upload-form", "import-file", "import-template", "export-register"):
        assert f'data-testid="{testid}"' in html


def test_preview_lists_each_bad_row_with_its_chinese_error_and_writes_nothing(client_for, clerk_a, sheet_rows):
    before = counts()
    client = client_for(clerk_a)

    response = upload(client, sheet_rows)

    batch = only_batch()
    assert response.status_code == 302
    assert response["Location"] == reverse("households:import_preview", args=[batch.pk])
    assert counts() == before  # nothing in the register until confirm
    assert (batch.status, batch.row_count, batch.error_count, batch.township) == ("preview", 14, 11, clerk_a.township)
    errors = errors_by_row(batch)
    assert {row for row, text in errors.items() if text} == set(EXPECTED_ERRORS)
    for row, expected in EXPECTED_ERRORS.items():
        assert expected in errors[row], (row, errors[row])
    assert "已登记（" in errors[14]  # own township: says who, so the clerk can find the record
    assert "王芳" not in errors[15] and "成员" not in errors[15]  # another township's person stays anonymous

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-total="14" data-ok="3" data-error="11"' in html
    for row, expected in EXPECTED_ERRORS.items():
        assert f'data-row="{row}" data-status="error"' in html
        assert expected in html
    assert 'data-row="4" data-status="ok"' in html and "户主不是夫妇本人" in html
    # IDs are masked on the page, whole only in the stored batch awaiting confirmation.
    assert good_row(1)["妻子身份证号"] not in html
    assert good_row(1)["妻子身份证号"][:6] + "********" + good_row(1)["妻子身份证号"][-4:] in html
    assert 'data-testid="import-confirm"' in html


def test_preview_can_show_only_rows_with_errors(client_for, clerk_a, sheet_rows):
    client = client_for(clerk_a)
    upload(client, sheet_rows)
    html = client.get(reverse("households:import_preview", args=[only_batch().pk]), {"show": "errors"}).content.decode()
    assert 'data-row="5"' in html
    assert 'data-row="2"' not in html


def test_tolerant_sheet_with_title_rows_free_column_order_and_odd_cells_previews_clean(client_for, clerk_a, village_a):
    wife = id_number(41, sex="2", birth=WIFE_BIRTH)
    husband = id_number(41, sex="1", birth=HUSBAND_BIRTH)
    headers = ["序号", "丈夫身份证号", "妻子身份证号", "妻子姓名", "丈夫姓名", "户主姓名", "家庭地址", "村/社区*",
               "计划生育时间", "结婚日期", "摸底日期", "户口类型", "现有男孩数", "现有女孩数"]
    record = {
        "序号": 1, "丈夫身份证号": f" {husband} ", "妻子身份证号": wife.lower(), "妻子姓名": "\u3000王芳\u3000",
        "丈夫姓名": "李强", "户主姓名": "李强 ", "家庭地址": "三组 1 号", "村/社区": "李家村\u3000", "计划生育时间": 2,
        "结婚日期": datetime.date(2016, 5, 1), "摸底日期": "2024.3.1", "户口类型": 1, "现有男孩数": "1", "现有女孩数": 2.0,
    }
    client = client_for(clerk_a)

    client.post(UPLOAD, {"file": make_xlsx([record], headers=headers, lead_rows=[["城关镇摸底登记表"]])})

    (row,) = only_batch().rows
    assert row["errors"] == [] and row["status"] == "ok", row
    assert row["row"] == 3
    data = row["data"]
    assert (data["wife_id"], data["husband_id"]) == (wife, husband)
    assert (data["wife_name"], data["village_id"]) == ("王芳", village_a.pk)
    assert (data["planned_timing"], data["hukou_type"], data["boys"], data["girls"]) == ("2", "1", 1, 2)
    assert (data["marriage_date"], data["surveyed_on"]) == ("2016-05-01", "2024-03-01")


# --- Confirm --------------------------------------------------------------------------------
def test_confirm_writes_exactly_the_good_rows_with_surveys_and_the_clerk_as_responsible(
        client_for, clerk_a, sheet_rows, village_b):
    client = client_for(clerk_a)
    upload(client, sheet_rows)
    batch = only_batch()
    before = counts()
    b_households = Household.objects.filter(township=village_b.township).count()

    response = client.post(reverse("households:import_confirm", args=[batch.pk]))

    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.imported_count, batch.error_count) == ("imported", 3, 11)
    after = counts()
    assert after["Household"] - before["Household"] == 3
    assert after["Person"] - before["Person"] == 6
    assert after["Couple"] - before["Couple"] == 3
    assert after["IntentionSurvey"] - before["IntentionSurvey"] == 3
    imported = Couple.objects.filter(pk__in=[r["couple_id"] for r in batch.rows if r["status"] == "imported"])
    assert sorted(c.wife.id_number for c in imported) == sorted(good_row(n)["妻子身份证号"] for n in (1, 2, 3))
    for couple in imported:
        assert couple.in_register and couple.planned_timing == "1" and couple.responsible == clerk_a
        assert couple.township == clerk_a.township
        survey = couple.surveys.get()
        assert (survey.surveyor, survey.surveyed_on) == (clerk_a, datetime.date(2024, 3, 1))
        assert couple.assignments.get(ended_at__isnull=True).staff == clerk_a
    by_wife = {c.wife.name: c for c in imported}
    assert by_wife["王芳1"].wife.relation == "1" and by_wife["王芳1"].husband.relation == "0"
    assert by_wife["王芳3"].wife.relation == "8"  # head 李老汉 is neither spouse
    assert by_wife["王芳2"].household.village.name == "张庄村"
    assert Household.objects.filter(township=village_b.township).count() == b_households  # B untouched
    # The stored batch keeps masked numbers only, once closed.
    assert good_row(1)["妻子身份证号"] not in str(batch.rows)
    summary = AuditEvent.objects.filter(object_type="households.importbatch", object_id=str(batch.pk), action="create")
    assert any("3 couples imported" in e.detail for e in summary)
    assert AuditEvent.objects.filter(action="create", object_type="households.couple").count() >= 3
    html = client.get(response["Location"]).content.decode()
    assert "已导入 3 对夫妇，跳过 11 行。" in html
    assert 'data-testid="import-confirm"' not in html


def test_confirm_twice_imports_once(client_for, clerk_a, village_a):
    client = client_for(clerk_a)
    upload(client, [good_row(1), good_row(2)])
    url = reverse("households:import_confirm", args=[only_batch().pk])

    client.post(url)
    after_first = counts()
    response = client.post(url, follow=True)

    assert counts() == after_first
    assert after_first["Couple"] == 2
    assert "不能再次导入" in response.content.decode()


def test_rows_joining_the_same_or_an_existing_household_reuse_it(client_for, clerk_a, village_a):
    existing = HouseholdFactory(village=village_a, head_name="李强1", address="三组 1 号")
    rows = [good_row(1), good_row(2, 户主姓名="赵大", 家庭地址="五组 8 号"), good_row(3, 户主姓名="赵大", 家庭地址="五组 8 号")]
    client = client_for(clerk_a)
    upload(client, rows)
    assert [r["household"] for r in only_batch().rows] == ["existing", "new", "same"]

    client.post(reverse("households:import_confirm", args=[only_batch().pk]))

    assert Household.objects.count() == 2
    assert Couple.objects.get(wife__name="王芳1").household == existing
    assert Couple.objects.get(wife__name="王芳2").household == Couple.objects.get(wife__name="王芳3").household


def test_id_registered_between_preview_and_confirm_skips_that_row_and_imports_the_others(
        client_for, clerk_a, village_a):
    client = client_for(clerk_a)
    upload(client, [good_row(1), good_row(2), good_row(3)])
    batch = only_batch()
    # Someone registers row 3's wife by hand while the preview is open.
    PersonFactory(household__village=village_a, name="王芳3", id_number=good_row(2)["妻子身份证号"],
                  birth_date=WIFE_BIRTH)

    client.post(reverse("households:import_confirm", args=[batch.pk]))

    batch.refresh_from_db()
    assert (batch.status, batch.imported_count, batch.error_count) == ("imported", 2, 1)
    skipped = [r for r in batch.rows if r["status"] == "skipped"]
    assert [r["row"] for r in skipped] == [3]
    assert "妻子身份证号已登记" in skipped[0]["errors"][0]
    assert set(Couple.objects.values_list("wife__name", flat=True)) == {"王芳1", "王芳3"}
    assert not Person.objects.filter(id_number=good_row(2)["丈夫身份证号"]).exists()  # the row left nothing behind


def test_unexpected_failure_at_write_time_rolls_back_every_row_and_marks_the_batch_failed(
        client_for, clerk_a, village_a):
    client = client_for(clerk_a)
    upload(client, [good_row(1), good_row(2), good_row(3, 丈夫姓名="故障", 户主姓名="故障")])
    batch = only_batch()
    before = counts()
    audit_before = AuditEvent.objects.filter(action="create", object_type="households.couple").count()
    # A database rule the application does not know about: row 4's husband violates it on INSERT,
    # after rows 2 and 3 were written. (Transactional DDL: rolled back with the test.)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE households_person ADD CONSTRAINT test_no_failure CHECK (name <> '故障')")

    response = client.post(reverse("households:import_confirm", args=[batch.pk]), follow=True)

    assert response.status_code == 200
    assert counts() == before  # rows 2 and 3 were rolled back too
    assert AuditEvent.objects.filter(action="create", object_type="households.couple").count() == audit_before
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert "第 4 行" in batch.message and "未写入任何数据" in batch.message
    assert batch.message in response.content.decode()
    assert AuditEvent.objects.filter(
        object_type="households.importbatch", object_id=str(batch.pk), success=False).exists()
    # A failed batch cannot be confirmed again.
    client.post(reverse("households:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert counts() == before


def test_old_15_digit_id_is_imported_as_18_digits_with_a_warning(client_for, clerk_a, village_a):
    wife = id_number(51, sex="2", birth=datetime.date(1985, 9, 9))
    client = client_for(clerk_a)
    upload(client, [good_row(1, 妻子身份证号=wife[:6] + wife[8:17])])
    (row,) = only_batch().rows
    assert row["status"] == "ok"
    assert any("15 位旧身份证号已转换为 18 位" in w for w in row["warnings"])

    client.post(reverse("households:import_confirm", args=[only_batch().pk]))

    assert Couple.objects.get().wife.id_number == wife


# --- Cancel ---------------------------------------------------------------------------------
def test_cancel_discards_the_batch_and_it_cannot_be_confirmed_afterwards(client_for, clerk_a, village_a):
    client = client_for(clerk_a)
    upload(client, [good_row(1)])
    batch = only_batch()

    response = client.post(reverse("households:import_cancel", args=[batch.pk]))

    assert response.status_code == 302 and response["Location"] == UPLOAD
    batch.refresh_from_db()
    assert batch.status == "cancelled"
    assert good_row(1)["妻子身份证号"] not in str(batch.rows)
    client.post(reverse("households:import_confirm", args=[batch.pk]))
    assert Couple.objects.count() == 0


# --- Files that cannot be imported ----------------------------------------------------------
@pytest.mark.parametrize(("name", "content", "message"), [
    ("登记表.xls", b"\xd0\xcf\x11\xe0", "不支持旧版 .xls"),
    ("登记表.csv", "村/社区,家庭地址\n".encode(), "请上传 Excel 文件"),
    ("登记表.xlsx", b"this is not a workbook", "无法读取该文件"),
])
def test_wrong_or_corrupt_file_is_refused_with_a_chinese_message(client_for, clerk_a, name, content, message):
    response = client_for(clerk_a).post(UPLOAD, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_file_over_the_size_limit_is_refused(client_for, clerk_a):
    big = SimpleUploadedFile("登记表.xlsx", b"PK\x03\x04" + b"0" * exchange.IMPORT_MAX_BYTES)
    response = client_for(clerk_a).post(UPLOAD, {"file": big})
    assert "文件太大" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_too_many_rows_is_refused_with_the_limit_in_the_message(client_for, clerk_a, village_a):
    required = [c.label for c in sheets.COLUMNS if c.required]
    upload_file = make_xlsx([good_row(1)] * (exchange.IMPORT_MAX_ROWS + 1), headers=required)
    response = client_for(clerk_a).post(UPLOAD, {"file": upload_file})
    assert response.status_code == 200
    assert f"每次最多导入 {exchange.IMPORT_MAX_ROWS} 行" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_uploading_the_template_unchanged_imports_nothing(client_for, clerk_a, village_a):
    client = client_for(clerk_a)
    template = client.get(reverse("households:import_template"))
    client.post(UPLOAD, {"file": SimpleUploadedFile("模板.xlsx", template.content)})
    (row,) = only_batch().rows
    assert row["status"] == "error" and "村/社区不在本镇/街道" in row["errors"][0]


def test_template_has_every_column_and_one_example_row(client_for, clerk_a):
    response = client_for(clerk_a).get(reverse("households:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header = [h.rstrip("*") for h in values[2] if h]
    assert header == [c.label for c in sheets.TEMPLATE_COLUMNS]
    assert len(values) == 4 and values[3][0] == "示例村"


# --- Scope, roles, methods ------------------------------------------------------------------
@pytest.fixture
def batch_a(client_for, clerk_a, village_a):
    upload(client_for(clerk_a), [good_row(1)])
    return only_batch()


@pytest.mark.parametrize("name", ["import_preview", "import_confirm", "import_cancel"])
def test_clerk_of_another_township_gets_404_on_a_batch(client_for, clerk_b, batch_a, name):
    client = client_for(clerk_b)
    url = reverse(f"households:{name}", args=[batch_a.pk])

    response = client.get(url) if name == "import_preview" else client.post(url)

    assert response.status_code == 404
    batch_a.refresh_from_db()
    assert batch_a.status == "preview"
    assert Couple.objects.count() == 0


def test_upload_by_clerk_of_b_cannot_use_a_village_of_a(client_for, clerk_b, village_a, village_b):
    client = client_for(clerk_b)
    upload(client, [good_row(1)])  # 李家村 is township A's
    (row,) = only_batch().rows
    assert "村/社区不在本镇/街道" in " ".join(row["errors"])
    client.post(reverse("households:import_confirm", args=[only_batch().pk]))
    assert not Household.objects.filter(village=village_a).exists()
    assert Couple.objects.count() == 0


@pytest.mark.parametrize("who", ["bureau_staff", "clinician", "inspector", "leader", "auditor", "admin_user"])
def test_other_roles_get_403_on_import_pages(request, client_for, who, batch_a):
    client = client_for(request.getfixturevalue(who))
    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"file": make_xlsx([good_row(2)])}).status_code == 403
    assert client.get(reverse("households:import_template")).status_code == 403
    assert client.get(reverse("households:import_preview", args=[batch_a.pk])).status_code == 403
    assert client.post(reverse("households:import_confirm", args=[batch_a.pk])).status_code == 403
    batch_a.refresh_from_db()
    assert batch_a.status == "preview" and ImportBatch.objects.count() == 1


def test_anonymous_is_sent_to_login(batch_a):
    client = Client()  # the ``client`` fixture is logged in by batch_a
    for url in (UPLOAD, reverse("households:import_preview", args=[batch_a.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post(reverse("households:import_confirm", args=[batch_a.pk])).status_code == 302
    batch_a.refresh_from_db()
    assert batch_a.status == "preview"


def test_wrong_methods_get_405(client_for, clerk_a, batch_a):
    client = client_for(clerk_a)
    assert client.get(reverse("households:import_confirm", args=[batch_a.pk])).status_code == 405
    assert client.get(reverse("households:import_cancel", args=[batch_a.pk])).status_code == 405
    assert client.post(reverse("households:import_preview", args=[batch_a.pk])).status_code == 405
    assert client.post(reverse("households:import_template")).status_code == 405
    assert client.put(UPLOAD).status_code == 405
    batch_a.refresh_from_db()
    assert batch_a.status == "preview"
