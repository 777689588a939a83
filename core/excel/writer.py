"""The one .xlsx writer every export uses: text stays text, nothing a stored value holds can run
or break the file.

Every export of every app goes through ``SheetWriter`` (streaming, for exports of any size) or
``build_workbook`` (small sheets built in memory, e.g. an import template). The rules hold for
every cell, title and note included:

- **Text is written as a string cell, never as a formula**, whatever it starts with.
- **Text that Excel would turn into a live formula once someone edits the cell** (it starts with
  ``=``, ``+``, ``-``, ``@``, a tab, a line break, or their full-width forms ``＝＋－＠`` that
  Chinese and Japanese Excel accept as formula starts) carries the *quote prefix* style: Excel
  shows it unchanged and keeps it text when the cell is edited and confirmed (OWASP "CSV
  injection"; an ``=HYPERLINK(...)`` typed into an address stays an inert address).
- **Characters an .xlsx cannot hold are dropped**: the C0 control characters other than tab and
  line feed (``\\x0b`` from Word's soft line break, ``\\x01`` from a pasted query), U+FFFE/U+FFFF
  and lone surrogates. A carriage return becomes a line feed (XML would silently turn a bare CR
  into LF when the file is read; Alt+Enter in Excel is LF too), so what is read back is what was
  meant. One stored value can never make a township's export fail.
- Text longer than Excel's 32,767-character cell limit is cut with a marker instead of producing
  a file Excel refuses to open. ``_xHHHH_`` in text is escaped by XlsxWriter so Excel does not
  decode it into another character.
- Numbers that are not finite, and dates Excel cannot represent (before 1900-03-01), are written
  as text rather than as a broken number.

XlsxWriter's constant-memory mode streams each row to a temporary file as soon as the next one
starts, so memory stays flat however many rows an export has (measured in bench/README.md).
"""
import dataclasses
import datetime
import decimal
import io
import math
import re
import unicodedata
from collections.abc import Iterable

import xlsxwriter
from django.utils import timezone

# Text starting with one of these becomes a formula when the cell is edited in Excel (or, for
# tab/CR/LF, when the sheet is saved as CSV and opened again): written with the quote prefix.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
EXCEL_MAX_CELL_CHARS = 32767
_TRUNCATED = "…[截断]"
# What XML 1.0 cannot carry: C0 controls except tab/LF/CR, the non-characters U+FFFE/U+FFFF and
# unpaired surrogates (PostgreSQL accepts the non-characters, so a stored value may hold them).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_EXCEL_FIRST_DATE = datetime.date(1900, 3, 1)  # before this, Excel's calendar is wrong (1900 leap bug)
MAX_SHEET_TITLE = 31
_SHEET_TITLE_ILLEGAL = re.compile(r"[\[\]:*?/\\']")


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clean_text(value: str) -> str:
    """``value`` as a cell may hold it: illegal characters dropped, CR (and CRLF) as LF, cut to
    Excel's cell limit."""
    text = _ILLEGAL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) > EXCEL_MAX_CELL_CHARS:
        text = text[: EXCEL_MAX_CELL_CHARS - len(_TRUNCATED)] + _TRUNCATED
    return text


def safe_cell_value(value):
    """``value`` as it may go into a cell: text cleaned (``clean_text``), lazy translations made
    text; numbers, dates, booleans and ``None`` pass through. Whether text is written as a
    string (never a formula) with the quote prefix is the writer's job (``SheetWriter``)."""
    if isinstance(value, str):
        return clean_text(value)
    if value is None or isinstance(value, (bool, int, float, decimal.Decimal, datetime.date)):
        return value
    return clean_text(str(value))


def needs_quote_prefix(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def safe_sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: no ``[]:*?/\\'``, at most 31 characters, not empty."""
    cleaned = _SHEET_TITLE_ILLEGAL.sub("-", clean_text(str(title))).strip()
    return cleaned[:MAX_SHEET_TITLE] or "Sheet1"


def _formats(book) -> dict:
    add = book.add_format
    return {
        "text": add({"num_format": "@"}),
        "text_quoted": add({"num_format": "@", "quote_prefix": True}),
        "date": add({"num_format": "yyyy-mm-dd"}),
        "datetime": add({"num_format": "yyyy-mm-dd hh:mm"}),
        "title": add({"bold": True, "font_size": 13}),
        "title_quoted": add({"bold": True, "font_size": 13, "quote_prefix": True}),
        "note": add({"italic": True, "font_color": "#7F6000"}),
        "note_quoted": add({"italic": True, "font_color": "#7F6000", "quote_prefix": True}),
        "header": add({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "header_quoted": add({"bold": True, "bg_color": "#DDEBF7", "border": 1, "quote_prefix": True}),
    }


class WorkbookWriter:
    """Several worksheets streamed into one .xlsx (a report: the county sheet, then one per
    township), each written under the same rules by a ``SheetWriter`` from ``add_sheet``.

    Sheets are written one after another (constant-memory mode writes each row once). Sheet
    names are made safe and unique (Excel refuses two sheets of one name).
    """

    def __init__(self, target):
        # constant_memory: each row goes to a temporary file once the next one starts (flat
        # memory); strings are written inline, so no shared-strings table grows either.
        self._book = xlsxwriter.Workbook(target, {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False, "remove_timezone": True,
        })
        self._fmt = _formats(self._book)
        self._names: set[str] = set()
        self._sheets: list[SheetWriter] = []

    def add_sheet(self, *, title: str, notes: list[str], headers: list[str], widths: list[int] | None = None,
                  sheet_title: str = "Sheet1") -> "SheetWriter":
        name = base = safe_sheet_title(sheet_title)
        n = 2
        while name.casefold() in self._names:
            name = f"{base[:MAX_SHEET_TITLE - 4]}({n})"
            n += 1
        self._names.add(name.casefold())
        return SheetWriter(None, title=title, notes=notes, headers=headers, widths=widths, sheet_title=name,
                           _workbook=self)

    def close(self) -> None:
        for sheet in self._sheets:
            sheet._finish()
        self._book.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class SheetWriter:
    """One worksheet streamed into an .xlsx: a title row, note rows, the header row, then data.

    ``target`` is a path or a binary file object (``io.BytesIO``). Use as a context manager, or
    call ``close()``: the file is complete only then. ``append(row)`` takes a list of values
    (str, numbers, dates, datetimes, bool, ``None`` for blank) and returns nothing; ``rows``
    counts the data rows written. (A sheet of a ``WorkbookWriter`` is closed with its workbook.)
    """

    def __init__(self, target, *, title: str, notes: list[str], headers: list[str],
                 widths: list[int] | None = None, sheet_title: str = "Sheet1", _workbook: WorkbookWriter | None = None):
        self._own = _workbook is None
        workbook = WorkbookWriter(target) if self._own else _workbook
        self._book = workbook._book
        self._fmt = workbook._fmt
        self._sheet = self._book.add_worksheet(safe_sheet_title(sheet_title))
        self._columns = len(headers)
        widths = list(widths or [])
        for index, header in enumerate(headers):
            # Wide enough for the header itself (a CJK character takes two widths): printed or on screen,
            # no header is cut.
            wanted = max(widths[index] if index < len(widths) else 0, display_width(str(header)) + 2)
            self._sheet.set_column(index, index, wanted)
        self._row = 0
        self.rows = 0
        self._write_row([title], "title")
        for note in notes:
            self._write_row([note], "note")
        self._header_row = self._row
        self._write_row(headers, "header")
        self._sheet.freeze_panes(self._row, 0)
        self._page_setup()
        if not self._own:
            workbook._sheets.append(self)

    def _page_setup(self) -> None:
        """Printed from a spreadsheet program: A4 landscape, every column on the page's width (as many
        pages down as the rows need), the header row on every page, page numbers in the footer."""
        sheet = self._sheet
        sheet.set_paper(9)  # A4
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(self._header_row)
        sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        sheet.set_footer("&C&P / &N")

    def _finish(self) -> None:
        """The header row's autofilter over every data row (known only once the last row is written)."""
        if self._columns:
            self._sheet.autofilter(self._header_row, 0, max(self._header_row, self._row - 1), self._columns - 1)

    def append(self, values) -> None:
        self._write_row(values, "text")
        self.rows += 1

    def _write_row(self, values, text_style: str) -> None:
        sheet, fmt, row = self._sheet, self._fmt, self._row
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_boolean(row, col, value)
            elif isinstance(value, (int, float, decimal.Decimal)):
                if math.isfinite(value):
                    sheet.write_number(row, col, value)
                else:
                    self._write_text(row, col, str(value), text_style)
            elif isinstance(value, datetime.datetime):
                if timezone.is_aware(value):
                    value = timezone.localtime(value).replace(tzinfo=None)
                if value.date() < _EXCEL_FIRST_DATE:
                    self._write_text(row, col, value.strftime("%Y-%m-%d %H:%M"), text_style)
                else:
                    sheet.write_datetime(row, col, value, fmt["datetime"])
            elif isinstance(value, datetime.date):
                if value < _EXCEL_FIRST_DATE:
                    self._write_text(row, col, value.isoformat(), text_style)
                else:
                    sheet.write_datetime(row, col, datetime.datetime(value.year, value.month, value.day), fmt["date"])
            else:
                self._write_text(row, col, value if isinstance(value, str) else str(value), text_style)
        self._row += 1

    def _write_text(self, row: int, col: int, value: str, style: str) -> None:
        text = clean_text(value)
        if not text:
            return
        # write_string: a string cell whatever it looks like (never write(), which guesses).
        self._sheet.write_string(row, col, text, self._fmt[f"{style}_quoted" if needs_quote_prefix(text) else style])

    def close(self) -> None:
        if self._own:
            self._finish()
            self._book.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def build_workbook(*, title: str, notes: list[str], headers: list[str], rows, widths: list[int] | None = None,
                   sheet_title: str = "Sheet1") -> bytes:
    """One sheet: a title row, note rows, the header row, then ``rows`` (an iterable of lists).

    Returns the .xlsx file's bytes (for small sheets: templates, short lists). Large exports
    stream into a file with ``SheetWriter`` (see core/exports).
    """
    buffer = io.BytesIO()
    with SheetWriter(buffer, title=title, notes=notes, headers=headers, widths=widths,
                     sheet_title=sheet_title) as writer:
        for row in rows:
            writer.append(row)
    return buffer.getvalue()


@dataclasses.dataclass
class Sheet:
    """One worksheet of ``build_workbook_sheets``: the same parts as ``build_workbook``'s."""

    title: str
    notes: list[str]
    headers: list[str]
    rows: Iterable
    widths: list[int] | None = None
    sheet_title: str = "Sheet1"


def build_workbook_sheets(sheets: list[Sheet]) -> bytes:
    """Several sheets in one .xlsx, in memory (a report of a few hundred rows)."""
    buffer = io.BytesIO()
    with WorkbookWriter(buffer) as book:
        for spec in sheets:
            writer = book.add_sheet(title=spec.title, notes=spec.notes, headers=spec.headers, widths=spec.widths,
                                    sheet_title=spec.sheet_title)
            for row in spec.rows:
                writer.append(row)
    return buffer.getvalue()
