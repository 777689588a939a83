"""Small actions and checks shared by browser journeys. Fixtures live in conftest.py.

Each function takes a Playwright ``Page`` whose context has ``base_url`` set to the live server,
so paths like ``"/accounts/login/"`` work with ``page.goto``.
"""
import re

from playwright.sync_api import Page, expect

LOGIN_PATH = "/accounts/login/"


def login(page: Page, username: str, password: str) -> None:
    """Open the login page, fill the form and submit it; returns once the answer has loaded.

    It does not assert success: a journey about a failed login uses it too.
    """
    page.goto(LOGIN_PATH)
    # The page has two forms (the language switch is one), so scope the submit to the login form.
    form = page.locator("form:has(input[name=username])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("[type=submit]").click()


def login_with_code(page: Page, user, password: str) -> None:
    """Log in as a user whose role needs two-factor login (settings.TWO_FACTOR_REQUIRED_ROLES):
    give them a confirmed authenticator, then answer the code step with its current TOTP code,
    as the person would from their phone. Other roles log in with the password alone."""
    from django.conf import settings
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if user.role not in settings.TWO_FACTOR_REQUIRED_ROLES:
        login(page, user.username, password)
        return
    # Enrolled before the login (setting it up needs the admin's enrolment code): the code step.
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="authenticator", defaults={"confirmed": True})
    login(page, user.username, password)
    page.get_by_label("验证码").fill(f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}")
    with page.expect_navigation():
        page.locator("form:has(input[name=token]) [type=submit]").click()
    saved = page.get_by_text("我已保存，继续")
    if saved.count():  # first login with this authenticator: the recovery codes are shown once
        with page.expect_navigation():
            saved.click()


def open_nav(page: Page) -> None:
    """Open the collapsed navbar on a narrow viewport (no-op when it is already shown)."""
    menu = page.locator("#main-nav")
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and not menu.is_visible():
        toggler.click()
    # Bootstrap's collapse animates height ("collapsing"); "show" is added once it has finished.
    expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))


def page_width(page: Page) -> dict:
    """The layout width against the viewport, for 'no sideways scrolling' checks."""
    return page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,"
        " viewport: window.innerWidth})"
    )


def assert_no_horizontal_scroll(page: Page, width: int | None = None) -> None:
    """The page fits its viewport: nothing sticks out to the right (1 px of rounding allowed)."""
    width = width or page.viewport_size["width"]
    measured = page_width(page)
    assert measured["scroll"] <= width + 1, f"{page.url} scrolls sideways at {width}px: {measured}"
