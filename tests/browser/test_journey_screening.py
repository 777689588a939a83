"""Browser journey: a clinician on a tablet enters a screening with one abnormal result, confirms
high risk and prints the letter; the couple tops its township's queue; the township's clerk, on a
phone, sees "高风险 · 待早孕随访" and no lab values."""
import datetime

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from screening.services.screenings import applicable_fields, result_key
from tests.factories import IntentionSurveyFactory, RegisterCoupleFactory, UserFactory
from tests.screening.conftest import ensure_catalogue
from tests.screening.helpers import assessed

from .conftest import SCREENSHOTS
from .helpers import assert_no_horizontal_scroll, login, login_with_code

TABLET = {"viewport": {"width": 820, "height": 1180}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}


@pytest.fixture
def tablet(browser, live_server, new_page):
    new_page()  # the conftest's bookkeeping (failure screenshots) needs one page of its own
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  reduced_motion="reduce", **TABLET)
    context.set_default_timeout(5_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    page.screenshot(path=str(SCREENSHOTS / "tablet-last.png"), full_page=False)
    context.close()
    assert not errors, errors


def test_clinician_screens_on_a_tablet_and_the_clerk_sees_the_status(tablet, new_page, shot, password, village_a,
                                                                      live_server):
    clerk = UserFactory(username="clerk_a", name="张丽", role=Role.CLERK, township=village_a.township)
    clinician = UserFactory(username="clinic", name="陈静", role=Role.CLINICIAN)
    couple = RegisterCoupleFactory(household__village=village_a, responsible=clerk,
                                   wife__name="刘小红")
    IntentionSurveyFactory(couple=couple, surveyor=clerk, surveyed_on=datetime.date.today())
    other = RegisterCoupleFactory(household__village=village_a, responsible=clerk)
    ensure_catalogue()
    assessed(other, clinician, exam_date=datetime.date.today() - datetime.timedelta(days=20))

    ensure_catalogue()  # an earlier transactional test may have flushed the migration's rows
    page = tablet
    login(page, "clinic", password)
    page.goto(f"/screening/find/?q={couple.wife.name}")
    page.get_by_test_id("start").click()
    expect(page.get_by_role("heading", name="登记孕前检查")).to_be_visible()
    page.get_by_test_id("start-save").click()
    expect(page.get_by_role("heading", name="录入检查结果")).to_be_visible()

    from screening.models import Screening

    screening = Screening.objects.get(couple=couple)
    for subject, field in applicable_fields(screening):
        key = result_key(subject, field.code)
        if field.kind == "choice":
            index = [str(c[0]) for c in field.choices].index(str(field.normal_values[0]))
            page.locator(f"label[for=id_{key}_{index}]").click()
        elif field.kind == "number":
            low, high = field.range_for(subject)
            page.fill(f"#id_{key}", "96" if key == "female__hb" else str((low + high) / 2))
    expect(page.locator("#id_female__hb-flag")).to_be_visible()  # flagged as typed, before saving
    assert_no_horizontal_scroll(page)
    full = shot(page, "tablet-results-entry")
    # The full page is tall: also the blood-count card and the 阴性/阳性 buttons at readable size.
    page.get_by_test_id("item-5").screenshot(path=full.parent / "01a-tablet-item-blood.png")
    page.get_by_test_id("item-10").screenshot(path=full.parent / "01b-tablet-item-hbv.png")
    page.get_by_test_id("save-draft").click()
    expect(page.get_by_text("草稿已保存")).to_be_visible()
    page.get_by_test_id("finish").click()

    expect(page.get_by_role("heading", name="风险评估")).to_be_visible()
    expect(page.get_by_test_id("abnormal-results")).to_contain_text("96")
    expect(page.get_by_test_id("proposal")).to_contain_text("贫血")
    shot(page, "tablet-assessment")
    page.get_by_test_id("assess-save").click()

    expect(page.get_by_test_id("letter")).to_contain_text("高风险人群")
    expect(page.get_by_test_id("letter-advice")).to_contain_text("铁剂")
    page.get_by_test_id("print-letter").click()
    page.wait_for_url("**/letter/?print=1")
    shot(page, "tablet-letter")

    page.goto(f"/screening/?township={village_a.township_id}")
    first = page.get_by_test_id("queue-table-row").first
    expect(first).to_have_attribute("data-couple", str(couple.pk))
    expect(first).to_contain_text("高风险 · 待早孕随访")
    shot(page, "tablet-queue")

    phone = new_page(phone=True)
    login(phone, "clerk_a", password)
    phone.goto("/screening/")
    card = phone.get_by_test_id("queue-row").first
    expect(card).to_have_attribute("data-couple", str(couple.pk))
    expect(card.get_by_test_id("queue-status")).to_have_text("高风险 · 待早孕随访")
    assert_no_horizontal_scroll(phone)
    shot(phone, "phone-clerk-queue")
    body = phone.content()
    assert "血红蛋白" not in body and "g/L" not in body and "贫血" not in body
    card.get_by_role("link", name=couple.wife.name, exact=False).click()
    expect(phone.get_by_test_id("next-step")).to_contain_text("高风险 · 待早孕随访")
    assert "血红蛋白" not in phone.content() and "铁剂" not in phone.content()
    assert_no_horizontal_scroll(phone)
    shot(phone, "phone-clerk-couple")
    response = phone.goto(f"/screening/screenings/{screening.pk}/")
    assert response.status == 403


def test_screening_pages_fit_a_phone(phone, new_page, shot, password, village_a, live_server):
    """Every screening page a clinician, clerk or leader opens fits 375 px without sideways scroll."""
    from screening.services.followups import prenatal_screening_record
    from tests.screening.helpers import pregnant

    ensure_catalogue()
    clerk = UserFactory(username="clerk_a", role=Role.CLERK, township=village_a.township)
    clinician = UserFactory(username="clinic", role=Role.CLINICIAN)
    leader_user = UserFactory(username="leader", role=Role.LEADER)
    today = datetime.date.today()
    couple = RegisterCoupleFactory(household__village=village_a, responsible=clerk)
    screening = assessed(couple, clinician, exam_date=today - datetime.timedelta(days=150), high=True,
                         female__hb="96")
    pregnant(screening, clinician, lmp=today - datetime.timedelta(days=84),
             followed_on=today - datetime.timedelta(days=30))
    prenatal_screening_record(screening=screening, by=clinician, test="nt", tested_on=today, gestational_weeks=12,
                              gestational_days=0, result="high")
    login(phone, "clinic", password)
    pages = [
        ("queue", "/screening/"), ("find", f"/screening/find/?q={couple.wife.name}"),
        ("walk-in", "/screening/walk-in/"),
        ("couple", f"/screening/couples/{couple.pk}/"), ("detail", f"/screening/screenings/{screening.pk}/"),
        ("assess", f"/screening/screenings/{screening.pk}/assess/"),
        ("letter", f"/screening/screenings/{screening.pk}/letter/"),
        ("outcome-form", f"/screening/screenings/{screening.pk}/outcome/new/"), ("list", "/screening/screenings/"),
        ("rates", "/screening/rates/"),
    ]
    for name, url in pages:
        response = phone.goto(url)
        assert response.status == 200, url
        assert_no_horizontal_scroll(phone)
        shot(phone, f"phone-clinician-{name}")
    leader = new_page(phone=True)
    login_with_code(leader, leader_user, password)
    leader.goto("/screening/rates/")
    leader.get_by_test_id("rate-link-card").first.click()
    expect(leader.get_by_test_id("rate-rows")).to_be_visible()
    assert_no_horizontal_scroll(leader)
    shot(leader, "phone-leader-rate-list")
