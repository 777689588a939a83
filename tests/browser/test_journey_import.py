"""Journey: a clerk on a phone imports the township's Excel sheet — upload, preview with the bad
rows in red, confirm — and the imported couple is in the register; a clerk of another township
cannot open the batch."""
from playwright.sync_api import expect

from households.models import Couple, ImportBatch

from ..households.test_import_sheet import good_row, make_xlsx
from .helpers import assert_no_horizontal_scroll, open_nav

PHONE_WIDTH = 375


def test_clerk_imports_a_sheet_on_a_phone(phone, new_page, live_server, clerk_a, clerk_b, village_a, password,
                                          shot, login, tmp_path):
    sheet = tmp_path / "城关镇摸底登记表.xlsx"
    sheet.write_bytes(make_xlsx([good_row(1), good_row(2), good_row(3, 妻子身份证号="411099199406150000")]).read())
    page = phone
    login(page, "clerk_a", password)

    open_nav(page)
    with page.expect_navigation():
        page.locator("[data-nav=import]").click()
    expect(page.get_by_test_id("import-template")).to_be_visible()
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "upload")

    page.get_by_test_id("import-file").set_input_files(str(sheet))
    with page.expect_navigation():
        page.get_by_test_id("import-upload-form").locator("[type=submit]").click()
    summary = page.get_by_test_id("import-summary")
    expect(summary).to_have_attribute("data-ok", "2")
    expect(summary).to_have_attribute("data-error", "1")
    # On a phone each row is a card (the table is for desktops), its errors inside it.
    card = page.locator("[data-testid=import-card][data-row='4']")
    expect(card).to_have_attribute("data-status", "error")
    expect(card.get_by_test_id("card-error")).to_contain_text("校验位不正确")
    box = card.get_by_test_id("card-error").bounding_box()  # readable without scrolling sideways
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, box
    expect(page.get_by_test_id("import-cards")).not_to_contain_text(good_row(1)["妻子身份证号"])  # masked
    assert not Couple.objects.exists()  # nothing written before confirm
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "preview")

    batch = ImportBatch.objects.get()
    other = new_page(phone=True)
    login(other, "clerk_b", password)
    assert other.goto(f"/households/import/{batch.pk}/").status == 404

    with page.expect_navigation():
        page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("import-status")).to_have_attribute("data-status", "imported")
    expect(page.locator(".alert-success")).to_contain_text("已导入 2 对夫妇，跳过 1 行。")
    expect(page.get_by_test_id("import-confirm")).to_have_count(0)
    assert_no_horizontal_scroll(page, PHONE_WIDTH)
    shot(page, "imported")

    page.goto("/households/register/")
    expect(page.get_by_test_id("register-row")).to_have_count(2)
    assert Couple.objects.filter(responsible=clerk_a, in_register=True).count() == 2
