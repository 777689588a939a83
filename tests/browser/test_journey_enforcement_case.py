"""Journey: an inspector on a phone records a tip, opens a case from it, attaches a photo taken
with the camera, moves the case to 结案 — and the county figures a leader reads change."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from enforcement.models import Case, Evidence, Tip

from ..enforcement.files import png
from ..factories import UserFactory
from .helpers import assert_no_horizontal_scroll, login_with_code

PHONE_WIDTH = 375


@pytest.fixture
def people(township_a, township_b, password):
    return {
        "inspector": UserFactory(username="inspector", name="赵刚", role="inspector"),
        "leader": UserFactory(username="leader", name="李建国", role="leader"),
    }


def county(page) -> dict:
    page.goto("/enforcement/figures/")
    return {key: page.get_by_test_id(f"county-{key}").inner_text() for key in ("tips", "filed", "closed", "rate")}


def step(page, shot, to_label, name, **fill):
    with page.expect_navigation():
        page.get_by_role("link", name=f"转为“{to_label}”").click()
    for selector, value in fill.items():
        if value is True:
            page.locator(selector).check()
        else:
            page.locator(selector).fill(value)
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    if name:
        shot(page, name)
    with page.expect_navigation():
        page.get_by_test_id("confirm-step").click()
    expect(page.locator(".alert-success")).to_contain_text(f"已转为“{to_label}”")


def test_inspector_runs_a_case_from_tip_to_closed_on_a_phone(
    new_page, live_server, people, township_a, password, shot, login, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    leader = new_page()
    login_with_code(leader, people["leader"], password)
    assert county(leader) == {"tips": "0", "filed": "0", "closed": "0", "rate": "—"}
    shot(leader, "leader-figures-before")

    page = new_page(phone=True)
    login(page, "inspector", password)
    expect(page.get_by_test_id("enforcement-panel")).to_be_visible()
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "home")

    # 1. Record the tip.
    with page.expect_navigation():
        page.get_by_test_id("home-new-tip").click()
    page.get_by_label("电话").check()
    page.get_by_label("涉及镇/街道").select_option(str(township_a.pk))
    page.get_by_label("举报内容").fill("城关某诊所晚上给孕妇做B超看男女，收费 800 元。")
    page.get_by_label("举报人姓名").fill("匿名群众甲")
    page.get_by_label("举报人联系方式").fill("13700001234")
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "tip-form")
    with page.expect_navigation():
        page.get_by_test_id("save-tip").click()
    expect(page.get_by_test_id("tip-status")).to_have_attribute("data-status", "pending")
    expect(page.get_by_test_id("reporter-identity")).to_contain_text("匿名群众甲")
    shot(page, "tip-detail")

    # 2. Open a case from it.
    with page.expect_navigation():
        page.get_by_test_id("open-case").click()
    page.get_by_label("案由").fill("城关某诊所涉嫌非医学需要鉴定胎儿性别")
    page.get_by_label("非医学需要的胎儿性别鉴定").check()
    shot(page, "case-form")
    with page.expect_navigation():
        page.get_by_test_id("save-case").click()
    expect(page.get_by_test_id("case-status")).to_have_attribute("data-status", "received")
    case = Case.objects.get()
    assert case.tip == Tip.objects.get() and case.source == "tip"
    expect(page.locator("body")).not_to_contain_text("匿名群众甲")  # the reporter stays on the tip page

    # 3. Attach a photo from the camera input.
    with page.expect_navigation():
        page.get_by_test_id("add-evidence").click()
    photo = page.get_by_test_id("photo-input")
    expect(photo).to_have_attribute("capture", "environment")
    photo.set_input_files({"name": "IMG_20260301.png", "mimeType": "image/png", "buffer": png(8, 8)})
    page.get_by_label("材料说明").fill("诊所B超室现场照片")
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "evidence-form")
    with page.expect_navigation():
        page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("evidence-item")).to_contain_text("诊所B超室现场照片")
    assert Evidence.objects.get().case == case

    # 4. Through the workflow to 结案.
    step(page, shot, "初查", None)
    step(page, shot, "立案", None)
    step(page, shot, "调查取证", None)
    step(
        page,
        shot,
        "处理决定",
        "decision",
        **{
            "input[name=decision_number]": "城卫罚〔2026〕1号",
            "input[name=outcome_warning]": True,
            "input[name=fine_amount]": "20000",
        },
    )
    step(page, shot, "执行", None)
    step(page, shot, "结案", None)
    expect(page.get_by_test_id("case-status")).to_have_attribute("data-status", "closed")
    expect(page.get_by_test_id("event")).to_have_count(7)
    expect(page.get_by_test_id("outcome")).to_contain_text("罚款 20,000.00 元")
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "case-closed")

    # 5. The county figures changed.
    assert county(leader) == {"tips": "1", "filed": "1", "closed": "1", "rate": "100.0%"}
    shot(leader, "leader-figures-after")
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_on == timezone.localdate()
