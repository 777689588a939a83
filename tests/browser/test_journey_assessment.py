"""Journey: an assessor enters one check across the townships on a phone, the ranking changes, and
a leader on a desktop opens that check from the ranking; then the scorecard and a township page."""
import datetime
from decimal import Decimal

from playwright.sync_api import expect

from assessment.models import RegularCheck, Scheme
from assessment.services.scoring import scores_recompute

from ..assessment.factories import LiaisonFactory, RegularCheckFactory, YearEndScoreFactory, grant
from ..factories import UserFactory
from .helpers import assert_no_horizontal_scroll, login_with_code

PHONE_WIDTH = 375
TODAY = datetime.date.today()
YEAR = TODAY.year
D = Decimal


def test_assessor_enters_a_check_and_the_leader_opens_it_from_the_ranking(
        new_page, live_server, township_a, township_b, leader, password, shot, login):
    # This year so far: A 18/20 (90) + year-end 80 → 86.00, 1st; B 16/20 (80) + 90 → 84.00, 2nd.
    Scheme.objects.create(year=YEAR, publicity_share=0)
    day = datetime.date(YEAR, 1, 2)
    RegularCheckFactory(township=township_a, score=D(18), maximum=D(20), check_date=day)
    RegularCheckFactory(township=township_b, score=D(16), maximum=D(20), check_date=day)
    YearEndScoreFactory(township=township_a, year=YEAR, score=D(80))
    YearEndScoreFactory(township=township_b, year=YEAR, score=D(90))
    LiaisonFactory(township=township_b, year=YEAR, leader=leader)
    scores_recompute(year=YEAR)
    assessor = UserFactory(username="assessor", name="吴平", role="bureau_staff")
    grant(assessor)

    # --- the assessor, on a phone --------------------------------------------------------------
    phone = new_page(phone=True)
    login(phone, "assessor", password)
    phone.goto("/assessment/")
    rows = phone.get_by_test_id("ranking-card")
    expect(rows.first).to_contain_text("城关镇")
    shot(phone, "assessor-ranking-before")
    phone.get_by_test_id("enter-check").click()
    form = phone.get_by_test_id("bulk-form")
    form.locator("select[name=category]").select_option("inspection")
    form.locator("input[name=title]").fill("二季度平时检查")
    form.locator("input[name=check_date]").fill(TODAY.isoformat())
    form.locator("input[name=maximum]").fill("50")
    form.locator(f"input[name=score_{township_a.pk}]").fill("60")  # above the maximum
    form.locator(f"input[name=score_{township_b.pk}]").fill("50")
    form.locator(f"input[name=findings_{township_a.pk}]").fill("宣传栏破损")
    assert_no_horizontal_scroll(phone, PHONE_WIDTH)
    with phone.expect_navigation():
        phone.get_by_test_id("save").click()
    # Nothing saved; the bad row is marked, every value kept.
    expect(phone.get_by_test_id("row-error")).to_have_text("得分 60 高于满分 50。")
    expect(form.locator(f"input[name=score_{township_b.pk}]")).to_have_value("50")
    expect(form.locator(f"input[name=findings_{township_a.pk}]")).to_have_value("宣传栏破损")
    assert RegularCheck.objects.count() == 2
    assert_no_horizontal_scroll(phone, PHONE_WIDTH)
    shot(phone, "bulk-row-error")
    phone.locator(f"input[name=score_{township_a.pk}]").fill("20")
    with phone.expect_navigation():
        phone.get_by_test_id("save").click()
    # B: 66/70 = 94.29 → 56.574 + 36 = 92.57, now 1st; A: 38/70 = 54.29 → 32.574 + 32 = 64.57.
    expect(phone.locator(".alert-success")).to_contain_text("已录入 2 个镇街")
    expect(phone.get_by_test_id("ranking-card").first).to_contain_text("东关街道")
    expect(phone.get_by_test_id("ranking-card").first).to_contain_text("92.57")
    assert_no_horizontal_scroll(phone, PHONE_WIDTH)
    shot(phone, "assessor-ranking-after")

    # --- the leader, on a desktop --------------------------------------------------------------
    page = new_page()
    login_with_code(page, leader, password)
    expect(page.get_by_test_id("home-assessment")).to_contain_text("东关街道")
    shot(page, "leader-home")
    page.goto("/assessment/")
    table = page.get_by_test_id("ranking-table")
    first = table.get_by_test_id("ranking-row").first
    expect(first).to_have_attribute("data-township", "东关街道")
    expect(first).to_have_class("table-warning liaison-mine")
    expect(page.get_by_test_id("bar-chart").locator("svg")).to_be_visible()
    shot(page, "leader-ranking")
    first.get_by_test_id("regular-link").click()
    expect(page.get_by_test_id("check-row")).to_have_count(2)
    shot(page, "leader-checks-behind")
    page.get_by_test_id("check-row").filter(has_text="二季度平时检查").click()
    expect(page.get_by_test_id("check-title")).to_have_text("二季度平时检查")
    expect(page.get_by_test_id("detail-score")).to_have_text("50 / 50")
    shot(page, "leader-check-detail")

    page.goto(f"/assessment/townships/{township_b.pk}/{YEAR}/")
    expect(page.get_by_test_id("total")).to_have_text("92.57")
    shot(page, "township")
    page.goto("/assessment/scorecard/")
    expect(page.get_by_test_id("scorecard-row")).to_have_count(2)
    shot(page, "scorecard")

    # The same pages fit a phone.
    leader_phone = new_page(phone=True)
    login(leader_phone, "leader", password)
    for path, name in (("/assessment/", "phone-ranking"), ("/assessment/scorecard/", "phone-scorecard"),
                       (f"/assessment/townships/{township_b.pk}/{YEAR}/", "phone-township")):
        leader_phone.goto(path)
        assert_no_horizontal_scroll(leader_phone, PHONE_WIDTH)
        shot(leader_phone, name)
