"""Reading an uploaded register sheet and mapping its columns (the step before checking rows).

The file goes through core.excel's bounded reader (size, entries, rows, columns, characters and
time bounded before and while reading); then the header row is found, each header column is
mapped to a field — the township's remembered choices first, then the built-in names — and the
rows under the header are split into candidate couples and layout rows (合计/小计 totals, notes
under the table), which are skipped and shown, not counted as errors.
"""
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Township, User
from core.excel import ReadLimits, WorkbookRefused, read_rows

from .. import sheets
from ..models import ImportMapping

IMPORT_MAX_BYTES = getattr(settings, "HOUSEHOLDS_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# Confirm writes every row through the register's services (≈ 30 ms a row) inside one request and
# one transaction, so the data-row cap bounds how long that request runs: 1,000 rows ≈ 30 s.
IMPORT_MAX_ROWS = getattr(settings, "HOUSEHOLDS_IMPORT_MAX_ROWS", 1000)
# What one upload may cost the server (core.excel.ReadLimits): a real township sheet is < 1 MB of
# XML; rows here count every row with content (titles, 序号 numbered past the data, totals).
IMPORT_LIMITS = ReadLimits(
    max_uncompressed_bytes=getattr(settings, "HOUSEHOLDS_IMPORT_MAX_UNCOMPRESSED_BYTES", 30 * 1024 * 1024),
    max_rows=IMPORT_MAX_ROWS * 5, max_columns=sheets.MAX_COLUMNS, max_cell_chars=2000,
    max_total_chars=2_000_000, time_budget_s=getattr(settings, "HOUSEHOLDS_IMPORT_READ_SECONDS", 15.0),
)


def _file_error(message) -> ValidationError:
    return ValidationError({"file": message})


def _json_cell(value):
    """A cell as JSON can keep it until the clerk confirms: dates as the text the readers accept."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@dataclass
class ParsedSheet:
    header_row: int  # Excel row number of the header
    headers: list  # header cell of each column (None for a blank one)
    rows: list[tuple[int, list]]  # (Excel row number, cells) under the header, JSON-safe
    mapping: dict[int, str] = field(default_factory=dict)  # column index → field

    def unmapped_columns(self) -> list[dict]:
        """Every column with a header or a value that will not be imported (nothing is dropped
        silently): ``{"col", "letter", "label"}``."""
        width = max([len(self.headers), *(len(cells) for _number, cells in self.rows)], default=0)
        used = [False] * width
        for _number, cells in self.rows:
            for col, value in enumerate(cells):
                if value not in (None, ""):
                    used[col] = True
        return [
            {"col": col, "letter": sheets.column_letter(col),
             "label": str(self.headers[col])[:100] if col < len(self.headers) and self.headers[col] is not None else ""}
            for col in range(width)
            if col not in self.mapping and (used[col] or (col < len(self.headers) and self.headers[col] is not None))
        ]


def remembered_mapping(township: Township) -> dict[str, str]:
    """header key → field ("" = not imported) as this township's clerks last chose."""
    return dict(ImportMapping.objects.filter(township=township).values_list("header", "field"))


@transaction.atomic
def remember_mapping(*, township: Township, by: User, headers: list, mapping: dict[int, str]) -> None:
    """Keep the clerk's choice for every header of the sheet, for the next import."""
    for col, label in enumerate(headers):
        if label is None or not sheets.header_key(label):
            continue
        ImportMapping.objects.update_or_create(
            township=township, header=sheets.header_key(label)[:100],
            defaults={"field": mapping.get(col, ""), "updated_by": by})


def parse_upload(upload, *, township: Township | None = None) -> ParsedSheet:
    """Read the upload within IMPORT_LIMITS, find the header and map its columns automatically.

    Raises ValidationError (keyed ``file``, Chinese) for a file that cannot be read, has no
    header, no data rows or more data rows than IMPORT_MAX_ROWS. Stores nothing.
    """
    try:
        content = read_rows(upload, limits=IMPORT_LIMITS)
    except WorkbookRefused as refused:
        raise _file_error(str(refused)) from None
    remembered = remembered_mapping(township) if township is not None else {}
    head = [cells for _number, cells in content[: sheets.HEADER_SCAN_ROWS]]
    index = sheets.find_header(head, remembered)
    if index is None:
        raise _file_error(_("前 10 行中没有找到表头。表头行应写明各列的名称，例如“村/社区”“妻子姓名”“妻子身份证号”。"))
    header_row, headers = content[index]
    headers = [sheets.text(h) or None for h in headers]
    rows = [(number, [_json_cell(v) for v in cells]) for number, cells in content[index + 1:]]
    parsed = ParsedSheet(header_row=header_row, headers=headers, rows=rows,
                         mapping=sheets.auto_mapping(headers, remembered))
    if not rows:
        raise _file_error(_("文件中没有数据行（表头下方为空）。"))
    return parsed


def split_rows(rows: list[tuple[int, list]], mapping: dict[int, str]) -> tuple[list[tuple[int, dict]], list[dict]]:
    """(candidate rows as (Excel row number, field → raw cell), layout rows skipped).

    A row counts only if one of the *mapped* columns has a value: a 序号 column numbered down past
    the data is not a row. Raises ValidationError when the candidates exceed IMPORT_MAX_ROWS.
    """
    data, layout = [], []
    for number, cells in rows:
        kind = sheets.layout_row(cells)
        if kind:
            layout.append({"row": number, "status": kind, "errors": [], "warnings": [], "data": {},
                           "text": next(str(v) for v in cells if v not in (None, ""))[:100]})
            continue
        raw = {name: (cells[col] if col < len(cells) else None) for col, name in mapping.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw.values()):
            continue
        if len(data) >= IMPORT_MAX_ROWS:
            raise _file_error(_("文件行数超过上限：每次最多导入 %(n)d 行，请拆分为多个文件分批导入。") % {"n": IMPORT_MAX_ROWS})
        data.append((number, raw))
    return data, layout


def read_sheet(upload, *, township: Township | None = None) -> list[tuple[int, dict]]:
    """The candidate rows of ``upload`` under the automatic mapping (for scripts and tests).
    Raises ValidationError if the mapping lacks a required column."""
    parsed = parse_upload(upload, township=township)
    problems = sheets.mapping_problems(parsed.mapping)
    if problems:
        raise _file_error(" ".join(problems))
    data, _layout = split_rows(parsed.rows, parsed.mapping)
    if not data:
        raise _file_error(_("文件中没有数据行（表头下方为空）。"))
    return data
