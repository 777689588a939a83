"""`make run` behaves like production (issue #6): the project's own error pages, a favicon, and
no English left in what a screen reader reads out."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]


def _setting_in(module: str, name: str, **env) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"} | env
    environment["DJANGO_SETTINGS_MODULE"] = module
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_make_run_settings_show_the_projects_error_pages_unless_asked_otherwise():
    assert _setting_in("config.settings.local", "DEBUG") == "False"
    assert _setting_in("config.settings.local", "DEBUG", DJANGO_DEBUG="true") == "True"


@override_settings(DEBUG=False)
def test_unknown_page_is_the_chinese_404_page(client_for, clerk_a):
    response = client_for(clerk_a).get("/households/999999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="error-404"' in html and "未找到该页面或记录" in html
    assert "Page not found" not in html


def test_favicon_answers_without_login(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.ico")
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content if icon.streaming else [icon.content])[:4] == b"\x00\x00\x01\x00"


@pytest.mark.parametrize("template", sorted(p.relative_to(ROOT) for p in (ROOT / "templates").rglob("*.html")))
def test_no_template_labels_a_landmark_in_english_or_styles_inline(template):
    text = (ROOT / template).read_text(encoding="utf-8")
    assert 'aria-label="breadcrumb"' not in text
    assert not re.search(r'\sstyle="', text), "inline styles are blocked by the Content-Security-Policy"
    # {# #} comments end at the line's end: a longer one shows on the page.
    for line in text.splitlines():
        assert "{#" not in line or "#}" in line, line


def test_server_error_page_is_the_projects_own_and_styled_without_inline_css(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/households/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统暂时出错" in html and 'data-testid="error-500"' in html
    assert "/static/css/app.css" in html
    assert "style=" not in html
