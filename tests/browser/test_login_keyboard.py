"""The login form's own button is the first submit button in the page, and Enter logs in (issue #6:
the language switch used to come first, so Enter or a script's "click submit" switched language)."""
from playwright.sync_api import expect

from .helpers import LOGIN_PATH


def test_enter_in_the_password_field_logs_in_on_a_phone(phone, live_server, clerk_a, password, shot):
    page = phone
    page.goto(LOGIN_PATH)
    first_submit = page.locator("[type=submit]").first
    expect(first_submit).to_have_attribute("value", "登录")
    assert first_submit.evaluate("b => b.form.querySelector('input[name=password]') !== null")

    page.locator("input[name=username]").fill("clerk_a")
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("role-panel")).to_contain_text("镇街专干")
    shot(page, "logged-in-by-enter")


def test_clicking_the_first_submit_button_logs_in(page, live_server, clerk_a, password):
    page.goto(LOGIN_PATH)
    page.locator("input[name=username]").fill("clerk_a")
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("[type=submit]").first.click()
    expect(page).to_have_url(f"{live_server.url}/")
