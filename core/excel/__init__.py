"""Excel in and out for every app: the bounded reader for uploads (``reader``) and the safe,
streaming writer for exports (``writer``). See docs/excel.md."""
from .reader import ReadLimits, WorkbookRefused, read_rows
from .writer import (
    FORMULA_TRIGGERS, Sheet, SheetWriter, WorkbookWriter, build_workbook, build_workbook_sheets, clean_text,
    needs_quote_prefix, safe_cell_value, safe_sheet_title,
)

__all__ = [
    "FORMULA_TRIGGERS", "ReadLimits", "Sheet", "SheetWriter", "WorkbookRefused", "WorkbookWriter", "build_workbook",
    "build_workbook_sheets", "clean_text", "needs_quote_prefix", "read_rows", "safe_cell_value", "safe_sheet_title",
]
