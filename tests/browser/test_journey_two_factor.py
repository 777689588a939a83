"""Journey: a leader sets up two-factor login on a phone, then logs in with a code."""
import re

import pyotp
from playwright.sync_api import expect

from accounts import twofactor
from tests.factories import UserFactory

from .helpers import assert_no_horizontal_scroll

PHONE_WIDTH = 375


def test_leader_sets_up_two_factor_then_logs_in_with_a_code(phone, live_server, leader, password, shot, login):
    page = phone
    login(page, "leader", password)
    # A leader must set it up before anything else.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/\?next="))
    expect(page.get_by_test_id("otp-required")).to_be_visible()
    # First the one-time enrolment code the admin issued (the password alone shows no QR code).
    expect(page.get_by_test_id("otp-qr")).to_have_count(0)
    code, _record = twofactor.issue_enrolment_code(user=leader, by=UserFactory(username="sysadmin2", role="admin"))
    page.get_by_label("登记码").fill(code)
    with page.expect_navigation():
        page.get_by_test_id("enrolment-next").click()
    qr = page.get_by_test_id("otp-qr").locator("svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and abs(box["width"] - box["height"]) < 2  # square, big enough to scan
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "setup")

    secret = page.get_by_test_id("otp-secret").inner_text()
    page.get_by_label("验证码").fill(pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.get_by_role("button", name="启用两步验证").click()
    codes = page.get_by_test_id("recovery-codes").locator("code")
    expect(codes).to_have_count(10)
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "recovery-codes")
    recovery = codes.first.inner_text()

    with page.expect_navigation():
        page.get_by_role("link", name="我已保存，继续").click()
    expect(page.get_by_test_id("role-panel")).to_have_attribute("data-role", "leader")

    page.goto("/accounts/profile/")  # the name in the header links here (inside the menu on a phone)
    expect(page.get_by_test_id("profile-2fa")).to_contain_text("已启用")
    expect(page.get_by_test_id("profile-2fa")).to_contain_text("剩余 10 个恢复码")
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "profile")

    # Next login: the password alone is not enough; a recovery code stands in for the phone.
    page.context.clear_cookies()
    login(page, "leader", password)
    expect(page).to_have_url(f"{live_server.url}/accounts/login/code/")
    shot(page, "code-step")
    page.get_by_label("验证码").fill(recovery)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("role-panel")).to_have_attribute("data-role", "leader")
    expect(page.get_by_role("alert")).to_contain_text("还剩 9 个")
    shot(page, "home-after-recovery-code")
