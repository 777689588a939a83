"""Password rules, changing one's own password, expiry, the profile page and ending sessions."""
import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from tests.factories import UserFactory

PASSWORD_URL = "/accounts/password/"
PROFILE_URL = "/accounts/profile/"
GOOD = "Hx7#river-lamp"


@pytest.mark.parametrize("weak", [
    "zhangsan",  # one kind of character
    "qqqqqqqq1",  # two kinds
    "Qqqqqqq1!",  # four kinds, but four different characters
    "Zhang123",  # three kinds, but the username
    "Ab1!",  # too short
    "Password1",  # on Django's list of common passwords
])
def test_weak_passwords_are_refused(db, weak):
    user = UserFactory.build(username="zhang123", name="张三", email="", phone="13900001111")
    with pytest.raises(ValidationError):
        validate_password(weak, user)


def test_password_like_the_username_is_refused(db):
    user = UserFactory.build(username="clerk_lina", name="李娜")
    with pytest.raises(ValidationError) as error:
        validate_password("Clerk_lina1", user)
    assert "相似" in " ".join(error.value.messages) or "similar" in " ".join(error.value.messages)


def test_a_good_password_passes(db):
    validate_password(GOOD, UserFactory.build(username="clerk_lina", name="李娜"))


def test_weak_password_messages_are_chinese(db):
    with pytest.raises(ValidationError) as error:
        validate_password("zhangsanfeng", UserFactory.build(username="x1", name="王五"))
    assert "四类中的至少 3 类" in " ".join(error.value.messages)


def test_user_changes_own_password_other_sessions_end_this_one_stays(client_for, client, clerk_a, password):
    from django.test import Client

    other = Client()
    other.force_login(clerk_a)
    mine = client_for(clerk_a)

    response = mine.post(PASSWORD_URL, {"old_password": password, "new_password1": GOOD, "new_password2": GOOD})

    assert response.status_code == 302 and response["Location"] == PROFILE_URL
    clerk_a.refresh_from_db()
    assert clerk_a.check_password(GOOD)
    assert clerk_a.password_changed_at is not None
    assert mine.get("/").status_code == 200
    assert other.get("/").status_code == 302  # the other device's session no longer matches
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, detail="password changed by its owner")
    assert event.user == clerk_a and GOOD not in event.detail and password not in event.detail


def test_weak_new_password_keeps_the_old_one_and_says_why(client_for, clerk_a, password):
    response = client_for(clerk_a).post(
        PASSWORD_URL, {"old_password": password, "new_password1": "qqqqqqqq1", "new_password2": "qqqqqqqq1"})

    assert response.status_code == 200
    assert "四类中的至少 3 类" in response.content.decode()
    clerk_a.refresh_from_db()
    assert clerk_a.check_password(password)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).exists()


def test_wrong_old_password_changes_nothing(client_for, clerk_a, password):
    response = client_for(clerk_a).post(
        PASSWORD_URL, {"old_password": "nope", "new_password1": GOOD, "new_password2": GOOD})
    assert response.status_code == 200
    clerk_a.refresh_from_db()
    assert clerk_a.check_password(password)


def test_password_change_needs_login(client, db):
    response = client.get(PASSWORD_URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_expired_password_must_be_changed_first(client_for, clerk_a, password, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    clerk_a.password_changed_at = timezone.now() - datetime.timedelta(days=91)
    clerk_a.save()
    client = client_for(clerk_a)

    response = client.get("/households/")
    assert response.status_code == 302 and response["Location"] == PASSWORD_URL
    assert client.get(PASSWORD_URL).status_code == 200

    client.post(PASSWORD_URL, {"old_password": password, "new_password1": GOOD, "new_password2": GOOD})
    assert client.get("/households/").status_code == 200


def test_password_expiry_is_off_by_default(client_for, clerk_a, settings):
    assert settings.PASSWORD_MAX_AGE_DAYS == 0
    clerk_a.password_changed_at = timezone.now() - datetime.timedelta(days=3650)
    clerk_a.save()
    assert client_for(clerk_a).get("/households/").status_code == 200


def test_profile_shows_name_role_township_and_security(client_for, clerk_a):
    html = client_for(clerk_a).get(PROFILE_URL).content.decode()
    for text in ["张丽", "镇街专干", "城关镇", "修改密码", "启用两步验证", "退出其他所有设备上的登录"]:
        assert text in html, text


def test_profile_refuses_post(client_for, clerk_a):
    assert client_for(clerk_a).post(PROFILE_URL).status_code == 405


def test_log_out_everywhere_else(client_for, clerk_a):
    from django.test import Client

    other = Client()
    other.force_login(clerk_a)
    mine = client_for(clerk_a)

    response = mine.post("/accounts/sessions/logout-others/")

    assert response.status_code == 302
    assert other.get("/").status_code == 302
    assert SESSION_KEY not in other.session
    assert mine.get("/").status_code == 200
    assert AuditEvent.objects.filter(user=clerk_a, detail="all other sessions ended").exists()


def test_log_out_everywhere_refuses_get(client_for, clerk_a):
    assert client_for(clerk_a).get("/accounts/sessions/logout-others/").status_code == 405


def test_session_key_is_rotated_at_login(client, clerk_a, password):
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key

    client.post("/accounts/login/", {"username": "clerk_a", "password": password})

    assert client.session[SESSION_KEY] == str(clerk_a.pk)
    assert client.session.session_key != before
