"""Two-factor enrolment needs a one-time code the admin issues (issue #22 finding 8): whoever has a
leader's password before the leader enrols cannot register their own phone; re-enrolment is an
audited admin act the user hears of at their next login."""
import datetime
import re

import pyotp
from django.test import Client
from django.utils import timezone

from accounts import twofactor
from accounts.models import AuditEvent, EnrolmentCode

from .test_twofactor import LOGIN_URL, SETUP_URL, enrolled, login, next_code

CODE_URL = "/accounts/login/code/"


def admin_issues(client_for, admin_user, user, action="issue_enrolment_code") -> str:
    response = client_for(admin_user).post("/admin/accounts/user/", {"action": action, "_selected_action": [user.pk]})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return re.search(r'data-testid="enrolment-code">([A-Z0-9-]+)<', response.content.decode()).group(1)


def test_the_password_alone_shows_no_qr_code_and_registers_no_phone(client, leader, password):
    login(client, leader, password)
    page = client.get(SETUP_URL)
    html = page.content.decode()
    assert 'data-testid="otp-enrolment-code"' in html
    assert 'data-testid="otp-qr"' not in html and 'data-testid="otp-secret"' not in html
    refused = client.post(SETUP_URL, {"enrolment_code": "ABCD-EFGH-JKLM"})
    assert refused.status_code == 200 and "登记码不正确、已使用或已过期" in refused.content.decode()
    # A token posted straight away is not even looked at: nothing is enrolled.
    client.post(SETUP_URL, {"token": "123456"})
    assert not twofactor.has_device(leader)
    assert not twofactor.TOTPDevice.objects.filter(user=leader).exists()


def test_the_admins_code_opens_the_setup_once_and_is_audited(client_for, admin_user, leader, password):
    code = admin_issues(client_for, admin_user, leader)
    issued = AuditEvent.objects.get(object_id=str(leader.pk), detail__startswith="admin change: 2fa enrolment code")
    assert issued.user == admin_user and code not in issued.detail  # the code itself is never stored
    assert EnrolmentCode.objects.get(user=leader).code_hash != code

    client = Client()
    login(client, leader, password)
    assert client.post(SETUP_URL, {"enrolment_code": code.lower().replace("-", " ")}).status_code == 302
    html = client.get(SETUP_URL).content.decode()
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7]+)<', html).group(1)
    assert client.post(SETUP_URL, {"token": pyotp.TOTP(secret).now()}).status_code == 200
    assert twofactor.has_device(leader)
    assert EnrolmentCode.objects.get(user=leader).used_at is not None
    assert AuditEvent.objects.filter(user=leader, detail__startswith="2fa enabled with enrolment code").exists()

    other = Client()  # the same code a second time: used up
    twofactor.disable(leader)
    login(other, leader, password)
    assert "登记码不正确" in other.post(SETUP_URL, {"enrolment_code": code}).content.decode()


def test_an_expired_code_or_another_users_code_is_refused(client_for, admin_user, leader, clerk_a, password):
    code = admin_issues(client_for, admin_user, clerk_a)  # issued for someone else
    client = Client()
    login(client, leader, password)
    assert "登记码不正确" in client.post(SETUP_URL, {"enrolment_code": code}).content.decode()
    mine = admin_issues(client_for, admin_user, leader)
    EnrolmentCode.objects.filter(user=leader).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    client = Client()
    login(client, leader, password)
    assert "登记码不正确" in client.post(SETUP_URL, {"enrolment_code": mine}).content.decode()


def test_guessing_codes_is_throttled_like_passwords(client, leader, password, settings):
    login(client, leader, password)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        response = client.post(SETUP_URL, {"enrolment_code": "WRONG-CODE-0000"})
    assert "登录失败次数过多" in response.content.decode()


def test_only_the_admin_issues_codes(client_for, leader, clerk_a):
    response = client_for(leader).post("/admin/accounts/user/", {
        "action": "issue_enrolment_code", "_selected_action": [clerk_a.pk]})
    assert response.status_code in (302, 403)
    assert not EnrolmentCode.objects.exists()


def test_a_reset_is_audited_and_told_to_the_user_at_their_next_login(client_for, admin_user, leader, password):
    enrolled(leader)
    code = admin_issues(client_for, admin_user, leader, action="reset_two_factor")
    assert code and not twofactor.has_device(leader)
    assert AuditEvent.objects.filter(user=admin_user, object_id=str(leader.pk),
                                     detail__startswith="admin change: 2fa reset").exists()
    client = Client()
    response = client.post(LOGIN_URL, {"username": leader.username, "password": password}, follow=True)
    html = response.content.decode()
    assert "您的两步验证已于" in html and "由系统管理员" in html
    again = Client()
    html = again.post(LOGIN_URL, {"username": leader.username, "password": password}, follow=True).content.decode()
    assert "您的两步验证已于" not in html  # told once


def test_a_user_with_two_factor_is_told_of_the_reset_after_the_code(client_for, admin_user, leader, password):
    """A reset followed by a new enrolment before the next login: told at the login after the code."""
    admin_issues(client_for, admin_user, leader, action="reset_two_factor")
    device = enrolled(leader)
    client = Client()
    client.post(LOGIN_URL, {"username": leader.username, "password": password})
    response = client.post(CODE_URL, {"token": next_code(device)}, follow=True)
    assert "您的两步验证已于" in response.content.decode()
