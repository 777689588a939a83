"""The home page shows what works now and nothing else (issue #6): no list of features that do not
exist yet; each app adds its panel through AppConfig.home_panel when it lands."""
import re

import pytest

from accounts.navigation import home_panels

# The feature list the role panel used to promise before any of it existed (issue #6).
OLD_PROMISES = ["孕前检查进度（仅显示风险等级）", "19 项检查结果与风险评估", "查看各镇/街道汇总数据、考核排名和每周一晨会通报。",
                "登记“两非”举报线索和案件，维护六定点机构与B超机备案。"]
ROLES = ["clerk_a", "bureau_staff", "clinician", "inspector", "leader", "auditor", "admin_user"]


@pytest.mark.parametrize("who", ROLES)
def test_home_page_promises_nothing_it_cannot_open(db, request, client_for, who):
    """Everything the home page names is a link that works now (a feature appears when it does)."""
    client = client_for(request.getfixturevalue(who))
    html = client.get("/").content.decode()
    for promise in OLD_PROMISES:
        assert promise not in html, promise
    main = html[html.index("<main"):]
    for href in set(re.findall(r'href="(/[^"#]*)"', main)):
        assert client.get(href, follow=True).status_code == 200, href


@pytest.mark.parametrize("who", ROLES)
def test_a_role_with_nothing_yet_is_told_so_plainly(db, request, client_for, who):
    user = request.getfixturevalue(who)
    html = client_for(user).get("/").content.decode()
    panels, _context = home_panels(user)
    if panels:
        assert 'data-testid="home-panels"' in html and 'data-testid="home-empty"' not in html
    else:
        assert 'data-testid="home-empty"' in html and 'data-testid="home-panels"' not in html


@pytest.mark.parametrize(("who", "panel", "link"), [
    ("auditor", "home-panel-audit", "/accounts/audit/"),
    ("admin_user", "home-panel-admin", "/admin/"),
    ("leader", "home-panel-households", "/households/stats/"),
    ("bureau_staff", "home-panel-households", "/households/outreach/"),
])
def test_each_role_gets_the_panel_of_what_it_can_do(db, request, client_for, who, panel, link):
    html = client_for(request.getfixturevalue(who)).get("/").content.decode()
    assert f'data-testid="{panel}"' in html
    assert f'href="{link}"' in html
    assert 'data-testid="home-empty"' not in html
