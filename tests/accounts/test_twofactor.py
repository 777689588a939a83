"""Two-factor login with real TOTP codes (pyotp computes them independently of django-otp)."""
import re
import time

import pyotp
import pytest
from django.contrib.auth import SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from accounts.models import AuditEvent
from tests.factories import UserFactory

LOGIN_URL = "/accounts/login/"
CODE_URL = "/accounts/login/code/"
SETUP_URL = "/accounts/2fa/"


def login(client, user, password, **extra):
    return client.post(LOGIN_URL, {"username": user.username, "password": password}, **extra)


def totp_for(device) -> pyotp.TOTP:
    return pyotp.TOTP(twofactor.secret_base32(device))


def enrolled(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device


def next_code(device) -> str:
    """A code django-otp has not seen yet (it refuses a code twice, as it should)."""
    device.refresh_from_db()
    totp = totp_for(device)
    now = time.time()
    for offset in (0, 30, -30):  # within the default tolerance of one step either side
        step = int((now + offset) // 30)
        if device.last_t is None or step > device.last_t:
            return totp.at(now + offset)
    pytest.skip("no unused TOTP step left in the tolerance window")


def test_clerk_without_two_factor_logs_in_with_password_alone(client, clerk_a, password):
    response = login(client, clerk_a, password)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def issue_code(user) -> str:
    """What the admin's action does (tests/accounts/test_twofactor_enrolment.py drives the admin)."""
    admin = UserFactory(username=f"admin_for_{user.username}", role="admin")
    return twofactor.issue_enrolment_code(user=user, by=admin)[0]


def enter_code(client, user) -> None:
    response = client.post(SETUP_URL, {"enrolment_code": issue_code(user)})
    assert response.status_code == 302 and response["Location"].startswith(SETUP_URL)


def test_leader_must_set_up_two_factor_before_anything_else(client, leader, password):
    assert login(client, leader, password).status_code == 302
    for url in ["/", "/households/stats/", "/accounts/profile/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{SETUP_URL}?next=")

    enter_code(client, leader)
    page = client.get(SETUP_URL)

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="otp-required"' in html
    assert "<svg" in html and 'class="segno"' in html  # QR drawn here, inline, no external image
    assert "style=" not in html.split('data-testid="otp-qr"')[1].split("</div>")[0]


def test_setting_up_with_a_real_code_shows_recovery_codes_and_opens_the_app(client, leader, password):
    login(client, leader, password)
    enter_code(client, leader)
    html = client.get(SETUP_URL).content.decode()
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7]+)<', html).group(1)
    assert client.post(SETUP_URL, {"token": "000000"}).status_code == 200
    assert not twofactor.has_device(leader)

    response = client.post(SETUP_URL, {"token": pyotp.TOTP(secret).now(), "next": "/households/stats/"})

    html = response.content.decode()
    codes = re.findall(r"<li class=\"col\"><code>(\w+)</code></li>", html)
    assert len(codes) == twofactor.RECOVERY_CODES
    assert twofactor.has_device(leader)
    assert client.get("/households/stats/").status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, detail__startswith="2fa enabled with enrolment code")
    assert (event.user, event.object_id) == (leader, str(leader.pk))
    assert secret not in event.detail


def test_login_with_two_factor_needs_the_code_and_rotates_the_session_key(client, clerk_a, password):
    device = enrolled(clerk_a)
    client.get(LOGIN_URL)
    response = login(client, clerk_a, password)
    assert response.status_code == 302 and response["Location"] == CODE_URL
    assert SESSION_KEY not in client.session  # not logged in after the password alone
    assert client.get("/").status_code == 302
    key_before = client.session.session_key

    response = client.post(CODE_URL, {"token": next_code(device)})

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(clerk_a.pk)
    assert client.session.session_key != key_before
    assert client.get("/").status_code == 200


def test_wrong_codes_lock_like_wrong_passwords(client, clerk_a, password, settings):
    device = enrolled(clerk_a)
    login(client, clerk_a, password)
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        response = client.post(CODE_URL, {"token": "123456"})
        assert "验证码不正确" in response.content.decode()
    assert "登录失败次数过多" in client.post(CODE_URL, {"token": "123456"}).content.decode()

    response = client.post(CODE_URL, {"token": next_code(device)})

    assert "登录失败次数过多" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED, username="clerk_a").count() == 1


def test_a_recovery_code_works_once(client, leader, password):
    enrolled(leader)
    codes = twofactor.issue_recovery_codes(leader)
    login(client, leader, password)

    response = client.post(CODE_URL, {"token": codes[0]})

    assert response.status_code == 302
    assert client.get("/").status_code == 200  # verified: the middleware lets the leader in
    assert twofactor.recovery_codes_left(leader) == twofactor.RECOVERY_CODES - 1
    client.post("/accounts/logout/")
    login(client, leader, password)
    assert "验证码不正确" in client.post(CODE_URL, {"token": codes[0]}).content.decode()


def test_code_page_without_a_password_step_goes_back_to_login(client, db):
    response = client.get(CODE_URL)
    assert response.status_code == 302 and response["Location"] == LOGIN_URL


def test_code_step_expires(client, clerk_a, password, settings):
    enrolled(clerk_a)
    login(client, clerk_a, password)
    settings.LOGIN_OTP_PENDING_SECONDS = -1

    response = client.post(CODE_URL, {"token": "123456"})

    assert response.status_code == 302 and response["Location"] == LOGIN_URL


def test_clerk_may_turn_two_factor_off_leader_may_not(client_for, clerk_a, leader):
    enrolled(clerk_a)
    client_for(clerk_a).post("/accounts/2fa/disable/")
    assert not twofactor.has_device(clerk_a)
    assert AuditEvent.objects.filter(user=clerk_a, detail="2fa disabled").exists()

    client = client_for(leader)
    response = client.post("/accounts/2fa/disable/", follow=True)
    assert "不能停用" in response.content.decode()
    assert twofactor.has_device(leader)


def test_new_recovery_codes_replace_the_old_ones(client_for, clerk_a):
    enrolled(clerk_a)
    old = twofactor.issue_recovery_codes(clerk_a)

    html = client_for(clerk_a).post("/accounts/2fa/recovery-codes/").content.decode()

    new = re.findall(r"<code>(\w+)</code>", html)
    assert len(new) == twofactor.RECOVERY_CODES and not set(new) & set(old)
    assert twofactor.verify(clerk_a, old[0]) is None


def test_required_roles_follow_the_setting(client, leader, password, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = []  # `make run`'s demo (config/settings/local.py)
    login(client, leader, password)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("next_url", ["abc", "next.html", "//evil.example/", "https://evil.example/", "/\\evil"])
def test_two_factor_login_with_a_next_that_is_not_a_local_path_lands_home(client, leader, password, next_url):
    """Issue #22 finding 3: ``next=abc`` was a 500 (NoReverseMatch) once the code was right."""
    device = enrolled(leader)
    response = client.post(f"{LOGIN_URL}?next={next_url}", {"username": leader.username, "password": password})
    assert response.status_code == 302 and response["Location"] == CODE_URL

    response = client.post(CODE_URL, {"token": next_code(device)})

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_two_factor_login_keeps_a_local_next(client, leader, password):
    device = enrolled(leader)
    client.post(f"{LOGIN_URL}?next=/households/stats/", {"username": leader.username, "password": password})
    response = client.post(CODE_URL, {"token": next_code(device)})
    assert response["Location"] == "/households/stats/"


def test_code_page_for_a_session_without_the_second_factor_ignores_next_abc(client, leader, password):
    device = enrolled(leader)
    client.force_login(leader)
    response = client.post(f"{SETUP_URL}?next=abc", {"token": next_code(device), "next": "abc"})
    assert response.status_code == 302 and response["Location"] == "/"
