"""Journey: the Monday briefing. A leader opens the latest report from the home page, asks for a
rebuild, watches a real Celery worker build it (the page updates without a reload), downloads the
.xlsx; the same report on a phone; a clerk on a phone sees only their own township."""
import io
import os
import re
import socket
from pathlib import Path

import pytest
from django.db import connection
from openpyxl import load_workbook
from playwright.sync_api import expect

from assessment.models import WeeklyReport
from assessment.services.weekly import weekly_report_build
from assessment.weeks import WEEK, last_complete_week

from ..assessment.weekly_world import build_world
from ..celery_worker import run_worker
from .helpers import assert_no_horizontal_scroll, login_with_code

PHONE_WIDTH = 375
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"  # vendored by the UX work


def axe_serious(page) -> list:
    """axe-core's serious and critical violations of this page's own content, when the vendored copy
    is there (the shared navbar's contrast is the UX work's, not this page's)."""
    if not AXE.exists():
        return []
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate("async () => (await axe.run({exclude: [['nav.navbar']]}, {resultTypes: ['violations']})).violations"
                          ".filter(v => ['serious', 'critical'].includes(v.impact))"
                          ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))")
    return found


@pytest.fixture
def worker(live_server):
    # live_server commits what the test writes; the worker process reads the same test database.
    with run_worker(f"tr-weekly-journey-{os.getpid()}@{socket.gethostname()}",
                    database=connection.settings_dict["NAME"]) as process:
        yield process


def test_leader_rebuilds_the_latest_report_watches_it_finish_and_downloads_it(
        new_page, live_server, worker, village_a, village_b, clerk_a, clerk_b, leader, password, shot):
    world = build_world(village_a=village_a, village_b=village_b, clerk_a=clerk_a, clerk_b=clerk_b)
    last = last_complete_week()
    for week in (last - 2 * WEEK, last - WEEK, last):
        weekly_report_build(week_start=week)
    assert WeeklyReport.objects.get(week_start=last).build_count == 1

    page = new_page()
    login_with_code(page, leader, password)
    expect(page.get_by_test_id("home-weekly-summary")).to_be_visible()
    shot(page, "leader-home")
    page.get_by_test_id("home-weekly-summary").get_by_role("link", name="查看通报").click()
    expect(page.get_by_test_id("weekly-title")).to_contain_text(last.isoformat())
    expect(page.get_by_test_id("weekly-section")).to_have_count(3)
    expect(page.get_by_test_id("weekly-week-line").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("weekly-status-text")).to_have_text("已完成")
    assert axe_serious(page) == []
    shot(page, "report")

    # Rebuild: queued → building → done, then the new figures are swapped in without a reload.
    page.evaluate("window.__sameDocument = true")
    page.get_by_test_id("weekly-rebuild").click()
    expect(page.get_by_test_id("weekly-message")).to_have_text(re.compile("已提交重新生成|已生成完毕"))
    expect(page.get_by_test_id("weekly-message")).to_have_text("已生成完毕，下面是新的数据。", timeout=30_000)
    expect(page.get_by_test_id("weekly-status-text")).to_have_text("已完成")
    expect(page.get_by_test_id("weekly-rebuild")).to_be_enabled()
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    expect(page.locator("[data-weekly-built]")).to_contain_text("第 2 次生成")
    report = WeeklyReport.objects.get(week_start=last)
    assert report.build_count == 2 and report.requested_by == leader
    shot(page, "rebuilt")

    # Download the .xlsx: a county sheet and one per township.
    with page.expect_download() as download:
        page.get_by_test_id("weekly-export").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames == ["全县", "城关镇", "东关街道", "西关镇"]

    # The print page.
    page.goto(f"/assessment/weekly/{last.isoformat()}/print/")
    expect(page.get_by_test_id("print-page")).to_be_visible()
    # As the printer sees it: no menu or buttons, the desktop tables (not the phone cards).
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator("[data-print]")).to_be_hidden()
    expect(page.get_by_test_id("weekly-matrix")).to_be_visible()
    expect(page.get_by_test_id("weekly-county-table")).to_be_visible()
    expect(page.get_by_test_id("weekly-county-cards")).to_be_hidden()
    assert "CJK" in page.evaluate("getComputedStyle(document.querySelector('.weekly-print')).fontFamily")
    shot(page, "print")
    page.emulate_media(media="screen")

    # The same report at a phone's width (the same session: a TOTP code is good for one login).
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    page.goto(f"/assessment/weekly/{last.isoformat()}/")
    expect(page.get_by_test_id("weekly-county-cards")).to_be_visible()
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    assert axe_serious(page) == []
    shot(page, "leader-phone")

    # A clerk on a phone: their own township only, and another township's section is 404.
    clerk = new_page(phone=True)
    login_with_code(clerk, clerk_a, password)
    clerk.goto("/assessment/weekly/")
    expect(clerk.get_by_test_id("weekly-list-row")).to_have_count(3)
    clerk.get_by_test_id("weekly-list-row").first.get_by_role("link").click()
    expect(clerk.get_by_test_id("weekly-section")).to_have_count(1)
    expect(clerk.get_by_test_id("weekly-section")).to_have_attribute("data-township", "城关镇")
    expect(clerk.get_by_test_id("weekly-county")).to_have_count(0)
    expect(clerk.get_by_test_id("weekly-rebuild")).to_have_count(0)
    assert_no_horizontal_scroll(clerk, PHONE_WIDTH)
    assert axe_serious(clerk) == []
    shot(clerk, "clerk-phone")
    response = clerk.goto(f"/assessment/weekly/{last.isoformat()}/?township={world['b'].pk}")
    assert response.status == 404
