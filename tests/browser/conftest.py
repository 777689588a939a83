"""Browser journeys: Debian's Chromium driven by Playwright (sync API) against pytest-django's live server.

Fixtures for journeys:
  page          a fresh desktop page (1280x800), zh-CN, Asia/Shanghai, base_url = the live server
  phone         a fresh phone page (375x740, is_mobile, has_touch), otherwise the same
  new_page      factory for more pages in one test (two users side by side): new_page(phone=True)
  shot          shot(page, "name") -> full-page PNG in artifacts/screenshots/<test>/<nn>-<name>.png
  login         login(page, username, password): fill and submit the form at /accounts/login/
  browser       the one Chromium of the session (rarely needed directly)
Helpers to import: tests.browser.helpers (open_nav, assert_no_horizontal_scroll, ...).

Every test in this folder gets the ``browser`` marker (``-m "not browser"`` skips them). A test
that fails leaves a screenshot of each page it had open (``failed-<n>.png``) beside its shots, and
a test that passes still fails if a page threw an uncaught JavaScript error, a stylesheet,
script, image or font did not load, or the Content-Security-Policy blocked something.
"""
import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from .helpers import login as _login

# Playwright's sync API runs an asyncio event loop in this thread for the whole session, and
# Django refuses ORM calls from a thread with a running loop (SynchronousOnlyOperation). The tests
# are plain synchronous code, so the guard has nothing to protect here. Set at import (collection),
# before any fixture runs; it applies to the rest of the pytest process.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE.parent.parent / "artifacts" / "screenshots"

CHROMIUM = "/usr/bin/chromium"  # Debian's package (scripts/system-deps.sh); never `playwright install`
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
# Fail fast: every page here answers in well under a second from the live server.
ACTION_TIMEOUT_MS = 5_000
NAVIGATION_TIMEOUT_MS = 10_000
# A missing one of these means the page renders wrong even if the test's assertions pass.
ASSET_TYPES = {"stylesheet", "script", "image", "font"}

_phase_reports = pytest.StashKey[dict]()


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items, not just this folder's: filter by path.
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item so fixture teardown knows whether the test failed.
    report = yield
    item.stash.setdefault(_phase_reports, {})[report.when] = report
    return report


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", name).strip("-")


def _test_dir(node) -> Path:
    return SCREENSHOTS / _safe(node.name)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server, request):
    """``new_page(phone=False)``: a page in its own fresh context (own cookies) on the live server."""
    contexts = []
    problems = []

    def make(*, phone: bool = False):
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai",
            # Bootstrap drops its transitions (collapse, fade) under reduced motion: no waiting on animations.
            reduced_motion="reduce",
            **(PHONE if phone else DESKTOP),
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"JavaScript error on {page.url}: {error}"))
        page.on("response", check_asset)
        # Anything the Content-Security-Policy blocked (an inline script or style) fails the journey.
        page.on("console", lambda message: problems.append(f"CSP on {page.url}: {message.text}")
                if "Content Security Policy" in message.text else None)
        return page

    def check_asset(response):
        kind = response.request.resource_type
        if response.status >= 400 and kind in ASSET_TYPES:
            problems.append(f"{response.status} for {response.url} ({kind})")

    yield make

    call = request.node.stash.get(_phase_reports, {}).get("call")
    failed = call is None or call.failed
    if failed:
        directory = _test_dir(request.node)
        directory.mkdir(parents=True, exist_ok=True)
        pages = [p for context in contexts for p in context.pages]
        for n, page in enumerate(pages, start=1):
            try:
                page.screenshot(path=directory / f"failed-{n}.png", full_page=True)
            except Exception as error:  # noqa: BLE001 - the page may have crashed; the failure is reported anyway
                print(f"could not screenshot {page.url}: {error}")
    for context in contexts:
        context.close()
    if not failed:
        assert not problems, "the pages had problems:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page):
    """A desktop-sized page (1280x800)."""
    return new_page()


@pytest.fixture
def phone(new_page):
    """A phone-sized page (375x740, touch, mobile meta-viewport honoured)."""
    return new_page(phone=True)


@pytest.fixture
def shot(request):
    """``shot(page, "name")``: save a full-page screenshot, numbered in the order taken; returns its path."""
    directory = _test_dir(request.node)
    shutil.rmtree(directory, ignore_errors=True)  # no stale shots from an earlier run of this test
    directory.mkdir(parents=True)
    taken = 0

    def take(page, name: str) -> Path:
        nonlocal taken
        taken += 1
        path = directory / f"{taken:02d}-{_safe(name)}.png"
        page.screenshot(path=path, full_page=True, animations="disabled", caret="hide")
        return path

    return take


@pytest.fixture
def login():
    """``login(page, username, password)``: submit the login form; does not assert the outcome."""
    return _login
