"""Paging for list pages: keyset pages, a capped total, and the links to carry the filters across.

``paginate(request, queryset)`` returns a ``ListPage``. When the queryset is ordered by fields that
end with its primary key (every list here: ``order_by("village__code", "address", "id")``), pages
are *keyset* pages: the link to the next page carries the last row's sort values (``?after=…``) and
the page is ``WHERE (sort values) > (those) … LIMIT n``. PostgreSQL reads the same few index
entries for page 1, page 500 and the last page (``?page=last`` reads the order backwards), where
``OFFSET`` reads and throws away every row before the page: at 2,000,000 audit rows or 61,000 of a
township's visits, the last page cost seconds (issue #7). A numeric ``?page=N`` still works
(bookmarks, old links) by OFFSET.

The total is counted up to ``PAGINATION_COUNT_CAP`` rows only: "1,000+" tells a clerk as much as
"24,873" and costs a bounded amount whatever the table's size. On the first page it comes from the
same read as the page (up to cap + 1 keys), and on the last page from the same read backwards; on
pages in between from ``SELECT count(*) FROM (… LIMIT cap + 1)``. The page itself is chosen ids first: a narrow query of the sort keys, then the rows
by primary key with the list's select_related and prefetches. Templates print ``page.count_label``; ``page.paginator.count`` (the capped number)
keeps templates written for Django's Paginator working.

An ordering that does not end with the primary key (or no ordering) falls back to OFFSET paging
with the same ``ListPage`` interface.
"""
import base64
import binascii
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import BooleanField, Expression, F, Q
from django.db.models.constants import LOOKUP_SEP
from django.db.models.query import ModelIterable

PAGE_PARAMS = ("page", "after", "before")


def query_without_page(request) -> str:
    """The list's search and filter parameters, for links to other pages (templates/_pagination.html)."""
    query = request.GET.copy()
    for name in PAGE_PARAMS:
        query.pop(name, None)
    return query.urlencode()


@dataclass
class _Counter:
    """What templates written for Django's Paginator read: ``page.paginator.count``."""

    count: int
    num_pages: int | None = None


@dataclass
class ListPage:
    object_list: list
    count: int  # capped at ``count_cap`` + 1 rows: see ``count_capped``
    count_capped: bool
    has_next_page: bool
    has_previous_page: bool
    base_query: str
    next_cursor: str = ""
    previous_cursor: str = ""
    number: int | None = None  # 1 on the first page; None on a keyset page (its number is not known)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    def has_next(self) -> bool:
        return self.has_next_page

    def has_previous(self) -> bool:
        return self.has_previous_page

    def has_other_pages(self) -> bool:
        return self.has_next_page or self.has_previous_page

    @property
    def count_label(self) -> str:
        """"1,000+" when the total was capped, else the total with thousands separators."""
        return f"{self.count:,}+" if self.count_capped else f"{self.count:,}"

    @property
    def paginator(self) -> _Counter:
        return _Counter(count=self.count)

    def _query(self, **params) -> str:
        extra = "&".join(f"{k}={v}" for k, v in params.items())
        return f"{self.base_query}&{extra}" if self.base_query else extra

    @property
    def first_query(self) -> str:
        return self.base_query

    @property
    def last_query(self) -> str:
        return self._query(page="last")

    @property
    def next_query(self) -> str:
        if self.next_cursor:
            return self._query(after=self.next_cursor)
        return self._query(page=(self.number or 1) + 1)

    @property
    def previous_query(self) -> str:
        if self.previous_cursor:
            return self._query(before=self.previous_cursor)
        return self._query(page=max((self.number or 2) - 1, 1))


# --- keyset ------------------------------------------------------------------------------------------
class _RowCompare(Expression):
    """``(a, b, id) > (%s, %s, %s)``: one condition an index on (a, b, id) answers with a range scan
    (an OR of per-field conditions would not). Both PostgreSQL and SQLite support row values."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, expressions, values, operator):
        super().__init__()
        self.expressions, self.values, self.operator = list(expressions), list(values), operator

    def get_source_expressions(self):
        return self.expressions

    def set_source_expressions(self, exprs):
        self.expressions = list(exprs)

    def as_sql(self, compiler, connection):
        sqls, params = [], []
        for expression in self.expressions:
            sql, p = compiler.compile(expression)
            sqls.append(sql)
            params += p
        placeholders = ", ".join(["%s"] * len(self.values))
        return f"({', '.join(sqls)}) {self.operator} ({placeholders})", [*params, *self.values]


def _keyset_order(queryset) -> list[tuple[str, bool]] | None:
    """[(field path, descending)] when the ordering can be paged by keyset, else None."""
    if queryset._iterable_class is not ModelIterable:
        return None  # .values() rows: no primary key to load the page's rows by
    order = [o for o in queryset.query.order_by if isinstance(o, str)]
    if not order or len(order) != len(queryset.query.order_by):
        return None
    pk_names = {"pk", "id", queryset.model._meta.pk.name}
    fields = [(o.lstrip("-"), o.startswith("-")) for o in order]
    if fields[-1][0] not in pk_names or len({desc for _f, desc in fields}) != 1:
        return None  # not ending with the primary key, or mixed directions
    return fields


def _nullable(model, path: str, annotations=None) -> bool:
    """Whether the sort column can be NULL: the field itself, or any nullable relation on the way
    (an annotation, e.g. a computed due date: assume it can)."""
    if annotations and path in annotations:
        return True
    for part in path.split(LOOKUP_SEP):
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        if getattr(field, "null", False):
            return True
        model = field.related_model or model
    return False


def _output_field(model, path: str, annotations=None):
    if annotations and path in annotations:  # a computed sort value: its expression's field
        return annotations[path].output_field
    parts = path.split(LOOKUP_SEP)
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    name = parts[-1]
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


def _encode(values: list) -> str:
    raw = json.dumps(values, default=str, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, fields, model, annotations=None) -> list | None:
    """The cursor's values as Python values of their fields (None stays None: a NULL sort value),
    or None for a damaged or foreign cursor."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(values, list) or len(values) != len(fields) or values[-1] is None:
        return None
    try:
        return [None if v is None else _output_field(model, path, annotations).to_python(v)
                for (path, _desc), v in zip(fields, values, strict=True)]
    except Exception:  # noqa: BLE001 - a hand-edited cursor is just a bad link: the first page
        return None


def _beyond(names, fields, values, *, forwards: bool, model, connection, annotations=None) -> Expression | Q:
    """Rows beyond the cursor's row in the list's order (``forwards``) or before it.

    A cursor without NULLs: one row comparison, ``(a, b, id) > (x, y, z)``, which an index on the
    sort columns answers with a range scan, plus, for a column that can be NULL where NULLs sort
    beyond (PostgreSQL: NULL is largest), ``OR (prefix equal AND column IS NULL)``. A cursor row
    with a NULL sort value: the condition spelled out column by column with the database's own
    place for NULLs (PostgreSQL: largest; SQLite: smallest).
    """
    descending = fields[0][1]
    greater = forwards != descending  # does "beyond" mean larger values?
    nulls_beyond = connection.features.nulls_order_largest == greater  # NULLs sort on the far side
    if all(v is not None for v in values):
        prepared = [_output_field(model, path, annotations).get_db_prep_value(v, connection)
                    for (path, _desc), v in zip(fields, values, strict=True)]
        condition = Q(_RowCompare([F(n) for n in names], prepared, ">" if greater else "<"))
        if nulls_beyond:
            # A comparison meeting NULL is unknown, not true: add the NULL rows that sort beyond
            # (PostgreSQL answers each OR branch from the index: BitmapOr).
            equal = Q()
            for (path, _desc), name, value in zip(fields, names, values, strict=True):
                if _nullable(model, path, annotations):
                    condition |= equal & Q(**{f"{name}__isnull": True})
                equal &= Q(**{name: value})
        return condition
    condition, equal = Q(pk__in=[]), Q()
    for name, value in zip(names, values, strict=True):
        if value is None:
            step = Q(**{f"{name}__isnull": False}) if not nulls_beyond else Q(pk__in=[])
            same = Q(**{f"{name}__isnull": True})
        else:
            step = Q(**{f"{name}__{'gt' if greater else 'lt'}": value})
            if nulls_beyond:
                step |= Q(**{f"{name}__isnull": True})
            same = Q(**{name: value})
        condition |= equal & step
        equal &= same
    return condition


def _keys_and_count(narrow, fields, *, reverse: bool, limit: int, cap: int) -> tuple[list[tuple], int]:
    """The first ``limit`` keys of ``narrow`` and how many of its first ``cap + 1`` rows there are,
    in one statement that returns only ``limit`` rows::

        SELECT s._key0, …, count(*) OVER () FROM (<narrow> LIMIT cap + 1) s ORDER BY <its order> LIMIT limit

    (fetching the cap + 1 keys into Python to count them was a tenth of the household list's
    time). The outer ORDER BY repeats the inner one on the same columns, so the rows come back in
    the list's order; the keys go through the fields' converters as ``values_list()`` would."""
    limited = narrow[: cap + 1]
    connection = connections[limited.db]
    compiler = limited.query.get_compiler(using=limited.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # a filter that can match nothing (``pk__in=[]``): no query at all
        return [], 0
    quote = connection.ops.quote_name
    names = [f"_key{i}" for i in range(len(fields))]
    order = ", ".join(f"s.{quote(name)} {'DESC' if descending != reverse else 'ASC'}"
                      for name, (_path, descending) in zip(names, fields, strict=True))
    columns = ", ".join(f"s.{quote(name)}" for name in names)
    # The ORM's own compiled SQL (values as parameters) wrapped with quoted alias names and an integer.
    statement = f"SELECT {columns}, COUNT(*) OVER () FROM ({sql}) s ORDER BY {order} LIMIT {int(limit)}"  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    found = rows[0][-1] if rows else 0
    rows = [row[:-1] for row in rows]
    selected = {alias: expression for expression, _sql, alias in compiler.select}
    converters = compiler.get_converters([selected[name] for name in names])
    if converters:
        rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
    return rows, found


def _keyset_page(request, queryset, fields, per_page: int, count_cap: int, *, last: bool = False):
    """Rows of the page, ids first: the page is chosen by a narrow query (the primary key and the
    sort values, joining only what the filters and the order need), then its rows are loaded by
    primary key with the list's select_related and prefetches. With every display join in one
    query, PostgreSQL planned a search over 130,000 visits of a township before applying a filter
    that kept eight couples (issue #7: 5 s); the narrow query leaves it nothing else to do first.
    """
    connection = connections[queryset.db]
    names = [f"_key{i}" for i in range(len(fields))]
    narrow = (queryset.select_related(None).prefetch_related(None)
              .annotate(**{n: F(path) for n, (path, _d) in zip(names, fields, strict=True)}).values_list(*names))
    after = request.GET.get("after")
    before = request.GET.get("before")
    reverse = False
    cursor_values = None
    if (after or before) and not last:
        cursor_values = _decode(after or before, fields, queryset.model, queryset.query.annotations)
    if cursor_values is not None:
        narrow = narrow.filter(_beyond(names, fields, cursor_values, forwards=bool(after), model=queryset.model,
                                       connection=connection, annotations=queryset.query.annotations))
        reverse = not after
    elif last:
        reverse = True
    if reverse:
        narrow = narrow.reverse()
    first_page = cursor_values is None and not last
    # On the first and the last page the same read gives the capped total: up to cap + 1 keys (a
    # few bytes each) instead of a second query that would find and count them again.
    counting = cursor_values is None
    if counting:
        keys, found = _keys_and_count(narrow, fields, reverse=reverse, limit=per_page + 1, cap=count_cap)
        total = (min(found, count_cap), found > count_cap)
    else:
        keys, total = list(narrow[: per_page + 1]), None
    more = len(keys) > per_page
    keys = keys[:per_page]
    if reverse:
        keys.reverse()
    ids = [k[-1] for k in keys]  # the ordering ends with the primary key
    loaded = {obj.pk: obj for obj in queryset.order_by().filter(pk__in=ids)} if ids else {}
    rows = [loaded[pk] for pk in ids if pk in loaded]
    if first_page:
        has_previous, has_next = False, more
    elif reverse:  # ?before= or ?page=last: read backwards
        has_previous, has_next = more, bool(cursor_values)
    else:
        has_previous, has_next = True, more
    next_cursor = _encode(list(keys[-1])) if keys else ""
    previous_cursor = _encode(list(keys[0])) if keys else ""
    return rows, has_next, has_previous, first_page, next_cursor, previous_cursor, total


def _capped_count(queryset, cap: int) -> tuple[int, bool]:
    # Without the display joins and prefetches: they change no count and PostgreSQL cannot drop them.
    if queryset._iterable_class is ModelIterable:
        queryset = queryset.select_related(None).prefetch_related(None)
    count = queryset.order_by().values("pk")[: cap + 1].count()
    return min(count, cap), count > cap


# No list has this many rows: a numbered page that starts beyond it is past the end without asking
# the database (an OFFSET of 10**18 × 50 does not even fit PostgreSQL's bigint: issue #22).
MAX_OFFSET = 10**12


def page_number(value) -> int | None:
    """``?page=`` as a page number ≥ 1: ASCII digits only (``"²".isdigit()`` is true but ``int``
    refuses it), None for anything else ("", "last", "-1", "abc", "1e9", a NUL …). A number of more
    than 30 digits is read as 10**30 (past the end of any list; ``int`` refuses 4,301 digits)."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        return None
    number = int(value) if len(value) <= 30 else 10**30
    return number if number >= 1 else None


def paginate(request, queryset, per_page: int | None = None, *, count_cap: int | None = None) -> ListPage:
    """The requested page of ``queryset`` and its (capped) total. See the module docstring.

    No value of ``page`` is an error: a number past the end (however large) answers the last page,
    anything that is not a number answers the first."""
    per_page = per_page or settings.HOUSEHOLDS_PAGE_SIZE
    cap = count_cap or settings.PAGINATION_COUNT_CAP
    base_query = query_without_page(request)
    fields = _keyset_order(queryset)
    page_param = request.GET.get("page", "")
    number = page_number(page_param) or 1
    past_the_end = (number - 1) * per_page > MAX_OFFSET
    if fields is not None and (number == 1 or past_the_end):
        return _keyset_list_page(request, queryset, fields, per_page, cap, base_query,
                                 last=page_param == "last" or past_the_end)
    # OFFSET paging: an ordering keyset cannot use, or a numbered page asked for explicitly.
    if page_param == "last" or past_the_end:
        return _offset_last(queryset, per_page, cap, base_query)
    rows = list(queryset[(number - 1) * per_page: number * per_page + 1])
    if not rows and number > 1:  # past the end: the last page, as Django's get_page does
        if fields is not None:  # read backwards from the end: no count of every row before it
            return _keyset_list_page(request, queryset, fields, per_page, cap, base_query, last=True)
        return _offset_last(queryset, per_page, cap, base_query)
    count, capped = _capped_count(queryset, cap)
    return ListPage(
        object_list=rows[:per_page], count=count, count_capped=capped, has_next_page=len(rows) > per_page,
        has_previous_page=number > 1, base_query=base_query, number=number)


def _keyset_list_page(request, queryset, fields, per_page, cap, base_query, *, last: bool) -> ListPage:
    rows, has_next, has_previous, first, next_cursor, prev_cursor, total = _keyset_page(
        request, queryset, fields, per_page, cap, last=last)
    count, capped = total or _capped_count(queryset, cap)
    return ListPage(
        object_list=rows, count=count, count_capped=capped, has_next_page=has_next,
        has_previous_page=has_previous, base_query=base_query, next_cursor=next_cursor,
        previous_cursor=prev_cursor if has_previous else "", number=1 if first else None)


def _offset_last(queryset, per_page, cap, base_query) -> ListPage:
    paginator = Paginator(queryset, per_page)
    page = paginator.page(paginator.num_pages)
    count, capped = _capped_count(queryset, cap)
    return ListPage(
        object_list=list(page.object_list), count=count, count_capped=capped, has_next_page=False,
        has_previous_page=page.has_previous(), base_query=base_query, number=page.number)
