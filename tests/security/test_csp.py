"""The Content-Security-Policy: on every response, strict, and nothing in the templates it would block."""
import re
from pathlib import Path

import pytest
from django.http import HttpResponse

from .test_url_roles import page_problems

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STRICT = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "object-src": "'none'",
    "frame-ancestors": "'none'", "base-uri": "'self'", "form-action": "'self'",
}


def directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/accounts/login/", "/no-such-page/", "/healthz/", "/admin/"])
def test_anonymous_responses_carry_the_strict_policy(client, db, url):
    policy = directives(client.get(url))
    for name, value in STRICT.items():
        assert policy[name] == value, name
    assert "unsafe-inline" not in str(policy) and "unsafe-eval" not in str(policy)


def test_logged_in_pages_carry_the_policy_and_no_store(client_for, clerk_a):
    response = client_for(clerk_a).get("/households/")
    assert directives(response)["script-src"] == "'self'"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_login_page_is_not_cached_either(client, db):
    assert "no-store" in client.get("/accounts/login/")["Cache-Control"]


@pytest.mark.parametrize("html, problem", [
    ('<script>alert(1)</script>', "inline <script>"),
    ('<div style="color:red">x</div>', "style= attribute"),
    ('<style>p{}</style>', "<style> element"),
    ('<button onclick="go()">x</button>', "on*= handler"),
    ('<a href="javascript:go()">x</a>', "javascript: URL"),
    ('<p>血红蛋白 Hb 9E+2 g/L</p>', "number in scientific notation"),
    ('<td>经常性考核 × 6E+1%</td>', "number in scientific notation"),
])
def test_page_check_finds_what_the_policy_blocks(html, problem):
    response = HttpResponse(html)
    response["Content-Security-Policy"] = "script-src 'self'; style-src 'self'"
    assert any(p.startswith(problem) for p in page_problems(response))


def test_page_check_accepts_scripts_from_files_and_json_data():
    response = HttpResponse('<script src="/static/js/x.js"></script><script id="d" type="application/json">{}</script>'
                            '<p>onboarding=fine in text</p><p>金卫罚〔2026〕2号 · 1,234.50 元 · 4.205</p>'
                            '<img src="/static/a.9E+2.png" alt="">')
    response["Content-Security-Policy"] = "script-src 'self'; style-src 'self'"
    assert page_problems(response) == []


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_inline_script_or_style(path):
    # Also catches templates the URL table never renders (error pages, partials).
    text = path.read_text()
    assert not re.search(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")", text), "inline <script>"
    assert not re.search(r"<[a-z][^>]*\sstyle\s*=", text, re.I), "style= attribute"
    assert not re.search(r"<style\b", text, re.I), "<style> element"
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", text, re.I), "on*= handler"
