"""Every URL × every role: the answer each role gets, from the tables in ``tests/<app>/url_roles.py``.

A URL pattern without an entry fails (so every new view states who may open it), and every HTML
page fetched is checked for the Content-Security-Policy header and for inline script or style,
which that policy would block. See ``tests/security/url_table.py`` for how to add a table.
"""
import importlib
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import pass_second_factor

from .url_table import ROLES

TESTS = Path(__file__).resolve().parents[1]


def _load_tables():
    urls, unnamed, builders = {}, {}, []
    order = {app: i for i, app in enumerate(settings.PROJECT_APPS)}
    for path in sorted(TESTS.glob("*/url_roles.py"), key=lambda p: (order.get(p.parent.name, 99), p.parent.name)):
        module = importlib.import_module(f"tests.{path.parent.name}.url_roles")
        for name, url in module.URLS.items():
            assert name not in urls, f"{name} has entries in two tables"
            urls[name] = url
        unnamed.update(getattr(module, "UNNAMED", {}))
        if hasattr(module, "build"):
            builders.append(module.build)
    return urls, unnamed, builders


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name, prefix + str(pattern.pattern)


TABLE, UNNAMED, BUILDERS = _load_tables()
PATTERNS = list(_walk(get_resolver().url_patterns))

# What the Content-Security-Policy forbids in a page (data blocks such as json_script are fine).
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=\"application/(?:ld\+)?json\")[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)
# A number printed in scientific notation ("9E+2", "6E+1%"): core/numbers.py prints plain digits.
SCIENTIFIC = re.compile(r"(?<![\w+/=.-])\d+(?:\.\d+)?[eE][+-]\d+(?![\w+/=])")
TAG_OR_SCRIPT = re.compile(r"<script\b.*?</script>|<[^>]*>", re.S | re.I)


def test_every_url_pattern_has_an_entry_in_a_table():
    named = {name for name, _route in PATTERNS if name}
    missing = sorted(named - set(TABLE))
    assert not missing, (
        "URL patterns with no entry in any tests/<app>/url_roles.py (say what each role gets):\n  "
        + "\n  ".join(missing))
    unnamed = sorted(route for name, route in PATTERNS if not name and route not in UNNAMED)
    assert not unnamed, f"unnamed URL patterns: name them, or list them in UNNAMED with a reason: {unnamed}"


def test_no_table_entry_for_a_url_that_is_gone():
    named = {name for name, _route in PATTERNS if name}
    assert not sorted(set(TABLE) - named)


@pytest.fixture
def world(cast, township_a, township_b, village_a, village_b):
    """Records in township A (built by each app's ``build``), the cast, and nothing else."""
    w = SimpleNamespace(**cast, township_a=township_a, township_b=township_b, village_a=village_a,
                        village_b=village_b)
    for build in BUILDERS:
        build(w)
    return w


def _client_for(world, role):
    client = Client()
    if role != "anonymous":
        user = getattr(world, role)
        client.force_login(user)
        pass_second_factor(client, user)
    return client


def page_problems(response) -> list[str]:
    """What a 200 HTML page must not have under the CSP."""
    problems = []
    csp = response.headers.get("Content-Security-Policy", "")
    if "script-src 'self'" not in csp or "style-src 'self'" not in csp or "unsafe-inline" in csp:
        problems.append(f"CSP header missing or weak: {csp!r}")
    html = response.content.decode()
    for label, pattern in [("inline <script>", INLINE_SCRIPT), ("style= attribute", STYLE_ATTRIBUTE),
                           ("<style> element", STYLE_ELEMENT), ("on*= handler", EVENT_HANDLER),
                           ("javascript: URL", JS_URL)]:
        found = pattern.search(html)
        if found:
            problems.append(f"{label}: {html[max(found.start() - 60, 0):found.end() + 60]!r}")
    text = TAG_OR_SCRIPT.sub(" ", html)
    found = SCIENTIFIC.search(text)
    if found:
        problems.append(f"number in scientific notation: {text[max(found.start() - 60, 0):found.end() + 60]!r}")
    return problems


@pytest.mark.parametrize("name", sorted(TABLE))
def test_url_answers_every_role_as_its_table_says(world, name):
    entry = TABLE[name]
    url = reverse(name, kwargs=entry.kwargs(world) if entry.kwargs else None)
    if entry.query:
        url = f"{url}?{entry.query}"
    got, problems = {}, []
    for role in ROLES:
        response = _client_for(world, role).get(url)
        got[role] = response.status_code
        if role != "anonymous" and response.status_code == 200:
            if "no-store" not in response.headers.get("Cache-Control", ""):
                problems.append(f"{role}: no Cache-Control: no-store on a logged-in response")
            if entry.html_checked and response.headers.get("Content-Type", "").startswith("text/html"):
                problems += [f"{role}: {p}" for p in page_problems(response)]
    wrong = {role: f"expected {entry.expect[role]}, got {got[role]}" for role in ROLES if got[role] != entry.expect[role]}
    assert not wrong, f"{url}: {wrong}"
    assert not problems, f"{url}:\n" + "\n".join(problems)
