"""The accessibility crawl: every page a role can reach, checked at phone and desktop widths.

``crawl(context, start=[...])`` follows same-origin links breadth-first from the start pages and
checks each page it opens for

- a server error (any response ≥ 500, the page itself or anything it loads),
- a link that leads nowhere (4xx) — a role should not be shown links it cannot use,
- a console error or an uncaught JavaScript error,
- a page wider than its viewport (it would scroll sideways),
- an axe-core violation of impact ``serious`` or ``critical``.

What it does not follow: logout and the language switch (POST forms, not links anyway), downloads
(``/export/``, templates, ``.xlsx``, or any response Playwright sees as a download), other
origins, ``tel:``/``mailto:``. POST-only actions are forms, never links, so they are not reached.
It opens at most ``per_pattern`` pages per URL pattern (the Django route, whatever the ids and the
query), so ``/households/12/`` and ``/households/13/?page=2`` count as one pattern: the crawl stays
fast as demo data grows, and every new app's pages are crawled as soon as they are linked.

axe-core comes from the vendored copy in ``vendor/axe-core/`` and is evaluated through the
DevTools protocol (``page.evaluate``), which a Content-Security-Policy does not block — so the
crawl runs with the real CSP in force and a CSP violation shows up as a console error.
"""
from __future__ import annotations

import json
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from django.urls import Resolver404, resolve
from playwright.sync_api import BrowserContext, Error as PlaywrightError, Page

AXE_VERSION = "4.14.1"
AXE_SOURCE = (Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
FAILING_IMPACTS = {"serious", "critical"}

# Links not to follow: they leave the page's purpose (logout, language) or download a file.
SKIP_PATH = re.compile(r"(/logout/|/i18n/|/export/|/template/|\.xlsx$|/jsi18n/|^/static/|^/media/)")

_AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(" "), summary: (n.failureSummary || "").slice(0, 300)})),
    count: v.nodes.length,
  }));
}"""

_WIDTH = "() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})"

# An input's placeholder wider than the room the input gives it: the hint is cut off on screen.
_CUT_PLACEHOLDERS = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  return Array.from(document.querySelectorAll("input[placeholder], textarea[placeholder]"))
    .filter(el => el.offsetParent !== null && el.placeholder)
    .filter(el => {
      const style = getComputedStyle(el);
      canvas.font = style.font;
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return el.tagName === "INPUT" && canvas.measureText(el.placeholder).width > room + 1;
    })
    .map(el => `${el.name}: "${el.placeholder}"`);
}"""

# A table that scrolls sideways inside its box on a phone: a list should read as cards there
# (table-cards, docs/ui-patterns.md). Only checked below the md breakpoint, and not in Django's
# admin, whose change lists scroll inside their own box (made keyboard-reachable by admin.js).
# Tables allowed to scroll sideways on a phone (none: the auditor's ledger reads as cards too).
KNOWN_SIDEWAYS_TABLES: set[str] = set()
_SIDEWAYS_TABLES = """() => window.innerWidth >= 768 || location.pathname.startsWith("/admin/") ? [] :
  Array.from(document.querySelectorAll("table"))
  .filter(t => t.offsetParent !== null && t.parentElement.scrollWidth > t.parentElement.clientWidth + 1)
  .map(t => t.dataset.testid || t.id || t.className)"""

_LINKS = """() => Array.from(document.querySelectorAll("a[href]"))
  .filter(a => !a.hasAttribute("download") && !(a.getAttribute("target") || "").startsWith("_blank"))
  .map(a => a.href)"""


@dataclass
class Visit:
    url: str
    status: int
    pattern: str
    final_path: str = ""
    screenshot: str = ""


@dataclass
class CrawlResult:
    visits: list[Visit] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: set[str] = field(default_factory=set)

    @property
    def patterns(self) -> set[str]:
        return {v.pattern for v in self.visits}


def pattern_of(path: str) -> str:
    """The URL's route (``households/<int:pk>/``): one page template, whatever the id or the query
    (page 2, a filter, a sort order) — the admin's filter links alone would otherwise be hundreds."""
    try:
        return resolve(path).route
    except Resolver404:
        return path


def run_axe(page: Page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Through the DevTools protocol, not a <script> tag: a CSP without inline scripts allows it.
        page.evaluate(AXE_SOURCE)
    return page.evaluate(_AXE_RUN)


def crawl(
    context: BrowserContext, *, base_url: str, start: list[str], label: str, per_pattern: int = 2,
    max_pages: int = 200, screenshots: Path | None = None, expect_status: dict[str, int] | None = None,
) -> CrawlResult:
    """Crawl from ``start`` (paths) in ``context``; returns what was visited and every problem found.

    ``expect_status`` maps start paths that answer 4xx on purpose (an error page under test) to
    their status; those pages are still checked for everything else.
    """
    expect_status = expect_status or {}
    origin = urlsplit(base_url)
    result = CrawlResult()
    seen: set[str] = set()
    per: dict[str, int] = {}
    queue: deque[tuple[str, str]] = deque((path, "(start)") for path in start)
    page = context.new_page()
    console: list[str] = []
    bad_responses: list[str] = []
    page.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: console.append(f"uncaught: {error}"))
    page.on("response", lambda r: bad_responses.append((r.status, r.url)) if r.status >= 500 else None)

    while queue and len(result.visits) < max_pages:
        path, found_on = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        parts = urlsplit(path)
        key = pattern_of(parts.path)
        if per.get(key, 0) >= per_pattern:
            continue
        per[key] = per.get(key, 0) + 1
        console.clear()
        bad_responses.clear()
        try:
            response = page.goto(path, wait_until="load")
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                result.skipped.add(path)
                continue
            result.problems.append(f"[{label}] {path}: could not load ({error}), linked from {found_on}")
            continue
        status = response.status if response is not None else 0
        final = urlsplit(page.url)
        where = f"[{label}] {path}" + (f" → {final.path}" if final.path != parts.path else "")
        visit = Visit(url=path, status=status, pattern=key, final_path=final.path)
        result.visits.append(visit)

        expected = expect_status.get(path)
        if status >= 500:
            result.problems.append(f"{where}: server error {status} (linked from {found_on})")
        elif status >= 400 and status != expected:
            result.problems.append(f"{where}: answers {status} (linked from {found_on})")
        for code, url in bad_responses:
            if response is None or url != response.url:
                result.problems.append(f"{where}: server error {code} loading {url}")
        for text in console:
            # The browser logs the expected 4xx of an error page itself as a failed resource.
            if expected and text.startswith("Failed to load resource") and f"status of {expected}" in text:
                continue
            result.problems.append(f"{where}: console error: {text}")

        # A number in scientific notation ("9E+2", "6E+1%"): core/numbers.py prints plain digits.
        scientific = page.evaluate("() => (document.body.innerText.match(/(^|[^\\w+\\/=.-])\\d+(\\.\\d+)?[eE][+-]\\d+(?![\\w+\\/=])/) || [''])[0]")
        if scientific:
            result.problems.append(f"{where}: number in scientific notation ({scientific.strip()})")
        if page.evaluate("() => /\\{[#%{]|[#%}]\\}/.test(document.body.innerText)"):
            result.problems.append(f"{where}: template syntax shows on the page ({{# … #}} spanning lines?)")
        for cut in page.evaluate(_CUT_PLACEHOLDERS):
            result.problems.append(f"{where}: placeholder cut off ({cut})")

        for table in set(page.evaluate(_SIDEWAYS_TABLES)) - KNOWN_SIDEWAYS_TABLES:
            result.problems.append(f"{where}: table scrolls sideways on a phone ({table}); make it table-cards")

        width = page.evaluate(_WIDTH)
        if width["scroll"] > width["viewport"] + 1:
            result.problems.append(f"{where}: wider than the viewport ({width['scroll']} > {width['viewport']} px)")

        for violation in run_axe(page):
            if violation["impact"] in FAILING_IMPACTS:
                first = violation["nodes"][0] if violation["nodes"] else {"target": "", "summary": ""}
                summary = " ".join(first["summary"].split())
                result.problems.append(
                    f"{where}: axe {violation['impact']} {violation['id']} ({violation['count']}×, first "
                    f"{first['target']}): {summary}")

        if screenshots is not None and per[key] == 1:
            name = re.sub(r"[^\w.-]+", "-", f"{len(result.visits):03d}{path}").strip("-")[:120]
            shot = screenshots / f"{name}.png"
            page.screenshot(path=shot, full_page=True, animations="disabled", caret="hide")
            visit.screenshot = str(shot)

        if final.netloc != origin.netloc:
            continue
        for href in page.evaluate(_LINKS):
            href, _fragment = urldefrag(href)
            link = urlsplit(href)
            if link.scheme not in ("http", "https") or link.netloc != origin.netloc:
                continue
            if SKIP_PATH.search(link.path):
                result.skipped.add(link.path)
                continue
            target = link.path + (f"?{link.query}" if link.query else "")
            if target not in seen:
                queue.append((target, final.path + (f"?{final.query}" if final.query else "")))
    page.close()
    return result


def report(result: CrawlResult) -> str:
    return json.dumps(
        {"visited": len(result.visits), "patterns": sorted(result.patterns), "problems": result.problems},
        ensure_ascii=False, indent=1,
    )
