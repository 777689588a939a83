"""The accessibility crawl (issue #6): every role, every page it can reach, at 375 px and 1280 px.

Each test loads ``seed_demo --scale small`` into the live server's database — every app's
``demo.py``, so an app that lands later is crawled as soon as its pages are linked — signs the
role's demo user in and crawls breadth-first from the home page (see ``crawl.py`` for what is
followed and what is checked). The test fails listing *every* problem found: a server error, a
link that answers 4xx, a console error, a page wider than its viewport or an axe-core
serious/critical violation. The first page of each URL pattern is saved as a screenshot under
``artifacts/screenshots/crawl/<role>/<width>/``.

Two error pages are checked on purpose for each role: a URL that does not exist (404) and a page
the role may not open (403) — the project's own Chinese pages must pass too.
"""
import shutil
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User

from .conftest import CHROMIUM_ARGS, SCREENSHOTS  # noqa: F401  (one browser for the whole session)
from .crawl import crawl, report

WIDTHS = {
    "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
# Pages per URL pattern: two on a phone (a second record, a second page of a list), one on a
# desktop, where less goes wrong between two records of one template. Keeps the crawl to minutes.
PER_PATTERN = {"phone": 2, "desktop": 1}
# The demo user of each role (README "Demo logins") and a page that role may not open (403).
ROLES = {
    "clerk": ("clerk1", "/accounts/audit/"),
    "bureau_staff": ("bureau", "/households/register/"),
    "clinician": ("clinic", "/households/"),
    "inspector": ("inspector", "/households/"),
    "leader": ("leader", "/households/"),
    "auditor": ("auditor", "/households/"),
    "admin": ("admin", "/households/"),
}
NOT_FOUND = "/no-such-page/"


def _session_cookie(user, url: str) -> dict:
    """A logged-in session for ``user`` without going through the login form: the crawl is about
    the pages behind it (the login journey has its own tests), and it must not depend on how the
    login form is built (lockout, a second factor)."""
    client = Client()
    client.force_login(user)
    _mark_second_factor_passed(client, user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": url}


def _mark_second_factor_passed(client, user) -> None:
    """Where two-factor login is installed (django-otp), the session must show the second factor
    passed, or a role that needs it would only ever see the setup page."""
    try:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:
        return
    device = TOTPDevice.objects.create(user=user, name="crawl", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _new_context(browser, live_server, width: str):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", reduced_motion="reduce",
        **WIDTHS[width],
    )
    context.set_default_timeout(10_000)
    context.set_default_navigation_timeout(20_000)
    return context


def _run(browser, live_server, *, label: str, start: list[str], expect: dict, user=None, widths=tuple(WIDTHS),
         language: str = ""):
    problems, summary = [], []
    for width in widths:
        directory = SCREENSHOTS / "crawl" / label / width
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        context = _new_context(browser, live_server, width)
        if user is not None:
            context.add_cookies([_session_cookie(user, live_server.url)])
        if language:
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        started = time.monotonic()
        result = crawl(context, base_url=live_server.url, start=start, label=f"{label} {width}",
                       screenshots=directory, expect_status=expect, per_pattern=PER_PATTERN[width])
        context.close()
        (directory / "crawl.json").write_text(report(result), encoding="utf-8")
        summary.append(f"{width}: {len(result.visits)} pages, {len(result.patterns)} patterns, "
                       f"{time.monotonic() - started:.1f}s")
        problems += result.problems
        # A crawl that never got past a redirect (login, a second factor) has tested nothing.
        first = result.visits[0] if result.visits else None
        assert first is not None and first.final_path == start[0], f"{label} {width}: {start[0]} → {first}"
    print(f"\ncrawl {label}: " + "; ".join(summary))
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


@pytest.fixture
def demo_data(transactional_db):
    call_command("seed_demo", "--scale", "small", verbosity=0)


def _import_previews(clerk) -> list[str]:
    """Two import previews waiting for the clerk (the demo data has none, and no link leads to one
    until a sheet is uploaded): the sample sheet, mapped automatically, with rows in error; and a
    township's own sheet whose columns the clerk still has to map (the mapping form)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from households.exchange_sample import sample_workbook
    from households.services.exchange import import_batch_create
    from tests.households.test_import_mapping import own_sheet

    villages = list(clerk.township.villages.values_list("name", flat=True))
    sample = SimpleUploadedFile("样例.xlsx", sample_workbook(villages=villages))
    batches = [import_batch_create(by=clerk, upload=sample, file_name=sample.name),
               import_batch_create(by=clerk, upload=own_sheet(), file_name="本镇摸底表.xlsx")]
    return [reverse("households:import_preview", args=[batch.pk]) for batch in batches]


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_of_the_role_passes_at_phone_and_desktop_width(role, browser, live_server, demo_data):
    username, forbidden = ROLES[role]
    user = User.objects.get(username=username)
    assert user.role == role
    extra = _import_previews(user) if role == "clerk" else []
    _run(browser, live_server, label=role, user=user, start=["/", NOT_FOUND, forbidden, *extra],
         expect={NOT_FOUND: 404, forbidden: 403})


def test_login_page_passes_at_phone_and_desktop_width(browser, live_server, demo_data):
    _run(browser, live_server, label="anonymous", start=["/accounts/login/", NOT_FOUND],
         expect={NOT_FOUND: 404})


def test_the_clerks_pages_pass_in_english_on_a_phone(browser, live_server, demo_data):
    """English labels run longer than Chinese ones: the cards, filters and buttons must still fit."""
    user = User.objects.get(username="clerk1")
    _run(browser, live_server, label="clerk-en", user=user, start=["/"], expect={}, widths=("phone",), language="en")
