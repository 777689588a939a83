"""The results entry page on a 375 px phone and a 1280 px desktop (issue #18, "The results form
on a phone"): short enough to work through (≤ 5,000 px with nothing overridden), axe-clean at both
widths, the 修改判断 control per field (opened where a judgement is overridden or in error), errors
listed at the top with links to their fields, a focused field never under the sticky save bar, and
on a desktop the wife's and the husband's values of an item side by side beside their label."""
import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from screening.models import ScreeningResult
from screening.seed import ensure_catalogue
from screening.services.screenings import results_save
from tests.factories import RegisterCoupleFactory, UserFactory
from tests.screening.helpers import full_values, start

from .crawl import run_axe
from .test_crawl import _session_cookie

MAX_HEIGHT = 5_000


@pytest.fixture
def screening(village_a):
    ensure_catalogue()  # an earlier transactional test may have flushed the migrations' rows
    clinician = UserFactory(username="clinic", name="陈静", role=Role.CLINICIAN)
    couple = RegisterCoupleFactory(household__village=village_a, wife__name="刘小红")
    return start(couple, clinician), clinician


def open_results(page, live_server, screening, clinician):
    page.context.add_cookies([_session_cookie(clinician, live_server.url)])
    page.goto(f"/screening/screenings/{screening.pk}/results/")
    expect(page.get_by_role("heading", name="录入检查结果")).to_be_visible()


def height(page) -> int:
    return page.evaluate("() => document.documentElement.scrollHeight")


def serious(violations):
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def test_results_page_fits_a_phone_and_passes_axe(phone, live_server, screening, shot):
    screening, clinician = screening
    open_results(phone, live_server, screening, clinician)
    empty = height(phone)
    assert empty <= MAX_HEIGHT, f"empty results page is {empty} px tall at 375 px"
    assert serious(run_axe(phone)) == []
    shot(phone, "phone-empty")
    # A draft with a normal value everywhere (nothing overridden): still within the height.
    results_save(screening=screening, by=clinician, expected_version=screening.version,
                 values=full_values(screening))
    phone.reload()
    filled = height(phone)
    assert filled <= MAX_HEIGHT, f"filled results page is {filled} px tall at 375 px"
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 376
    assert serious(run_axe(phone)) == []
    # The override panels are closed: none of their inputs is visible.
    assert phone.locator(".override-panel.show").count() == 0
    expect(phone.locator("#id_female__hb__flag")).to_be_hidden()
    shot(phone, "phone-filled")
    print(f"results page at 375 px: empty {empty} px, filled {filled} px")


def test_a_focused_field_is_never_under_the_sticky_bar(phone, live_server, screening):
    screening, clinician = screening
    open_results(phone, live_server, screening, clinician)
    bar = phone.locator("[data-sticky-actions]")
    phone.locator("#id_female__hx_notes").focus()
    covered = []
    for _ in range(60):  # through the form with the keyboard, as a person with a Bluetooth keyboard would
        phone.keyboard.press("Tab")
        box = phone.evaluate("""() => { const el = document.activeElement; const r = el.getBoundingClientRect();
            return {id: el.id, bottom: r.bottom, top: r.top, inBar: !!el.closest('[data-sticky-actions]')}; }""")
        if box["inBar"]:
            continue
        bar_top = bar.bounding_box()["y"]
        if box["bottom"] > bar_top or box["top"] < 0:
            covered.append((box["id"], box["top"], box["bottom"], bar_top))
    assert covered == []
    # Focusing a field from a script (the error list's links) does the same.
    for key in ("female__tsh", "female__glu", "male__cr"):
        phone.locator(f"#id_{key}").focus()
        assert phone.locator(f"#id_{key}").bounding_box()["y"] + 38 <= bar.bounding_box()["y"]


def test_override_control_errors_at_the_top_and_links_to_the_field(phone, live_server, screening, shot):
    screening, clinician = screening
    open_results(phone, live_server, screening, clinician)
    panel = phone.get_by_test_id("override-panel-hb")
    expect(panel).to_be_hidden()
    phone.get_by_test_id("override-hb").click()
    expect(panel).to_be_visible()
    phone.fill("#id_female__hb", "120")
    phone.select_option("#id_female__hb__flag", "abnormal")  # an override without its reason
    phone.fill("#id_female__tsh", "9E+2")
    phone.fill("#id_male__alt", "4.2051")
    phone.get_by_test_id("save-draft").click()
    summary = phone.get_by_test_id("form-errors")
    expect(summary).to_be_visible()
    links = phone.get_by_test_id("error-list").get_by_role("link")
    expect(links).to_have_count(3)
    expect(links).to_have_text(["血红蛋白 Hb（女方）", "丙氨酸氨基转移酶 ALT（男方）", "促甲状腺激素 TSH（女方）"])
    expect(summary).to_contain_text("修改系统判断时请写明原因")
    # The panel of the judgement in error is open by itself; a value in error is fixed in its own
    # input (in sight), so its panel stays closed like the others.
    expect(phone.get_by_test_id("override-panel-hb")).to_be_visible()
    expect(phone.get_by_test_id("override-panel-tsh")).to_be_hidden()
    expect(phone.get_by_test_id("override-panel-plt")).to_be_hidden()
    # What was typed is still there.
    expect(phone.locator("#id_female__tsh")).to_have_value("9E+2")
    expect(phone.locator("#id_female__hb__flag")).to_have_value("abnormal")
    assert serious(run_axe(phone)) == []
    shot(phone, "phone-errors")
    links.nth(0).click()
    expect(phone.locator("#id_female__hb__reason")).to_be_focused()
    bar_top = phone.locator("[data-sticky-actions]").bounding_box()["y"]
    assert phone.locator("#id_female__hb__reason").bounding_box()["y"] + 31 <= bar_top
    links.get_by_text("丙氨酸氨基转移酶 ALT（男方）").click()
    expect(phone.locator("#id_male__alt")).to_be_focused()
    assert not ScreeningResult.objects.filter(screening=screening).exists()
    # Give the reason: the override is saved, and its panel opens by itself next time.
    phone.fill("#id_female__hb__reason", "复查 112，以复查为准")
    phone.fill("#id_female__tsh", "2.5")
    phone.fill("#id_male__alt", "20")
    phone.get_by_test_id("save-draft").click()
    expect(phone.get_by_text("草稿已保存")).to_be_visible()
    result = ScreeningResult.objects.get(screening=screening, field__code="hb", subject="female")
    assert result.overridden and result.is_abnormal
    expect(phone.get_by_test_id("override-panel-hb")).to_be_visible()
    expect(phone.get_by_test_id("override-panel-tsh")).to_be_hidden()


def test_finishing_with_missing_values_lists_each_at_the_top(phone, live_server, screening, shot):
    """The review: 23 missing values were summed up as "见下方标红处" with no list."""
    screening, clinician = screening
    values = full_values(screening)
    missing = [key for key in list(values)[:60] if key.startswith("female__") and values[key]["value"]][:23]
    for key in missing:
        values[key]["value"] = ""
    results_save(screening=screening, by=clinician, expected_version=screening.version, values=values)
    open_results(phone, live_server, screening, clinician)
    phone.get_by_test_id("finish").click()
    links = phone.get_by_test_id("error-list").get_by_role("link")
    expect(links).to_have_count(23)
    expect(phone.get_by_test_id("form-errors")).to_contain_text("有 23 处需要修改")
    assert phone.locator(".override-panel.show").count() == 0
    shot(phone, "phone-missing")
    links.nth(22).click()
    target = missing[22]
    focused = phone.evaluate("() => document.activeElement.id")
    assert focused.startswith(f"id_{target}"), (focused, target)


def test_desktop_puts_the_spouses_side_by_side_beside_the_label(page, live_server, screening, shot):
    screening, clinician = screening
    open_results(page, live_server, screening, clinician)
    assert serious(run_axe(page)) == []
    for code, suffix in (("sbp", ""), ("alt", ""), ("cr", ""), ("hbsag", "_0"), ("u_pro", "_0")):
        label = page.get_by_test_id(f"line-{code}").locator(".result-label").bounding_box()
        wife = page.locator(f"[for=id_female__{code}{suffix}], #id_female__{code}").last.bounding_box()
        husband = page.locator(f"[for=id_male__{code}{suffix}], #id_male__{code}").last.bounding_box()
        assert abs(wife["y"] - husband["y"]) < 2, code  # one row
        assert label["x"] < wife["x"] < husband["x"], code
        assert wife["x"] - (label["x"] + label["width"]) < 40, code  # the value beside its label
        assert abs((label["y"] + label["height"] / 2) - (wife["y"] + wife["height"] / 2)) < 20, code
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    shot(page, "desktop")
    page.get_by_test_id("item-5").screenshot(path=shot(page, "desktop-top").parent / "desktop-item-blood.png")
