"""The Excel sheet townships keep today (one row per couple): columns, cell readers, workbooks.

Reading is tolerant of what real sheets contain: the header row may sit anywhere in the first
five rows and the columns in any order; cells carry blanks and full-width spaces; dates arrive as
Excel dates or as text in several spellings; ID numbers as numbers or text, with a lower-case x,
or in the old 15-digit form. Each reader returns a normalised value or raises ``CellError`` with
a Chinese message; the import service (services/exchange.py) collects them per row.

Writing (the downloadable template, exports and the sample sheet generator) uses openpyxl's
write-only mode: rows are streamed into the zip, so memory stays flat for large exports.
"""
import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.validators import build_id_number, check_char
from core.excel import build_workbook

from .models import HukouType, PlannedTiming


class CellError(ValueError):
    """A cell that cannot be read; ``str(error)`` is the Chinese message for the row."""


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the header written in the template and the docs
    aliases: tuple[str, ...] = ()
    required: bool = False
    max_length: int | None = None


# The order of the template; a sheet may order its columns freely.
COLUMNS: list[Column] = [
    Column("village", "村/社区", ("村", "社区", "村居", "村(社区)", "村/居", "所在村", "村社区"), True, 50),
    # Optional: the village is enough to start; a household without an address shows as 待补全.
    Column("address", "家庭地址", ("地址", "住址", "家庭住址", "现住址", "详细地址", "门牌号"), False, 200),
    Column("head_name", "户主姓名", ("户主",), True, 30),
    Column("phone", "联系电话", ("电话", "手机", "手机号", "手机号码", "联系方式"), False, 20),
    Column("hukou_type", "户口类型", ("户口性质", "户籍类型", "户口"), False),
    Column("wife_name", "妻子姓名", ("女方姓名", "妻子"), True, 30),
    Column("wife_id", "妻子身份证号", ("妻子身份证号码", "女方身份证号", "女方身份证号码", "妻子公民身份号码"), True),
    Column("husband_name", "丈夫姓名", ("男方姓名", "丈夫"), True, 30),
    Column("husband_id", "丈夫身份证号", ("丈夫身份证号码", "男方身份证号", "男方身份证号码", "丈夫公民身份号码"), True),
    Column("marriage_date", "结婚日期", ("结婚时间", "初婚日期", "婚姻登记日期")),
    Column("boys", "现有男孩数", ("男孩数", "现有男孩", "现有子女(男)", "男孩")),
    Column("girls", "现有女孩数", ("女孩数", "现有女孩", "现有子女(女)", "女孩")),
    # Boys and girls in one cell (1/0, 1男1女, 一男一女): an alternative to the two columns above.
    Column("children", "现有子女", ("子女", "子女数", "现有子女数", "子女情况", "现有子女情况", "子女(男/女)",
                                   "现有子女(男/女)", "男/女", "子女数(男/女)", "已有子女")),
    Column("planned_timing", "计划生育时间", ("计划生育时间(代码)", "再生育计划", "生育计划", "计划怀孕时间", "再生育时间"), True),
    Column("surveyed_on", "摸底日期", ("摸底时间", "调查日期", "登记日期")),
    Column("notes", "备注", ("说明",), False, 300),
]
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
# The template has the two separate children columns; the combined one is for the townships' own sheets.
TEMPLATE_COLUMNS = [c for c in COLUMNS if c.field != "children"]
HEADER_SCAN_ROWS = 10  # the header row is looked for in the first ten rows with content
MAX_COLUMNS = 60  # a value beyond this column is refused by the reader (core.excel.ReadLimits)


def _fold(value) -> str:
    """Full-width → half-width (NFKC), every kind of blank removed."""
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def header_key(value) -> str:
    """How a header cell is compared: folded (（）→ ()), required-markers and colons dropped."""
    return _fold(value).replace("*", "").replace(":", "").lower()


HEADER_LOOKUP = {header_key(alias): c.field for c in COLUMNS for alias in (c.label, *c.aliases)}


def find_header(rows: list[list], remembered: dict[str, str] | None = None) -> int | None:
    """Index (into ``rows``, the first rows with content) of the header row: the row naming the
    most known columns (built-in names or the township's remembered ones), at least two; failing
    that, the first row with three or more text cells (the clerk maps its columns by hand).
    Title rows above it ("XX镇育龄夫妇摸底登记表", one cell) are skipped. ``None`` if neither."""
    lookup = {**HEADER_LOOKUP, **(remembered or {})}
    best, best_count = None, 1
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        count = len({lookup[k] for k in (header_key(v) for v in row if v is not None) if lookup.get(k)})
        if count > best_count:
            best, best_count = index, count
    if best is not None:
        return best
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if sum(isinstance(v, str) and bool(v.strip()) for v in row) >= 3:
            return index
    return None


def auto_mapping(headers: list, remembered: dict[str, str] | None = None) -> dict[int, str]:
    """Column index → field for the header cells: the township's remembered choice for a header
    first (``""`` there means "not imported"), then the built-in names. A field claimed by an
    earlier column is not given to a later one (that column is listed as not imported)."""
    remembered = remembered or {}
    mapping, taken = {}, set()
    for col, label in enumerate(headers):
        if label is None:
            continue
        key = header_key(label)
        field = remembered[key] if key in remembered else HEADER_LOOKUP.get(key, "")
        if field and field in COLUMN_BY_FIELD and field not in taken:
            mapping[col] = field
            taken.add(field)
    return mapping


def mapping_problems(mapping: dict[int, str]) -> list[str]:
    """What keeps a mapping from being used: a required field without a column, a field given to
    two columns, the combined children column together with the separate ones."""
    problems = []
    fields = list(mapping.values())
    twice = sorted({f for f in fields if f and fields.count(f) > 1}, key=list(COLUMN_BY_FIELD).index)
    if twice:
        problems.append(_("同一项只能对应一列：%(cols)s。") % {"cols": "、".join(COLUMN_BY_FIELD[f].label for f in twice)})
    missing = [c.label for c in COLUMNS if c.required and c.field not in fields]
    if missing:
        problems.append(_("请为必填项选择对应的列：%(cols)s。") % {"cols": "、".join(missing)})
    if "children" in fields and ({"boys", "girls"} & set(fields)):
        problems.append(_("“现有子女”（男女合并一列）与“现有男孩数/现有女孩数”只能选一种。"))
    return problems


def column_letter(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters, n = "", col + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# Rows that are part of the sheet's layout, not couples: totals and notes under the table.
_TOTAL_ROW = re.compile(r"^(合计|总计|小计|共计|累计)")
_NOTE_ROW = re.compile(r"^(注|说明|备注|填表|制表|审核|负责人|单位|日期|联系人|签字|盖章|附)")


def layout_row(values: list) -> str:
    """``"total"`` for a 合计/总计/小计 row, ``"note"`` for a note under the table (a single cell
    starting with 注/说明/填表人…), ``""`` for a row that may hold a couple."""
    cells = [v for v in values if v is not None and _fold(v)]
    texts = [_fold(v) for v in cells]
    if any(_TOTAL_ROW.match(t) for t in texts):
        return "total"
    # 注：… in one cell, or 填表人：张三 审核人：李四 spread over a few cells.
    if texts and isinstance(cells[0], str) and _NOTE_ROW.match(texts[0]) and (
            len(texts) == 1 or (len(texts) <= 4 and re.search(r"[:：]", texts[0]))):
        return "note"
    return ""


# --- Cell readers ---------------------------------------------------------------------------
def text(value) -> str:
    """A text cell: surrounding blanks (ASCII, full-width U+3000, non-breaking) removed; a
    number typed into a text column (a phone, say) without its ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.strftime("%Y-%m-%d")
    return str(value).strip()


def id_number(value) -> tuple[str, str]:
    """(18-character number as far as it can be read, warning). Old 15-digit numbers are
    converted (``19`` inserted before the two-digit year, check character computed) with a
    warning; everything else is left for ``parse_id_number`` to judge."""
    if value is None:
        return "", ""
    if isinstance(value, float):
        if value.is_integer():
            value = int(value)
        digits = str(value)
        if len(digits) >= 16:
            # Excel keeps 15 significant digits: an 18-digit number typed into a number cell
            # has already lost its last digits, and no check character can be trusted.
            raise CellError(_("单元格为数字格式，Excel 只保留 15 位有效数字，末几位已丢失；请将该列设为“文本”后重新录入。"))
    number = _fold(value).upper()
    if len(number) == 15 and number.isdigit():
        first17 = f"{number[:6]}19{number[6:15]}"
        converted = first17 + check_char(first17)
        return converted, _("15 位旧身份证号已转换为 18 位。")
    return number, ""


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def date(value) -> datetime.date | None:
    """An Excel date, or text as 2019-05-01, 2019/5/1, 2019.5.1, 2019年5月1日 or 20190501.
    A bare number between 1955 and 2100 in Excel's day count (a date cell formatted as a
    number) is read as such."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 20000 <= value <= 73000:
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        value = str(int(value)) if float(value).is_integer() else str(value)
    folded = _fold(value)
    if not folded:
        return None
    match = _DATE_TEXT.match(folded) or _DATE_DIGITS.match(folded)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CellError(_("“%(value)s”不是有效日期（可写作 2019-05-01、2019/5/1、2019.5.1 或 20190501）。") % {"value": text(value)})


def count(value) -> int:
    """Number of children: blank → 0, a whole number 0–20."""
    if value is None or (isinstance(value, str) and not _fold(value)):
        return 0
    try:
        number = float(_fold(value))
    except ValueError:
        raise CellError(_("“%(value)s”不是整数。") % {"value": text(value)}) from None
    if not number.is_integer() or not 0 <= number <= 20:
        raise CellError(_("应为 0–20 的整数（当前为 %(value)s）。") % {"value": text(value)})
    return int(number)


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9, "十": 10}
_NUM = r"(\d{1,2}|[零〇一二两俩三四五六七八九十])"
_CHILD_WORDS = (("男孩", "男"), ("女孩", "女"), ("儿子", "男"), ("女儿", "女"), ("个", ""), ("名", ""), ("子", "男"),
                ("儿", "男"))
_PAIR = re.compile(rf"^{_NUM}[/／\\\-—,，、:：;；|]{_NUM}$")
_NUMBER_FIRST = re.compile(rf"^(?:{_NUM}(男|女))+$")
_SEX_FIRST = re.compile(rf"^(?:(男|女){_NUM})+$")
_NONE = {"无", "没有", "未生育", "暂无", "0", "00", "0/0", "零"}


def _child_number(token: str) -> int:
    return int(token) if token.isdigit() else _CN_DIGITS[token]


def children(value) -> tuple[int, int]:
    """Boys and girls from one cell: ``1/0`` (男/女), ``1男1女``, ``男1女1``, ``一男一女``, ``1子1女``,
    ``两女``, ``无``; blank → (0, 0). A bare number other than 0 cannot say who is a boy: refused."""
    if value is None:
        return 0, 0
    folded = _fold(text(value))
    if not folded or folded in _NONE:
        return 0, 0
    for word, short in _CHILD_WORDS:
        folded = folded.replace(word, short)
    boys = girls = None
    if match := _PAIR.match(folded):
        boys, girls = _child_number(match.group(1)), _child_number(match.group(2))
    elif _NUMBER_FIRST.match(folded) or _SEX_FIRST.match(folded):
        boys = girls = 0
        pattern = rf"{_NUM}(男|女)" if _NUMBER_FIRST.match(folded) else rf"(男|女){_NUM}"
        for a, b in re.findall(pattern, folded):
            number, sex = (a, b) if _is_count(a) else (b, a)
            if sex == "男":
                boys += _child_number(number)
            else:
                girls += _child_number(number)
    if boys is None:
        raise CellError(_("“%(value)s”无法识别：请写作 1/0（男/女）、1男1女 或 一男一女；只写总数无法区分男孩和女孩。")
                        % {"value": text(value)})
    if boys > 20 or girls > 20:
        raise CellError(_("子女数应为 0–20（当前为 %(value)s）。") % {"value": text(value)})
    return boys, girls


def _is_count(token: str) -> bool:
    return token not in ("男", "女")


def _code(value) -> str:
    folded = _fold(text(value))
    return folded[:-2] if folded.endswith(".0") else folded


HUKOU_CODES = {
    "非农业": HukouType.NON_AGRICULTURAL, "城镇": HukouType.NON_AGRICULTURAL, "农业": HukouType.AGRICULTURAL,
    "其他": HukouType.OTHER, "1": HukouType.NON_AGRICULTURAL, "2": HukouType.AGRICULTURAL, "9": HukouType.OTHER,
    "非农业户口": HukouType.NON_AGRICULTURAL, "农业户口": HukouType.AGRICULTURAL, "居民": HukouType.OTHER,
}


def hukou_type(value) -> str:
    """农业/非农业/其他 or the code 1/2/9; blank → ``""`` (the caller applies the default)."""
    code = _code(value)
    if not code:
        return ""
    try:
        return str(HUKOU_CODES[code])
    except KeyError:
        raise CellError(_("户口类型“%(value)s”无法识别（应为 非农业/农业/其他 或代码 1/2/9）。") % {"value": text(value)}) from None


TIMING_CODES = {
    "一年内": PlannedTiming.WITHIN_1Y, "1年内": PlannedTiming.WITHIN_1Y, "一年以内": PlannedTiming.WITHIN_1Y,
    "两年内": PlannedTiming.WITHIN_2Y, "二年内": PlannedTiming.WITHIN_2Y, "2年内": PlannedTiming.WITHIN_2Y,
    "两年以内": PlannedTiming.WITHIN_2Y,
    "三年内": PlannedTiming.WITHIN_3Y, "3年内": PlannedTiming.WITHIN_3Y, "三年以内": PlannedTiming.WITHIN_3Y,
    "更晚": PlannedTiming.LATER, "三年以后": PlannedTiming.LATER, "3年以后": PlannedTiming.LATER,
    "三年以上": PlannedTiming.LATER,
    "未计划": PlannedTiming.NOT_PLANNED, "无计划": PlannedTiming.NOT_PLANNED, "暂无计划": PlannedTiming.NOT_PLANNED,
    "不打算": PlannedTiming.NOT_PLANNED,
    **{str(code): PlannedTiming(str(code)) for code in range(1, 6)},
}


def planned_timing(value) -> str:
    """一年内/两年内/三年内/更晚/未计划 or the code 1–5."""
    code = _code(value)
    try:
        return str(TIMING_CODES[code])
    except KeyError:
        raise CellError(
            _("计划生育时间“%(value)s”无法识别（应为 一年内/两年内/三年内/更晚/未计划 或 1–5）。") % {"value": text(value)}
        ) from None


# --- Writing (core.excel: the safe writer every export uses) --------------------------------
TEMPLATE_EXAMPLE = {
    "village": "示例村", "address": "三组 12 号", "head_name": "李建军", "phone": "13800000000",
    "hukou_type": "农业", "wife_name": "王秀英", "wife_id": build_id_number("411099", datetime.date(1993, 3, 8), 2),
    "husband_name": "李建军", "husband_id": build_id_number("411099", datetime.date(1990, 7, 21), 1),
    "marriage_date": "2016-10-01",
    "boys": 1, "girls": 0, "planned_timing": "一年内", "surveyed_on": "2024-03-15", "notes": "示例行，导入前请删除",
}
TEMPLATE_NOTE = gettext_lazy(
    "说明：带 * 的列必填；“村/社区”须为本镇/街道的村/社区名称；户口类型填 非农业/农业/其他（或代码 1/2/9）；"
    "计划生育时间填 一年内/两年内/三年内/更晚/未计划（或 1–5）；日期可写 2019-05-01、2019/5/1、2019.5.1、20190501；"
    "身份证号请设为文本格式。表头下第一行为示例，导入前请删除。"
)


def template_workbook(*, rows: list[dict] | None = None, title: str = "") -> bytes:
    """The import template: a title, the note, the header row (required columns marked *) and
    one example row — or, for the sample sheet generator, ``rows`` of field → value."""
    return build_workbook(
        title=title or _("育龄夫妇再生育意愿摸底登记表"), notes=[str(TEMPLATE_NOTE)],
        headers=[f"{c.label}*" if c.required else c.label for c in TEMPLATE_COLUMNS],
        rows=([r.get(c.field, "") for c in TEMPLATE_COLUMNS] for r in (rows if rows is not None else [TEMPLATE_EXAMPLE])),
        widths=[12, 18, 10, 14, 9, 10, 21, 10, 21, 12, 8, 8, 12, 12, 24], sheet_title=_("摸底登记"),
    )
