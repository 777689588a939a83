"""Journey: a clerk on a phone registers a household, adds the wife, marks the couple, records an
intention survey and finds the couple in the register; a clerk of another township cannot open it."""
import datetime

from django.utils import timezone
from playwright.sync_api import expect

from accounts.validators import build_id_number
from households.models import Couple, Household

from .helpers import assert_no_horizontal_scroll, open_nav

PHONE_WIDTH = 375


def test_clerk_registers_household_couple_and_intention_on_phone(
    phone, new_page, live_server, clerk_a, clerk_b, village_a, password, shot, login,
):
    today = timezone.localdate()
    husband_id = build_id_number("411099", today.replace(year=today.year - 34) - datetime.timedelta(days=3), 131)
    wife_id = build_id_number("411099", today.replace(year=today.year - 31) - datetime.timedelta(days=9), 246)
    page = phone
    login(page, "clerk_a", password)

    open_nav(page)
    with page.expect_navigation():
        page.locator("[data-nav=households]").click()
    with page.expect_navigation():
        page.get_by_test_id("household-create").click()
    form = page.get_by_test_id("household-form")
    form.locator("select[name=village]").select_option(str(village_a.pk))
    form.locator("input[name=address]").fill("四组 21 号")
    form.locator("input[name=head_name]").fill("黄伟")
    form.locator("input[name=phone]").fill("13912340000")
    # A typo in the check digit first: refused in Chinese, everything typed kept.
    form.locator("input[name=id_number]").fill(husband_id[:17] + ("1" if husband_id[17] != "1" else "2"))
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "household-form")
    with page.expect_navigation():
        page.get_by_test_id("save-household").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("身份证号校验位不正确")
    expect(page.locator("input[name=address]")).to_have_value("四组 21 号")
    assert not Household.objects.exists()
    shot(page, "bad-id")

    page.locator("input[name=id_number]").fill(husband_id.lower())
    with page.expect_navigation():
        page.get_by_test_id("save-household").click()
    expect(page.get_by_test_id("household-title")).to_contain_text("黄伟")
    # Masked on the page; the whole number only on purpose, one tap, and back.
    head_row = page.get_by_test_id("member-row").first
    expect(head_row.get_by_test_id("masked-id")).to_have_text(husband_id[:6] + "********" + husband_id[-4:])
    expect(page.locator("body")).not_to_contain_text(husband_id)
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "household-detail")
    with page.expect_navigation():
        head_row.get_by_test_id("reveal-id").click()
    expect(page.get_by_test_id("full-id")).to_have_text(husband_id)
    shot(page, "full-id")
    with page.expect_navigation():
        page.get_by_test_id("back").click()
    expect(page.get_by_test_id("household-title")).to_contain_text("黄伟")

    with page.expect_navigation():
        page.get_by_test_id("person-create").click()
    page.locator("input[name=name]").fill("杨静")
    page.locator("input[name=id_number]").fill(wife_id)
    page.locator("select[name=relation]").select_option("1")
    with page.expect_navigation():
        page.get_by_test_id("save-person").click()
    expect(page.get_by_test_id("member-row")).to_have_count(2)

    with page.expect_navigation():
        page.get_by_test_id("couple-create").click()
    couple_form = page.get_by_test_id("couple-form")
    couple_form.locator("select[name=wife]").select_option(label="杨静")
    couple_form.locator("select[name=husband]").select_option(label="黄伟")
    couple_form.locator("input[name=boys]").fill("1")
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    with page.expect_navigation():
        page.get_by_test_id("save-couple").click()
    expect(page.get_by_test_id("couple-title")).to_contain_text("杨静 / 黄伟")

    with page.expect_navigation():
        page.get_by_test_id("survey-create").click()
    page.locator("label[for=id_planned_timing_0]").click()  # 一年内
    page.locator("input[name=reasons][value=lonely]").check()
    page.locator("input[name=services_wanted][value=pre_pregnancy]").check()
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "survey-form")
    with page.expect_navigation():
        page.get_by_test_id("save-survey").click()
    expect(page.get_by_test_id("couple-in-register")).to_be_visible()
    expect(page.get_by_test_id("responsible")).to_contain_text(clerk_a.name)
    expect(page.get_by_test_id("survey-row")).to_have_count(1)
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "couple-detail")

    couple = Couple.objects.get()
    assert (couple.in_register, couple.planned_timing, couple.responsible) == (True, "1", clerk_a)

    page.goto("/households/register/")
    expect(page.get_by_test_id("register-row")).to_contain_text("杨静")
    expect(page.get_by_test_id("register-row")).not_to_contain_text(wife_id)

    other = new_page(phone=True)
    login(other, "clerk_b", password)
    response = other.goto(f"/households/couples/{couple.pk}/")
    assert response.status == 404
    expect(other.locator("body")).not_to_contain_text("杨静")
    response = other.goto(f"/households/{couple.household_id}/")
    assert response.status == 404
