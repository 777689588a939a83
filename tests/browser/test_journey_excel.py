"""Journeys: a clerk on a phone imports the township's own sheet — the columns the system does not
know are mapped from drop-downs, the total and note rows are skipped, households without an address
show as 待补全; and a township-sized export runs in the background while its page follows the
progress without a reload (static JS polling JSON) until the download link appears."""
from playwright.sync_api import expect

from core import exports
from core.models import ExportJob
from households.models import Couple

from ..factories import RegisterCoupleFactory
from ..households.test_import_mapping import own_sheet
from .helpers import assert_no_horizontal_scroll

PHONE_WIDTH = 375


def test_clerk_maps_the_columns_of_the_townships_own_sheet_on_a_phone(phone, live_server, clerk_a, village_a,
                                                                      password, shot, login, tmp_path):
    sheet = tmp_path / "本镇摸底表.xlsx"
    sheet.write_bytes(own_sheet(3).read())
    page = phone
    login(page, "clerk_a", password)
    page.goto("/households/import/")
    page.get_by_test_id("import-file").set_input_files(str(sheet))
    with page.expect_navigation():
        page.get_by_test_id("import-upload-form").locator("[type=submit]").click()

    expect(page.get_by_test_id("mapping-problem")).to_contain_text("计划生育时间")
    expect(page.locator("[data-testid=unmapped-column][data-letter=I]")).to_contain_text("再生育打算")
    expect(page.get_by_test_id("import-confirm")).to_be_disabled()
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "mapping-needed")

    page.get_by_test_id("map-I").select_option("planned_timing")
    with page.expect_navigation():
        page.get_by_test_id("import-mapping-save").click()
    summary = page.get_by_test_id("import-summary")
    expect(summary).to_have_attribute("data-ok", "3")
    expect(summary).to_have_attribute("data-layout", "2")
    expect(page.locator("[data-testid=import-card][data-status=total]")).to_contain_text("合计行")
    expect(page.locator("[data-testid=unmapped-column][data-letter=A]")).to_contain_text("序号")
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "mapped")

    with page.expect_navigation():
        page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("import-status")).to_have_attribute("data-status", "imported")
    assert Couple.objects.count() == 3

    page.goto("/households/?status=incomplete")
    expect(page.get_by_test_id("incomplete-badge").first).to_be_visible()
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "incomplete-households")


def test_large_export_page_follows_the_job_until_the_download_appears(page, live_server, clerk_a, village_a,
                                                                      password, shot, login, settings, monkeypatch):
    settings.EXPORTS_DIRECT_MAX_ROWS = 2
    for _ in range(4):
        RegisterCoupleFactory(household__village=village_a)
    # Hold the job back (no worker here) so the page is seen waiting, then run it from the test.
    monkeypatch.setattr("core.tasks.run_export_job.delay", lambda job_id: None)
    login(page, "clerk_a", password)

    page.goto("/households/export/register/")
    box = page.get_by_test_id("export-job")
    expect(box).to_have_attribute("data-status", "queued")
    expect(page.get_by_test_id("export-download")).to_be_hidden()
    shot(page, "queued")

    job = ExportJob.objects.get()
    exports.export_job_run(job_id=job.pk)

    expect(box).to_have_attribute("data-status", "done", timeout=10_000)  # no reload: the script polled
    link = page.get_by_test_id("export-download")
    expect(link).to_be_visible()
    expect(page.get_by_test_id("export-status")).to_have_text("已完成")
    shot(page, "done")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")

    phone_page = page.context.browser.new_context(viewport={"width": 375, "height": 740}, base_url=live_server.url)
    small = phone_page.new_page()
    login(small, "clerk_a", password)
    small.goto(job.get_absolute_url())
    assert_no_horizontal_scroll(small, PHONE_WIDTH)
    shot(small, "done-phone")
    phone_page.close()
