"""Journey: a township clerk signs in on a phone, looks around, switches language and signs out."""
import re

from playwright.sync_api import expect

from .helpers import LOGIN_PATH, assert_no_horizontal_scroll, open_nav

PHONE_WIDTH = 375


def test_clerk_logs_in_switches_language_and_logs_out_on_phone(phone, live_server, clerk_a, password, shot, login):
    page = phone
    assert page.viewport_size["width"] == PHONE_WIDTH

    page.goto("/")
    # Not logged in: the home page sends the clerk to the login page.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "login")

    login(page, "clerk_a", password)
    expect(page).to_have_url(f"{live_server.url}/")
    role_panel = page.get_by_test_id("role-panel")
    expect(role_panel).to_be_visible()
    expect(role_panel).to_have_attribute("data-role", "clerk")
    expect(role_panel).to_contain_text("镇街专干")
    expect(role_panel).to_contain_text("城关镇")
    expect(page.get_by_role("heading", level=1)).to_have_text("张丽，您好")
    # On a phone the navigation is collapsed behind the toggler.
    expect(page.get_by_test_id("nav")).to_be_hidden()
    expect(page.locator(".navbar-toggler")).to_be_visible()
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "home")

    open_nav(page)
    nav = page.get_by_test_id("nav")
    expect(nav).to_be_visible()
    expect(nav.locator("[data-nav=home]")).to_have_text("工作台")
    # A clerk has no audit log or system administration entries (their work entries come with the apps).
    expect(nav.locator("[data-nav=audit]")).to_have_count(0)
    expect(nav.locator("[data-nav=admin]")).to_have_count(0)
    expect(nav.locator("[data-nav=register]")).to_have_text("摸底造册")
    expect(page.get_by_test_id("whoami")).to_have_text("张丽 · 镇街专干 · 城关镇")
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "nav-open")

    with page.expect_navigation():
        page.get_by_test_id("language-switch").get_by_role("button", name="English").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    open_nav(page)
    # The switch now offers the way back.
    expect(page.get_by_test_id("language-switch").get_by_role("button")).to_have_text("中文")
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "english-nav-open")

    with page.expect_navigation():
        page.get_by_test_id("language-switch").get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("role-panel")).to_contain_text("镇街专干")
    open_nav(page)
    shot(page, "chinese-again-nav-open")

    with page.expect_navigation():
        page.get_by_test_id("logout").click()
    expect(page).to_have_url(f"{live_server.url}{LOGIN_PATH}")
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_count(0)
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "logged-out")

    # The session is really gone: home sends the clerk back to the login page.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_failed_login_shows_chinese_error_and_keeps_username(page, clerk_a, shot, login):
    login(page, "clerk_a", "not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator(".alert-danger")).to_contain_text("用户名或密码不正确，请重新输入（密码区分大小写）。")
    expect(page.locator("input[name=username]")).to_have_value("clerk_a")
    # The password is never sent back to the browser.
    expect(page.locator("input[name=password]")).to_have_value("")
    expect(page.get_by_test_id("logout")).to_have_count(0)
    shot(page, "login-failed")
