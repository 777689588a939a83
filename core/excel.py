"""The one .xlsx writer every export uses: text stays text, nothing a sheet holds can run.

Every app's export goes through ``build_workbook`` (or ``safe_cell_value`` for a writer of its
own), so the rules below hold everywhere:

- A text cell is written as a string cell, never as a formula, even when it starts with ``=``,
  ``+``, ``-``, ``@``, a tab or CR (CSV/formula injection, OWASP): ``=HYPERLINK(...)`` typed into
  an address is shown unchanged and is inert.
- Control characters that the XML of an .xlsx cannot hold (``\\x0b`` from Word's soft line break,
  say) are dropped from the cell, so one stored value cannot break a township's export.
- Text cells carry the text number format, so an ID or phone number is not turned into a number
  Excel rounds.
"""
import io
from collections.abc import Iterable
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_TITLE_FONT = Font(bold=True, size=13)
_NOTE_FONT = Font(italic=True, color="7F6000")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def safe_cell_value(value):
    """``value`` as it may go into a cell: text without the characters an .xlsx cannot hold.

    Whether a text is written as a string (not a formula) is the writer's job (``_text_cell``);
    this only cleans the characters. Non-text values pass through.
    """
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _text_cell(sheet, value: str, **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=safe_cell_value(value))
    # openpyxl guesses "formula" for a leading "="; a stored value is data, never a formula.
    cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def build_workbook(*, title: str, notes: list[str], headers: list[str], rows, widths: list[int] | None = None,
                   sheet_title: str = "Sheet1") -> bytes:
    """One sheet: a title row, note rows, the header row, then ``rows`` (an iterable of lists).

    Returns the .xlsx file's bytes. openpyxl's write-only mode streams rows into the zip.
    """
    return build_workbook_sheets([Sheet(title=title, notes=notes, headers=headers, rows=rows, widths=widths,
                                        sheet_title=sheet_title)])


@dataclass
class Sheet:
    """One worksheet of ``build_workbook_sheets``: the same parts as ``build_workbook``'s."""

    title: str
    notes: list[str]
    headers: list[str]
    rows: Iterable
    widths: list[int] | None = None
    sheet_title: str = "Sheet1"


def build_workbook_sheets(sheets: list[Sheet]) -> bytes:
    """Several sheets in one .xlsx (a report with a county sheet and one per township), each
    written under the same rules as ``build_workbook``. Sheet names are cut to Excel's 31
    characters and made unique."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for spec in sheets:
        name = safe_cell_value(str(spec.sheet_title))[:31] or "Sheet1"
        for char in "[]:*?/\\":
            name = name.replace(char, "-")
        base, n = name, 2
        while name in used:
            name = f"{base[:28]}({n})"
            n += 1
        used.add(name)
        _write_sheet(workbook.create_sheet(title=name), spec)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(sheet, spec: Sheet) -> None:
    for index, width in enumerate(spec.widths or [], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header_row = 2 + len(spec.notes)
    sheet.freeze_panes = f"A{header_row + 1}"

    sheet.append([_text_cell(sheet, str(spec.title), font=_TITLE_FONT)])
    for note in spec.notes:
        sheet.append([_text_cell(sheet, str(note), font=_NOTE_FONT, alignment=Alignment(wrap_text=False))])
    sheet.append([_text_cell(sheet, str(h), font=_HEADER_FONT, fill=_HEADER_FILL) for h in spec.headers])
    for row in spec.rows:
        sheet.append([_text_cell(sheet, v, number_format="@") if isinstance(v, str) else v for v in row])
