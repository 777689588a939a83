"""A bounded .xlsx reader for untrusted uploads: the work is bounded *before* anything is read.

A 100 KB .xlsx can hold hundreds of megabytes of XML (the zip compresses repeated text ~1000×),
ten million tiny shared strings, or a single 200 MB cell. ``read_rows`` therefore:

1. checks the zip's central directory first: the number of entries, the total *uncompressed*
   size and encryption. (Python's zipfile never yields more than an entry's declared size and
   fails the CRC otherwise, so a lying directory cannot smuggle more bytes past the check.)
2. streams each part it needs (workbook, relationships, styles, shared strings, the one sheet)
   through expat in 64 KB chunks — never a DOM, never openpyxl's full shared-strings table —
   refusing any DTD (no entity expansion), with limits on rows, columns, characters per cell,
   characters in total and the number of shared strings, and a wall-clock time budget checked
   while parsing.
3. refuses with ``WorkbookRefused`` — a ``ValueError`` whose ``str()`` is a Chinese message for
   the user — as soon as any limit is crossed. The caller stores nothing.

Values come back as openpyxl's ``data_only`` read gives them: str, int, float, bool,
``datetime.datetime`` for cells with a date format (Chinese built-in formats 27–36 and 50–58
included), the cached result for formulas, ``None`` for blanks. A cell merged down over several
rows (a village written once for its households) gives its value to each of those rows.
"""
import datetime
import posixpath
import re
import time
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import from_excel

CHUNK = 64 * 1024
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
# Built-in number formats that are dates: the international ones and the East Asian ones
# (27–36, 50–58: "yyyy年m月d日" and friends, what Chinese Excel and WPS write for a date cell).
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)])
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
# Excel writes characters XML cannot hold as _xHHHH_ (and a literal "_x" as _x005F_x): decode.
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


@dataclass(frozen=True)
class ReadLimits:
    """What one upload may make the server do. The defaults fit a township's sheet many times over
    (1,000 couples × 20 columns ≈ 1 MB of XML)."""

    max_entries: int = 300  # files in the zip
    max_uncompressed_bytes: int = 30 * 1024 * 1024  # sum over the zip directory
    max_rows: int = 5000  # rows that hold at least one value
    max_columns: int = 60  # a value beyond this column is refused, not silently dropped
    max_cell_chars: int = 2000
    max_total_chars: int = 3_000_000  # every cell's text kept, in characters
    max_shared_strings: int = 200_000
    time_budget_s: float = 15.0


class WorkbookRefused(ValueError):
    """The file is not read: ``str(error)`` is the Chinese message for the user."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


class _Budget:
    def __init__(self, limits: ReadLimits):
        self.limits = limits
        self.deadline = time.monotonic() + limits.time_budget_s
        self.chars = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise WorkbookRefused(
                _("文件内容过多，在 %(s)d 秒内未能读完，已停止读取。请删除多余的工作表、行和列后另存为 .xlsx 再上传。")
                % {"s": self.limits.time_budget_s}, code="time_budget")

    def add_chars(self, n: int) -> None:
        self.chars += n
        if self.chars > self.limits.max_total_chars:
            raise WorkbookRefused(
                _("文件中的文字总量超过上限（%(n)s 万字），请删除多余的内容或拆分为多个文件。")
                % {"n": self.limits.max_total_chars // 10000}, code="total_chars")


def _damaged() -> WorkbookRefused:
    return WorkbookRefused(_("无法读取该文件：工作表内容已损坏，请用 Excel 打开后另存为 .xlsx 再上传。"), code="damaged")


def _parse(archive: zipfile.ZipFile, name: str, budget: _Budget, *, start=None, end=None, chars=None) -> None:
    """Stream one part of the package through expat (namespaces resolved to ``uri local``)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True

    def refuse_dtd(*args):  # no DOCTYPE, hence no entity expansion ("billion laughs")
        raise _damaged()

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if chars:
        parser.CharacterDataHandler = chars
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
                budget.tick()
            parser.Parse(b"", True)
    except WorkbookRefused:
        raise
    except (expat.ExpatError, zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError,
            NotImplementedError, RuntimeError):
        # Damaged XML, a CRC mismatch (an entry longer than the directory said), a compression
        # method zipfile does not know, an encrypted member.
        raise _damaged() from None


def _relationships(archive, path: str, budget) -> dict[str, tuple[str, str]]:
    """rId → (type, absolute part name) for the .rels file of ``path``."""
    folder, base = posixpath.split(path)
    rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
    found = {}

    def start(tag, attrs):
        if tag == f"{_PKG_REL} Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            absolute = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), absolute)

    if rels_name in archive.NameToInfo:
        _parse(archive, rels_name, budget, start=start)
    return found


def _check_directory(archive: zipfile.ZipFile, limits: ReadLimits) -> None:
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise WorkbookRefused(_("文件结构异常（包含 %(n)d 个部件），不像是普通的 Excel 表格，已拒绝读取。") % {"n": len(infos)},
                              code="entries")
    if any(info.flag_bits & 0x1 for info in infos):
        raise WorkbookRefused(_("文件设有密码或已加密，无法读取；请先取消密码再上传。"), code="encrypted")
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise WorkbookRefused(
            _("文件解压后过大（%(size)d MB，上限 %(max)d MB），已拒绝读取。请删除多余的工作表、图片、行和列，或拆分为多个文件。")
            % {"size": total // (1024 * 1024), "max": limits.max_uncompressed_bytes // (1024 * 1024)},
            code="uncompressed_size")


def _locate_parts(archive, budget) -> tuple[str, bool, str | None, str | None]:
    """(sheet part, date1904, shared strings part, styles part) of the active worksheet."""
    package = _relationships(archive, "", budget)
    workbook = next((p for t, p in package.values() if t.endswith("/officeDocument")), "xl/workbook.xml")
    if workbook not in archive.NameToInfo:
        raise _damaged()
    rels = _relationships(archive, workbook, budget)
    sheets, state = [], {"date1904": False, "active": 0}

    def start(tag, attrs):
        if tag == f"{_MAIN} sheet":
            sheets.append(attrs.get(f"{_REL} id"))
        elif tag == f"{_MAIN} workbookPr":
            state["date1904"] = attrs.get("date1904") in ("1", "true")
        elif tag == f"{_MAIN} workbookView":
            try:
                state["active"] = int(attrs.get("activeTab", "0"))
            except ValueError:
                pass

    _parse(archive, workbook, budget, start=start)
    worksheets = [rels[r][1] for r in sheets if r in rels and rels[r][0].endswith("/worksheet")]
    active = rels.get(sheets[state["active"]]) if 0 <= state["active"] < len(sheets) and sheets else None
    sheet = active[1] if active and active[0].endswith("/worksheet") else (worksheets[0] if worksheets else None)
    if sheet is None or sheet not in archive.NameToInfo:
        raise WorkbookRefused(_("文件中没有可读取的工作表。"), code="no_sheet")
    shared = next((p for t, p in rels.values() if t.endswith("/sharedStrings")), None)
    styles = next((p for t, p in rels.values() if t.endswith("/styles")), None)
    return sheet, state["date1904"], shared if shared in archive.NameToInfo else None, \
        styles if styles in archive.NameToInfo else None


def _date_styles(archive, name: str | None, budget) -> set[int]:
    """Indexes into cellXfs whose number format is a date."""
    if name is None:
        return set()
    custom, xfs, where = {}, [], {"in_xfs": False}

    def start(tag, attrs):
        if tag == f"{_MAIN} numFmt":
            try:
                custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
            except ValueError:
                pass
        elif tag == f"{_MAIN} cellXfs":
            where["in_xfs"] = True
        elif tag == f"{_MAIN} xf" and where["in_xfs"]:
            if len(xfs) > 65536:
                raise _damaged()
            try:
                xfs.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                xfs.append(0)

    def end(tag):
        if tag == f"{_MAIN} cellXfs":
            where["in_xfs"] = False

    _parse(archive, name, budget, start=start, end=end)

    def is_date(fmt_id):
        if fmt_id in custom:
            return is_date_format(custom[fmt_id])
        return fmt_id in _DATE_FORMAT_IDS or is_date_format(BUILTIN_FORMATS.get(fmt_id))

    return {index for index, fmt_id in enumerate(xfs) if is_date(fmt_id)}


def _too_long(limits) -> WorkbookRefused:
    return WorkbookRefused(_("单元格内容过长（超过 %(n)d 个字），请删除后再上传。") % {"n": limits.max_cell_chars},
                           code="cell_chars")


def _shared_strings(archive, name: str | None, budget) -> list[str | None]:
    """The shared strings; one longer than a cell may be is kept as ``None`` (refused if used)."""
    if name is None:
        return []
    limits, strings = budget.limits, []
    state = {"depth_rph": 0, "collect": False, "parts": [], "size": 0}

    def start(tag, attrs):
        if tag == f"{_MAIN} si":
            state["parts"], state["size"] = [], 0
        elif tag == f"{_MAIN} rPh":  # phonetic guide text is not part of the value
            state["depth_rph"] += 1
        elif tag == f"{_MAIN} t" and not state["depth_rph"]:
            state["collect"] = True

    def end(tag):
        if tag == f"{_MAIN} si":
            if len(strings) >= limits.max_shared_strings:
                raise WorkbookRefused(_("文件中的不同文字条目过多（超过 %(n)d 条），请拆分为多个文件。")
                                      % {"n": limits.max_shared_strings}, code="shared_strings")
            if state["size"] > limits.max_cell_chars:
                strings.append(None)
            else:
                text = _unescape("".join(state["parts"]))
                budget.add_chars(len(text))
                strings.append(text)
        elif tag == f"{_MAIN} rPh":
            state["depth_rph"] -= 1
        elif tag == f"{_MAIN} t":
            state["collect"] = False

    def chars(data):
        if state["collect"]:
            state["size"] += len(data)
            if state["size"] <= limits.max_cell_chars:
                state["parts"].append(data)

    _parse(archive, name, budget, start=start, end=end, chars=chars)
    return strings


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index


def _number(text: str):
    text = text.strip()
    if not text:
        return None
    if "." in text or "E" in text or "e" in text or text.lower() in ("nan", "inf", "-inf"):
        value = float(text)
        return value
    return int(text)


class _SheetReader:
    """expat handlers for one worksheet's ``sheetData``."""

    def __init__(self, *, strings, date_styles, date1904, budget):
        self.strings, self.date_styles, self.budget = strings, date_styles, budget
        self.epoch = datetime.datetime(1904, 1, 1) if date1904 else None
        self.limits = budget.limits
        self.rows: list[tuple[int, list]] = []
        self.row_number = 0
        self.values: dict[int, object] = {}
        self.col = 0
        self.cell = None  # (type, style) of the open <c>
        self.collect = False
        self.parts: list[str] = []
        self.size = 0
        self.in_inline = False
        self.rph = 0
        self.merged: list[tuple[int, int, int]] = []  # (column, first row, last row) merged down

    def start(self, tag, attrs):
        if tag == f"{_MAIN} row":
            self.values = {}
            self.col = 0
            number = attrs.get("r")
            self.row_number = int(number) if number and number.isdigit() else self.row_number + 1
        elif tag == f"{_MAIN} c":
            ref = attrs.get("r")
            match = _CELL_REF.match(ref) if ref else None
            self.col = _column_index(match.group(1)) if match else self.col + 1
            style = attrs.get("s")
            self.cell = (attrs.get("t", "n"), int(style) if style and style.isdigit() else 0)
            self.parts, self.size = [], 0
        elif tag == f"{_MAIN} v" and self.cell is not None:
            self.collect = True
        elif tag == f"{_MAIN} is":
            self.in_inline = True
        elif tag == f"{_MAIN} rPh":
            self.rph += 1
        elif tag == f"{_MAIN} t" and self.in_inline and not self.rph:
            self.collect = True
        elif tag == f"{_MAIN} mergeCell":
            self._merge(attrs.get("ref", ""))

    def chars(self, data):
        if self.collect:
            self.size += len(data)
            if self.size <= self.limits.max_cell_chars:
                self.parts.append(data)

    def end(self, tag):
        if tag in (f"{_MAIN} v", f"{_MAIN} t"):
            self.collect = False
        elif tag == f"{_MAIN} is":
            self.in_inline = False
        elif tag == f"{_MAIN} rPh":
            self.rph -= 1
        elif tag == f"{_MAIN} c" and self.cell is not None:
            self._end_cell()
        elif tag == f"{_MAIN} row":
            self._end_row()

    def _end_cell(self):
        kind, style = self.cell
        self.cell = None
        if self.size > self.limits.max_cell_chars:
            raise self._refuse_cell(_too_long(self.limits))
        if not self.parts:
            return
        raw = "".join(self.parts)
        value = self._value(kind, style, raw)
        if value is None or value == "":
            return
        if self.col > self.limits.max_columns:
            raise WorkbookRefused(
                _("第 %(row)d 行第 %(col)d 列有内容：表格最多读取 %(max)d 列，请删除多余的列后再上传。")
                % {"row": self.row_number, "col": self.col, "max": self.limits.max_columns}, code="columns")
        if isinstance(value, str):
            self.budget.add_chars(len(value))
        self.values[self.col] = value

    def _refuse_cell(self, error: WorkbookRefused) -> WorkbookRefused:
        return WorkbookRefused(_("第 %(row)d 行：%(message)s") % {"row": self.row_number, "message": error}, code=error.code)

    def _value(self, kind: str, style: int, raw: str):
        try:
            if kind == "s":
                index = int(raw)
                if not 0 <= index < len(self.strings):
                    raise _damaged()
                value = self.strings[index]
                if value is None:
                    raise self._refuse_cell(_too_long(self.limits))
                return value
            if kind in ("inlineStr", "str"):
                return _unescape(raw)
            if kind == "e":
                return raw
            if kind == "b":
                return raw.strip() in ("1", "true")
            if kind == "d":
                return datetime.datetime.fromisoformat(raw.strip())
            value = _number(raw)
            if value is not None and style in self.date_styles:
                try:
                    return from_excel(value, epoch=self.epoch) if self.epoch else from_excel(value)
                except (ValueError, OverflowError, TypeError):
                    return value
            return value
        except WorkbookRefused:
            raise
        except (ValueError, OverflowError):
            raise _damaged() from None

    def _merge(self, ref: str) -> None:
        """Keep a *vertical* merge (one column, several rows: a village written once for its
        households); a horizontal one is a title or a note spanning the table, left as is."""
        first, _sep, last = ref.partition(":")
        start, end = _CELL_REF.match(first), _CELL_REF.match(last)
        if not (start and end) or start.group(1) != end.group(1) or len(self.merged) >= 10_000:
            return
        top, bottom = int(start.group(2)), int(end.group(2))
        if bottom > top:
            self.merged.append((_column_index(start.group(1)), top, bottom))

    def fill_merged(self) -> None:
        """What Excel shows: a vertically merged cell's value in every row it spans (rows that hold
        a value of their own; the merged area adds no rows)."""
        if not self.merged:
            return
        by_number = {number: values for number, values in self.rows}
        for col, top, bottom in self.merged:
            values = by_number.get(top)
            value = values[col - 1] if values is not None and col <= len(values) else None
            if value is None:
                continue
            for number in range(top + 1, bottom + 1):
                row = by_number.get(number)
                if row is None:
                    continue
                row.extend([None] * (col - len(row)))
                if row[col - 1] is None:
                    row[col - 1] = value

    def _end_row(self):
        if not self.values:
            return
        if len(self.rows) >= self.limits.max_rows:
            raise WorkbookRefused(
                _("文件行数超过上限（最多 %(n)d 行有内容的行），请拆分为多个文件分批导入。") % {"n": self.limits.max_rows},
                code="rows")
        width = max(self.values)
        self.rows.append((self.row_number, [self.values.get(c) for c in range(1, width + 1)]))
        if len(self.rows) % 256 == 0:
            self.budget.tick()


def read_rows(upload, *, limits: ReadLimits | None = None) -> list[tuple[int, list]]:
    """(row number in Excel, cell values from column A) for every row of the active worksheet
    that holds a value, within ``limits``. Raises ``WorkbookRefused`` otherwise."""
    limits = limits or ReadLimits()
    budget = _Budget(limits)
    upload.seek(0)
    if upload.read(4) != b"PK\x03\x04":  # every .xlsx is a zip; an encrypted one is an OLE file
        raise WorkbookRefused(
            _("无法读取该文件：不是 Excel（.xlsx）文件或文件已损坏。如果文件设有打开密码，请先取消密码。"), code="not_xlsx")
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise WorkbookRefused(_("无法读取该文件：文件已损坏或不是 Excel（.xlsx）文件，请用 Excel 打开后另存为 .xlsx 再上传。"),
                              code="not_xlsx") from None
    with archive:
        _check_directory(archive, limits)
        sheet, date1904, shared, styles = _locate_parts(archive, budget)
        reader = _SheetReader(strings=_shared_strings(archive, shared, budget),
                              date_styles=_date_styles(archive, styles, budget), date1904=date1904, budget=budget)
        _parse(archive, sheet, budget, start=reader.start, end=reader.end, chars=reader.chars)
    reader.fill_merged()
    return reader.rows
