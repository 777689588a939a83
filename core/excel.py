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
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=safe_cell_value(sheet_title)[:31] or "Sheet1")
    for index, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header_row = 2 + len(notes)
    sheet.freeze_panes = f"A{header_row + 1}"

    sheet.append([_text_cell(sheet, str(title), font=_TITLE_FONT)])
    for note in notes:
        sheet.append([_text_cell(sheet, str(note), font=_NOTE_FONT, alignment=Alignment(wrap_text=False))])
    sheet.append([_text_cell(sheet, str(h), font=_HEADER_FONT, fill=_HEADER_FILL) for h in headers])
    for row in rows:
        sheet.append([_text_cell(sheet, v, number_format="@") if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
