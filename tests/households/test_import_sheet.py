"""Reading the townships' sheets: cell readers, header detection, file-level refusals.

Workbooks are generated here with openpyxl, in memory. ``make_xlsx`` is shared with the other
import tests.
"""
import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.validators import check_char, parse_id_number
from households import sheets
from households.services import exchange

from ..factories import id_number

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = [c.label for c in sheets.TEMPLATE_COLUMNS]
WIFE_BIRTH = datetime.date(1994, 6, 15)  # birth dates no factory uses: generated IDs cannot collide
HUSBAND_BIRTH = datetime.date(1991, 2, 3)


def good_row(n: int, **changes) -> dict:
    """A valid sheet row (header label → value) for couple ``n`` in 李家村 (village_a)."""
    row = {
        "村/社区": "李家村", "家庭地址": f"三组 {n} 号", "户主姓名": f"李强{n}", "联系电话": f"1381234{n:04d}",
        "户口类型": "农业", "妻子姓名": f"王芳{n}", "妻子身份证号": id_number(n, sex="2", birth=WIFE_BIRTH),
        "丈夫姓名": f"李强{n}", "丈夫身份证号": id_number(n, sex="1", birth=HUSBAND_BIRTH), "结婚日期": "2016-05-01",
        "现有男孩数": 1, "现有女孩数": 0, "计划生育时间": "一年内", "摸底日期": "2024-03-01", "备注": "",
    }
    row.update(changes)
    return row


def make_xlsx(records: list[dict], *, headers: list[str] | None = None, lead_rows: list[list] = (),
              name: str = "摸底登记表.xlsx") -> SimpleUploadedFile:
    """An .xlsx upload: ``lead_rows`` (titles) above the header, then one row per record."""
    workbook = Workbook()
    sheet = workbook.active
    for lead in lead_rows:
        sheet.append(lead)
    headers = headers or HEADERS
    sheet.append(headers)
    for record in records:
        by_column = {_column(k): v for k, v in record.items()}
        sheet.append([by_column.get(_column(h)) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def _column(header: str) -> str:
    key = sheets.header_key(header)
    return sheets.HEADER_LOOKUP.get(key, key)


# --- Cell readers ---------------------------------------------------------------------------
@pytest.mark.parametrize("value", [
    datetime.datetime(2019, 5, 1), datetime.date(2019, 5, 1), "2019-05-01", "2019/5/1", "2019.5.1", "20190501",
    20190501, "2019年5月1日", "\u30002019-5-1 ", "２０１９－０５－０１", 43586,
])
def test_dates_are_read_in_every_spelling_sheets_use(value):
    assert sheets.date(value) == datetime.date(2019, 5, 1)


@pytest.mark.parametrize("value", ["2019-02-30", "去年", "19/5/1", "2019-13-01"])
def test_impossible_or_unreadable_date_is_a_cell_error_in_chinese(value):
    with pytest.raises(sheets.CellError, match="不是有效日期"):
        sheets.date(value)


def test_blank_date_is_none():
    assert sheets.date(None) is None
    assert sheets.date("\u3000 ") is None


def test_old_15_digit_id_is_converted_to_18_with_a_warning():
    eighteen = id_number(7, sex="2", birth=datetime.date(1975, 4, 9))
    fifteen = eighteen[:6] + eighteen[8:17]

    number, warning = sheets.id_number(fifteen)

    assert number == eighteen
    assert number[-1] == check_char(number[:17])
    assert "15 位" in warning
    assert parse_id_number(number).birth_date == datetime.date(1975, 4, 9)


def test_old_15_digit_id_stored_as_a_number_is_converted_too():
    eighteen = id_number(8, sex="1", birth=datetime.date(1972, 1, 30))
    number, warning = sheets.id_number(int(eighteen[:6] + eighteen[8:17]))
    assert number == eighteen
    assert warning


def test_id_with_blanks_and_lower_case_x_is_normalised():
    number = "11010519491231002X"
    assert sheets.id_number(" 110105 19491231 002x\u3000") == (number, "")


def test_18_digit_id_stored_as_a_number_is_refused_because_excel_lost_digits():
    with pytest.raises(sheets.CellError, match="15 位有效数字"):
        sheets.id_number(float("411099199406150021"))


@pytest.mark.parametrize(("value", "code"), [
    ("农业", "2"), ("非农业", "1"), ("其他", "9"), (1, "1"), ("2", "2"), (9.0, "9"), ("", ""),
])
def test_hukou_type_accepts_words_and_codes(value, code):
    assert sheets.hukou_type(value) == code


@pytest.mark.parametrize(("value", "code"), [
    ("一年内", "1"), ("两年内", "2"), ("三年内", "3"), ("更晚", "4"), ("未计划", "5"), (3, "3"), ("5", "5"), (" 一年内\u3000", "1"),
])
def test_planned_timing_accepts_words_and_codes(value, code):
    assert sheets.planned_timing(value) == code


@pytest.mark.parametrize("value", ["6", "马上", "0"])
def test_unknown_planned_timing_is_a_cell_error(value):
    with pytest.raises(sheets.CellError, match="计划生育时间"):
        sheets.planned_timing(value)


@pytest.mark.parametrize(("value", "expected"), [(None, 0), ("", 0), (2, 2), (1.0, 1), ("３", 3)])
def test_children_counts(value, expected):
    assert sheets.count(value) == expected


@pytest.mark.parametrize("value", [-1, 1.5, "两个", 99])
def test_bad_children_count_is_a_cell_error(value):
    with pytest.raises(sheets.CellError):
        sheets.count(value)


# --- Whole files ----------------------------------------------------------------------------
def test_header_is_found_below_title_rows_in_any_column_order_with_marked_and_spaced_names():
    headers = ["序号", "妻子身份证号*", " 村 / 社区 ", "户主姓名", "家庭地址", "妻子姓名", "丈夫姓名", "丈夫身份证号",
               "计划生育时间（代码）"]
    upload = make_xlsx([good_row(1, **{"序号": 1})], headers=headers, lead_rows=[["城关镇育龄夫妇摸底登记表"], ["填表日期：2024年3月"]])

    rows = exchange.read_sheet(upload)

    assert [number for number, _ in rows] == [4]  # Excel row number: two titles, the header, then the row
    assert rows[0][1]["village"] == "李家村"
    assert rows[0][1]["wife_id"] == good_row(1)["妻子身份证号"]


def test_blank_rows_and_a_numbered_column_past_the_data_are_not_rows():
    headers = ["序号"] + HEADERS
    records = [good_row(1, **{"序号": 1}), {"序号": 2}, {}, good_row(2, **{"序号": 3}), {"序号": 4, "备注": "\u3000"}]
    rows = exchange.read_sheet(make_xlsx(records, headers=headers))
    assert [number for number, _ in rows] == [2, 5]


def test_file_that_is_not_a_zip_is_refused_with_a_chinese_message():
    upload = SimpleUploadedFile("登记表.xlsx", b"\xd0\xcf\x11\xe0 an old .xls or an encrypted workbook")
    with pytest.raises(ValidationError) as error:
        exchange.read_sheet(upload)
    assert "无法读取该文件" in error.value.message_dict["file"][0]


def test_zip_that_is_not_a_workbook_is_refused_with_a_chinese_message():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    with pytest.raises(ValidationError) as error:
        exchange.read_sheet(SimpleUploadedFile("登记表.xlsx", buffer.getvalue()))
    assert "无法读取该文件" in error.value.message_dict["file"][0]


def test_truncated_workbook_is_refused_with_a_chinese_message():
    content = make_xlsx([good_row(1)]).read()
    with pytest.raises(ValidationError) as error:
        exchange.read_sheet(SimpleUploadedFile("登记表.xlsx", content[: len(content) // 2]))
    assert "无法读取该文件" in error.value.message_dict["file"][0]


def test_sheet_without_a_header_row_is_refused():
    upload = make_xlsx([{"a": 1}], headers=[1, 2, 3])
    with pytest.raises(ValidationError) as error:
        exchange.read_sheet(upload)
    assert "没有找到表头" in error.value.message_dict["file"][0]


def test_sheet_missing_a_required_column_names_it():
    headers = [h for h in HEADERS if h != "丈夫身份证号"]
    with pytest.raises(ValidationError) as error:
        exchange.read_sheet(make_xlsx([good_row(1)], headers=headers))
    assert "丈夫身份证号" in error.value.message_dict["file"][0]


def test_sheet_with_only_a_header_is_refused():
    with pytest.raises(ValidationError) as error:
        exchange.read_sheet(make_xlsx([]))
    assert "没有数据行" in error.value.message_dict["file"][0]


def test_sheet_with_more_rows_than_the_limit_is_refused():
    required = [c.label for c in sheets.COLUMNS if c.required]
    record = {h: "x" for h in required}
    upload = make_xlsx([record] * (exchange.IMPORT_MAX_ROWS + 1), headers=required)
    with pytest.raises(ValidationError) as error:
        exchange.read_sheet(upload)
    assert f"最多导入 {exchange.IMPORT_MAX_ROWS} 行" in error.value.message_dict["file"][0]


def test_template_reads_back_as_one_example_row():
    upload = SimpleUploadedFile("模板.xlsx", sheets.template_workbook())
    rows = exchange.read_sheet(upload)
    assert len(rows) == 1
    assert rows[0][1]["village"] == "示例村"
    assert rows[0][1]["planned_timing"] == "一年内"


def test_sample_sheet_generator_writes_good_rows_and_one_bad_row_of_each_kind(tmp_path, clerk_a, village_a, village_b):
    from django.core.management import call_command

    from households.models import Couple

    out = tmp_path / "样例.xlsx"
    call_command("import_sample_sheet", str(out), "--township", clerk_a.township.code, "--rows", "12")

    batch = exchange.import_batch_create(by=clerk_a, upload=SimpleUploadedFile("样例.xlsx", out.read_bytes()),
                                         file_name="样例.xlsx")
    good, bad = batch.rows[:12], batch.rows[12:]
    assert [r["errors"] for r in good] == [[]] * 12
    assert any("15 位旧身份证号" in w for r in good for w in r["warnings"])
    assert len(bad) == 9 and all(r["errors"] for r in bad)
    assert "村/社区不在本镇/街道" in " ".join(bad[4]["errors"])  # township B's village
    assert Couple.objects.count() == 0
