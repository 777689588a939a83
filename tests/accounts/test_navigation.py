"""The home page per role: its panel, and only the navigation entries the role may use."""
import re

import pytest

# (cast fixture, role code, role name shown in the header)
CAST = [
    ("clerk_a", "clerk", "镇街专干"),
    ("clerk_b", "clerk", "镇街专干"),
    ("bureau_staff", "bureau_staff", "局机关干部"),
    ("clinician", "clinician", "服务站医生"),
    ("inspector", "inspector", "执法人员"),
    ("leader", "leader", "局班子成员"),
    ("auditor", "auditor", "审计管理员"),
    ("admin_user", "admin", "系统管理员"),
]
NAV_LINK = re.compile(r'data-nav="(?P<key>[^"]+)"\s+href="(?P<url>[^"]+)">(?P<label>[^<]*)</a>')


def nav_entries(html: str) -> dict[str, tuple[str, str]]:
    return {m["key"]: (m["url"], m["label"].strip()) for m in NAV_LINK.finditer(html)}


def test_home_needs_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


@pytest.mark.parametrize(("who", "role", "role_name"), CAST, ids=[c[0] for c in CAST])
def test_home_shows_role_panel_and_only_allowed_navigation(request, client_for, who, role, role_name):
    user = request.getfixturevalue(who)

    response = client_for(user).get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="role-panel" data-role="{role}"' in html
    assert role_name in html
    if user.township:
        assert user.township.name in html
    expected = {"home": ("/", "工作台")}
    if role == "auditor":
        expected["audit"] = ("/accounts/audit/", "审计日志")
    if role == "admin":
        expected["admin"] = ("/admin/", "系统管理")
    if role == "clerk":  # the couple register and its follow-up work (households)
        expected.update(register=("/households/register/", "摸底造册"), visits=("/households/visits/", "随访记录"),
                        due=("/households/due/", "到期随访"))
    if role == "clerk":  # the townships' Excel sheets (households/views/exchange.py)
        expected["import"] = ("/households/import/", "导入 Excel")
    if role in ("bureau_staff", "leader"):  # 大走访 to households of the work group's villages (机关全体人员)
        expected["outreach"] = ("/households/outreach/", "大走访")
    if role == "leader":
        expected["stats"] = ("/households/stats/", "统计")
    if role in ("clerk", "leader"):  # assessment: leaders the county, clerks their own township
        expected["ranking"] = ("/assessment/", "考核排名")
        expected["weekly"] = ("/assessment/weekly/", "每周通报")
        # rectifications (整改): leaders the county's, clerks their own township's
        expected["rectifications"] = ("/assessment/rectifications/", "整改任务")
    if role == "leader":  # live indicators of every township (assessment)
        expected["scorecard"] = ("/assessment/scorecard/", "指标看板")
    if role in ("clerk", "clinician"):  # the pathway queue (screening): status for clerks, county for clinicians
        expected["pathway"] = ("/screening/", "服务进度")
    if role == "clinician":  # find a couple, the screenings with their results
        expected.update(screening_find=("/screening/find/", "孕前检查"),
                        screening_list=("/screening/screenings/", "检查记录"))
    if role in ("clinician", "leader"):  # the programme's rates and the masked lists behind them
        expected["screening_rates"] = ("/screening/rates/", "孕检指标")
    if role in ("inspector", "leader"):  # two-non enforcement (enforcement/apps.py), county-wide
        expected.update({
            "enf-cases": ("/enforcement/", "两非案件"), "enf-tips": ("/enforcement/tips/", "举报线索"),
            "enf-inspections": ("/enforcement/inspections/", "执法检查"),
            "enf-facilities": ("/enforcement/facilities/", "定点机构"), "enf-figures": ("/enforcement/figures/", "两非统计"),
        })
    if role == "clerk":  # households in scope (bureau staff reach theirs through 大走访: one entry, not two)
        expected["households"] = ("/households/", "家庭户")
    assert nav_entries(html) == expected
    # Not merely hidden from the menu: no link to the page anywhere on the home page.
    if role != "auditor":
        assert "/accounts/audit/" not in html
        assert "审计日志" not in html
    if role != "admin":
        assert 'href="/admin/' not in html


def test_granted_assessor_gets_the_assessment_entries(client_for, bureau_staff):
    # Entry is per user (assessment.Assessor), not per role: the same bureau staff member without
    # the grant has none of these (the parametrised test above).
    from assessment.models import Assessor

    Assessor.objects.create(user=bureau_staff)
    entries = nav_entries(client_for(bureau_staff).get("/").content.decode())
    assert entries["ranking"] == ("/assessment/", "考核排名")
    assert entries["scorecard"] == ("/assessment/scorecard/", "指标看板")
    assert entries["checks"] == ("/assessment/checks/new/", "考核录入")
    assert entries["weekly"] == ("/assessment/weekly/", "每周通报")
    assert entries["rectifications"] == ("/assessment/rectifications/", "整改任务")


def test_clerk_home_names_own_township_not_the_other(client_for, clerk_a, township_b):
    html = client_for(clerk_a).get("/").content.decode()
    assert "城关镇" in html
    assert township_b.name not in html


def test_home_refuses_post(client_for, clerk_a):
    assert client_for(clerk_a).post("/").status_code == 405
