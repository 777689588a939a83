"""Journey: the auditor reads the trail as a ledger on a phone and on a desktop, filters it and sees a break."""
from playwright.sync_api import expect

from accounts.audit_chain import record_check
from accounts.models import AuditEvent
from accounts.services import audit_log
from households.services.register import household_create, household_update

from .helpers import assert_no_horizontal_scroll, login_with_code


def make_trail(clerk_a, clerk_b, village_a):
    household = household_create(by=clerk_a, village=village_a, address="三组12号", head_name="王建国")
    household_update(household=household, by=clerk_a, expected_version=household.version,
                     data={"address": "四组3号", "phone": "13800000000"})
    audit_log(action=AuditEvent.Action.VIEW, user=clerk_a, obj=household, detail="visit form")
    audit_log(action=AuditEvent.Action.DENIED, user=clerk_b, obj=household, success=False,
              detail=f"404 GET /households/{household.pk}/")
    audit_log(action=AuditEvent.Action.LOGIN_FAILED, username="mallory", success=False)
    return household


def test_auditor_reads_the_ledger_on_a_phone(phone, live_server, auditor, clerk_a, clerk_b, village_a, password,
                                             shot, login):
    make_trail(clerk_a, clerk_b, village_a)
    record_check(ok=True, rows=5)
    login_with_code(phone, auditor, password)
    phone.goto("/accounts/audit/")

    cards = phone.get_by_test_id("audit-ledger")
    expect(cards).to_be_visible()
    expect(phone.get_by_test_id("audit-header")).to_be_hidden()  # cards, not columns, on a phone
    expect(cards).to_contain_text("张丽 修改 家庭户 王建国（城关镇 李家村 四组3号）")
    expect(cards).to_contain_text("修改的字段：家庭地址、联系电话")
    expect(cards).to_contain_text("王芳 被拒绝访问 家庭户")
    expect(phone.get_by_test_id("chain-ok")).to_be_visible()
    assert_no_horizontal_scroll(phone, 375)
    shot(phone, "audit-ledger-phone")


def test_auditor_filters_by_township_and_sees_a_broken_chain_on_a_desktop(page, live_server, auditor, clerk_a,
                                                                         clerk_b, village_a, password, shot, login):
    make_trail(clerk_a, clerk_b, village_a)
    record_check(ok=False, first_bad_seq=3, problems=["seq 3 (id 3): content does not match its "
                                                                        "hash (row changed)"])
    login_with_code(page, auditor, password)
    page.goto("/accounts/audit/")

    expect(page.get_by_test_id("chain-broken")).to_contain_text("首个异常序号 3")
    table = page.get_by_test_id("audit-ledger")
    expect(page.get_by_test_id("audit-header")).to_be_visible()  # columns on a desktop
    expect(table).to_contain_text("mallory（未登录） 登录失败")
    page.get_by_label("镇/街道").select_option(label="东关街道")
    page.get_by_label("操作").select_option(label="拒绝访问")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("audit-row")).to_have_count(0)  # clerk_b's refusal is filed under the record's township
    page.get_by_label("镇/街道").select_option(label="城关镇")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("audit-row")).to_have_count(1)
    expect(page.get_by_test_id("audit-row")).to_contain_text("访问范围外的记录（答复 404）")
    assert_no_horizontal_scroll(page)
    shot(page, "audit-ledger-desktop-filtered")
