"""Journey: a rectification (整改) from the Monday report to the next one. A leader assigns a
township's problem from last week's report on a desktop; the township's clerk finds it on their home
page on a phone and reports what was done with a photo; the leader accepts it; this week's report
counts it as done on time."""
import io

from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from assessment.models import Rectification, RectificationFile
from assessment.services.weekly import weekly_report_build
from assessment.weeks import last_complete_week, monday_of

from .helpers import assert_no_horizontal_scroll, login_with_code
from .test_journey_weekly import PHONE_WIDTH, axe_serious


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_leader_assigns_clerk_reports_on_a_phone_leader_accepts_next_report_counts_it(
        new_page, live_server, township_a, village_a, clerk_a, leader, password, shot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    last = last_complete_week()
    weekly_report_build(week_start=last)  # no visits anywhere: 城关镇 has the problem 本周没有记录随访

    boss = new_page()
    login_with_code(boss, leader, password)
    boss.goto(f"/assessment/weekly/{last.isoformat()}/")
    section = boss.locator('[data-testid="weekly-section"][data-township="城关镇"]')
    expect(section.get_by_test_id("weekly-problem")).to_contain_text(["本周没有记录随访"])
    assert axe_serious(boss) == []
    section.get_by_test_id("weekly-problem-assign").first.click()
    expect(boss.get_by_test_id("assign-problem")).to_contain_text("本周没有记录随访")
    boss.get_by_label("整改要求").fill("本周内补录随访记录，说明未开展原因")
    assert axe_serious(boss) == []
    shot(boss, "assign")
    boss.get_by_test_id("assign-submit").click()
    expect(boss.get_by_test_id("rect-task")).to_contain_text("本周内补录随访记录")
    rect = Rectification.objects.get()
    assert rect.responsible == clerk_a and rect.status == "open"

    clerk = new_page(phone=True)
    login_with_code(clerk, clerk_a, password)
    expect(clerk.get_by_test_id("home-rect-row")).to_have_count(1)
    shot(clerk, "clerk-home")
    clerk.get_by_test_id("home-rect-row").click()
    expect(clerk.get_by_test_id("rect-report-form")).to_be_visible()
    clerk.get_by_label("整改情况").fill("已补录 3 户随访记录")
    clerk.get_by_label("拍照上传").set_input_files(
        files=[{"name": "site.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}])
    assert_no_horizontal_scroll(clerk, PHONE_WIDTH)
    assert axe_serious(clerk) == []
    shot(clerk, "clerk-report")
    clerk.get_by_test_id("rect-report-submit").click()
    expect(clerk.get_by_test_id("rect-status")).to_have_text("待验收")
    expect(clerk.get_by_test_id("rect-file")).to_have_count(1)
    assert RectificationFile.objects.get().kind == "jpeg"
    shot(clerk, "clerk-reported")

    boss.reload()
    expect(boss.get_by_test_id("rect-accept-form")).to_be_visible()
    boss.get_by_test_id("rect-accept").click()
    expect(boss.get_by_test_id("rect-status")).to_have_text("已完成")
    expect(boss.get_by_test_id("rect-step")).to_have_count(3)
    rect.refresh_from_db()
    assert rect.status == "done" and rect.done_on_time

    # This week's report (built now, as Monday's run would) counts it done on time.
    this_week = monday_of(timezone.localdate(rect.done_at))
    weekly_report_build(week_start=this_week)
    boss.goto(f"/assessment/weekly/{this_week.isoformat()}/")
    row = boss.get_by_test_id("weekly-rectification-table").locator('tr[data-township="城关镇"]')
    expect(row.locator("td").nth(1)).to_have_text("1")  # done on time
    expect(boss.get_by_test_id("weekly-rectification-county").locator("td").nth(1)).to_have_text("1")
    assert axe_serious(boss) == []
    shot(boss, "next-report")
