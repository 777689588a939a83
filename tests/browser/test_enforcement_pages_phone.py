"""Every enforcement page with demo data at 375 px: lists read as cards, nothing scrolls sideways.
And the same lists on a desktop as a leader (read-only: no buttons that change anything)."""

import random

import pytest
from playwright.sync_api import expect

from accounts import demo as accounts_demo
from accounts.models import User
from enforcement import demo
from enforcement.models import Case, Facility, Inspection, Tip

from .helpers import assert_no_horizontal_scroll, login_with_code

LISTS = [
    "/enforcement/",
    "/enforcement/tips/",
    "/enforcement/inspections/",
    "/enforcement/facilities/",
    "/enforcement/devices/",
    "/enforcement/figures/",
    "/enforcement/facilities/?licence=expiring",
    "/enforcement/?overdue=1",
]


@pytest.fixture
def seeded(db):
    context = accounts_demo.seed(rng=random.Random(1), scale="small", context={})
    demo.seed(rng=random.Random(2), scale="small", context=context)


def detail_pages():
    return [
        Case.objects.filter(status="closed").first().get_absolute_url(),
        Case.objects.filter(status="investigating").first().get_absolute_url(),
        f"/enforcement/cases/{Case.objects.filter(status='investigating').first().pk}/to/decided/",
        f"/enforcement/cases/{Case.objects.filter(status='received').first().pk}/evidence/new/",
        Tip.objects.filter(status="case_opened").first().get_absolute_url(),
        Facility.objects.filter(devices__isnull=False, des_ultrasound=False).first().get_absolute_url(),
        Inspection.objects.filter(problems_found=True).first().get_absolute_url(),
        "/enforcement/cases/new/",
        "/enforcement/inspections/new/",
        "/enforcement/facilities/new/",
    ]


def test_inspector_pages_fit_a_phone(phone, live_server, seeded, shot, login):
    login(phone, "inspector", accounts_demo.DEMO_PASSWORD)
    for n, url in enumerate(LISTS + detail_pages()):
        response = phone.goto(url)
        assert response.status == 200, url
        assert_no_horizontal_scroll(phone, 375)
        path = shot(phone, f"{n:02d}-{url.strip('/').replace('/', '-').replace('?', '-') or 'root'}")
        phone.screenshot(path=path.with_name(path.stem + "-screen.png"))  # what the phone shows first
    phone.goto("/enforcement/tips/")
    # One markup at every width (table-cards, static/css/app.css): on a phone each row is a card
    # and the column headers leave the screen (they stay for screen readers).
    expect(phone.get_by_test_id("tip-row").first).to_be_visible()
    assert phone.get_by_test_id("tip-row").first.evaluate("e => getComputedStyle(e).display") == "flex"
    assert phone.locator("[data-testid=tip-table] thead").evaluate("e => e.getBoundingClientRect().width") <= 1


def test_leader_reads_the_lists_on_a_desktop_without_change_buttons(page, live_server, seeded, shot, login):
    login_with_code(page, User.objects.get(username="leader"), accounts_demo.DEMO_PASSWORD)
    for n, url in enumerate(LISTS[:5]):
        assert page.goto(url).status == 200 and page.url.endswith(url), url
        expect(page.get_by_test_id("new")).to_have_count(0)
        shot(page, f"{n:02d}-{url.strip('/').replace('/', '-')}")
    page.goto(Case.objects.filter(status="investigating").first().get_absolute_url())
    expect(page.get_by_test_id("next-steps")).to_have_count(0)
    expect(page.get_by_test_id("add-evidence")).to_have_count(0)
    shot(page, "case-detail")
