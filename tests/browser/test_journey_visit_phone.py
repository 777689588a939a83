"""Journey: a clerk on a phone finds an overdue couple in the due list and records a visit."""
import datetime

from django.utils import timezone
from playwright.sync_api import expect

from households.models import FollowUpVisit

from ..factories import RegisterCoupleFactory
from .helpers import assert_no_horizontal_scroll

PHONE_WIDTH = 375
DAY = datetime.timedelta(days=1)


def test_clerk_records_visit_from_due_list_on_phone(phone, live_server, clerk_a, clerk_b, village_a, password,
                                                     shot, login):
    today = timezone.localdate()
    couple = RegisterCoupleFactory(household__village=village_a, responsible=clerk_a, next_visit_due=today - 5 * DAY)
    page = phone
    login(page, "clerk_a", password)

    page.goto("/households/due/")
    row = page.get_by_test_id("due-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(couple.wife.name)
    expect(row.get_by_test_id("days-overdue")).to_have_text("逾期 5 天")
    expect(row).not_to_contain_text(couple.wife.id_number)  # masked in lists
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "due-list")

    with page.expect_navigation():
        row.get_by_test_id("due-record-visit").click()
    form = page.get_by_test_id("visit-form")
    lmp = page.get_by_test_id("lmp-group")
    next_due = form.locator("input[name=next_due]")
    # 未孕 to start with: no LMP field, next visit one 未孕 interval away.
    expect(lmp).to_be_hidden()
    expect(next_due).to_have_value((today + 90 * DAY).isoformat())
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "visit-form")

    page.locator("label[for=id_pregnancy_status_1]").click()  # 已孕
    expect(lmp).to_be_visible()
    expect(next_due).to_have_value((today + 30 * DAY).isoformat())
    form.locator("input[name=services][value=prenatal_care]").check()
    form.locator("textarea[name=notes]").fill("已告知产前筛查时间")
    with page.expect_navigation():
        page.get_by_test_id("save-visit").click()
    # Refused without the LMP: the message in Chinese, everything typed still there.
    expect(page.locator(".invalid-feedback")).to_contain_text("孕情为“已孕”时必须填写末次月经日期。")
    expect(page.get_by_test_id("lmp-group")).to_be_visible()
    expect(page.locator("textarea[name=notes]")).to_have_value("已告知产前筛查时间")
    expect(page.locator("input[name=services][value=prenatal_care]")).to_be_checked()
    assert not FollowUpVisit.objects.exists()
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "missing-lmp")

    page.locator("input[name=last_menstrual_period]").fill((today - 45 * DAY).isoformat())
    with page.expect_navigation():
        page.get_by_test_id("save-visit").click()
    # Back on the due list; the couple is no longer due this week.
    expect(page.locator(".alert-success")).to_contain_text("已记录")
    expect(page.get_by_test_id("due-row")).to_have_count(0)
    visit = FollowUpVisit.objects.get()
    assert (visit.pregnancy_status, visit.next_due, visit.services) == ("pregnant", today + 30 * DAY, ["prenatal_care"])
    shot(page, "after-save")


def test_other_township_clerk_cannot_open_the_visit_form(page, live_server, clerk_b, village_a, password, login):
    couple = RegisterCoupleFactory(household__village=village_a)
    login(page, "clerk_b", password)
    response = page.goto(f"/households/couples/{couple.pk}/visits/new/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(couple.wife.name)
