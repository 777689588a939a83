"""Chinese first; English only when the user picks it (accounts/middleware.py CookieLocaleMiddleware)."""
import re

import pytest

LOGIN_URL = "/accounts/login/"


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode())[1]


def test_interface_is_chinese_without_a_cookie_even_for_an_english_browser(client, db):
    response = client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response["Content-Language"] == "zh-hans"
    assert html_lang(response) == "zh-hans"
    assert "工作人员登录" in response.content.decode()
    assert 'value="en"' in response.content.decode()  # the switch offers English
    assert "Cookie" in response["Vary"]


def test_language_switch_to_english_sets_cookie_and_switches_the_page(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": LOGIN_URL})

    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert client.cookies["django_language"].value == "en"
    page = client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert page["Content-Language"] == "en"
    assert html_lang(page) == "en"
    assert 'value="zh-hans"' in page.content.decode()  # the switch now offers Chinese back


def test_language_switch_back_to_chinese(client, db):
    client.cookies["django_language"] = "en"

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": LOGIN_URL})

    page = client.get(LOGIN_URL)
    assert page["Content-Language"] == "zh-hans"
    assert html_lang(page) == "zh-hans"


def test_language_switch_works_for_logged_in_users_and_keeps_them_on_the_page(client_for, clerk_a):
    client = client_for(clerk_a)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response["Location"] == "/"
    assert client.get("/")["Content-Language"] == "en"


@pytest.mark.parametrize("cookie", ["fr", "de-de", "", "zh-hant"])
def test_unsupported_language_cookie_falls_back_to_chinese(client, db, cookie):
    client.cookies["django_language"] = cookie
    assert client.get(LOGIN_URL)["Content-Language"] == "zh-hans"


def test_language_switch_refuses_unsafe_next_url(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
