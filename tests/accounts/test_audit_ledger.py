"""The audit page reads like a ledger (issue #6): who did what to which record, in words, filtered and exported."""
import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from accounts import ledger
from accounts.audit_chain import record_check
from accounts.models import AuditEvent
from accounts.services import audit_log
from households.services.register import household_create, household_update

AUDIT_URL = "/accounts/audit/"
EXPORT_URL = "/accounts/audit/export/"


@pytest.fixture
def household(clerk_a, village_a):
    return household_create(by=clerk_a, village=village_a, address="三组12号", head_name="王建国")


def sentences(response) -> list[str]:
    return [row.sentence for row in response.context["rows"]]


def details(response) -> list[str]:
    return [row.detail for row in response.context["rows"]]


def test_a_change_reads_who_did_what_to_which_record_with_the_fields_and_township(client_for, auditor, clerk_a,
                                                                                  household):
    household_update(household=household, by=clerk_a, expected_version=household.version,
                     data={"address": "四组3号", "phone": "13800000000"})

    response = client_for(auditor).get(AUDIT_URL, {"action": "update"})

    html = response.content.decode()
    assert "张丽 修改 家庭户 王建国（城关镇 李家村 四组3号）" in html
    assert "修改的字段：家庭地址、联系电话" in html
    assert "households.household#" not in html
    row = response.context["rows"][0]
    assert (row.event.township.name, row.who, row.kind) == ("城关镇", "张丽", "家庭户")


def test_internal_details_render_as_words(client_for, auditor, clerk_a, clerk_b, household):
    audit_log(action=AuditEvent.Action.VIEW, user=clerk_a, obj=household, detail="visit form")
    audit_log(action=AuditEvent.Action.UPDATE, user=clerk_a, obj=household, detail=f"responsible={clerk_b.pk}")
    audit_log(action=AuditEvent.Action.DELETE, user=clerk_a, obj=household, detail="void: 重复登记")
    audit_log(action=AuditEvent.Action.DENIED, user=clerk_b, obj=household, success=False,
              detail=f"404 GET /households/{household.pk}/")
    audit_log(action=AuditEvent.Action.EXPORT, user=clerk_a, object_type="households.household",
              detail="export households: 12 rows (truncated)")
    audit_log(action=AuditEvent.Action.LOGIN_FAILED, username="nobody", success=False, detail="locked")
    audit_log(action=AuditEvent.Action.VIEW, user=clerk_a, detail="something new nobody mapped")

    shown = details(client_for(auditor).get(AUDIT_URL))

    assert "打开随访表单" in shown
    assert "责任人改为 王芳" in shown
    assert "作废原因：重复登记" in shown
    assert f"访问范围外的记录（答复 404）：GET /households/{household.pk}/" in shown
    assert "导出 12 行（已截断）" in shown
    assert "账号已锁定，未校验密码" in shown
    assert "something new nobody mapped" in shown  # unknown texts are shown as written


def test_failed_logins_and_records_that_are_gone_still_read(client_for, auditor):
    audit_log(action=AuditEvent.Action.LOGIN_FAILED, username="mallory", success=False)
    audit_log(action=AuditEvent.Action.DENIED, username="x", object_type="households.household", object_id="abc",
              success=False)
    audit_log(action=AuditEvent.Action.VIEW, username="x", object_type="households.person", object_id="987654")

    found = sentences(client_for(auditor).get(AUDIT_URL))

    assert "mallory（未登录） 登录失败" in found
    assert "x（未登录） 被拒绝访问 家庭户 #abc" in found
    assert "x（未登录） 查看 家庭成员 #987654" in found


def test_the_ledger_speaks_english_when_the_user_chose_english(client_for, auditor, clerk_a, household):
    client = client_for(auditor)
    client.cookies["django_language"] = "en"

    html = client.get(AUDIT_URL).content.decode()

    assert "张丽 created" in html
    assert "新增" not in html


def test_filter_by_record_shows_everything_done_to_it(client_for, auditor, clerk_a, household, village_a):
    other = household_create(by=clerk_a, village=village_a, address="五组1号", head_name="李四")
    audit_log(action=AuditEvent.Action.VIEW, user=clerk_a, obj=household)

    response = client_for(auditor).get(
        AUDIT_URL, {"object_type": "households.household", "object_id": str(household.pk)})

    assert {row.event.object_id for row in response.context["rows"]} == {str(household.pk)}
    assert len(response.context["rows"]) == 2
    assert str(other.pk) not in {row.event.object_id for row in response.context["rows"]}
    # Each row links to its record's history.
    assert f"object_type=households.household&amp;object_id={household.pk}" in response.content.decode()


def test_a_record_number_without_a_kind_is_refused(client_for, auditor):
    response = client_for(auditor).get(AUDIT_URL, {"object_id": "12"})
    assert "按记录编号筛选时，请同时选择记录类型" in response.content.decode()


def test_filter_by_township(client_for, auditor, clerk_a, clerk_b):
    audit_log(action=AuditEvent.Action.VIEW, user=clerk_a, township_id=clerk_a.township_id, detail="row-a")
    audit_log(action=AuditEvent.Action.VIEW, user=clerk_b, township_id=clerk_b.township_id, detail="row-b")

    response = client_for(auditor).get(AUDIT_URL, {"township": clerk_b.township_id})

    assert details(response) == ["row-b"]


def test_filter_by_user_follows_the_account_not_the_name_typed_then(client_for, auditor, clerk_a):
    # The row's username is what was typed at the time; the account is what the auditor asks about.
    AuditEvent.objects.create(user=clerk_a, username="CLERK_A_OLD_NAME", action="view", detail="row-account")
    audit_log(action=AuditEvent.Action.LOGIN_FAILED, username="Clerk_A", success=False, detail="row-failed")
    audit_log(action=AuditEvent.Action.LOGIN_FAILED, username="someone_else", success=False, detail="row-other")

    response = client_for(auditor).get(AUDIT_URL, {"user": "clerk_a"})

    assert set(details(response)) == {"row-account", "row-failed"}


def test_registered_kinds_describe_records_of_other_apps(client_for, auditor, monkeypatch):
    monkeypatch.setattr(ledger, "_KINDS", {})
    ledger.register_record_kind("screening.screening", label="孕前检查",
                                describe=lambda ids: {i: f"检查{i}号" for i in ids})
    audit_log(action=AuditEvent.Action.VIEW, username="doc", object_type="screening.screening", object_id="7")
    client = client_for(auditor)

    assert "doc（未登录） 查看 孕前检查 检查7号" in sentences(client.get(AUDIT_URL))
    assert ("screening.screening", "孕前检查") in ledger.record_kind_choices()


def test_models_with_an_audit_label_are_offered_as_record_kinds():
    kinds = dict(ledger.record_kind_choices())
    assert {"households.household", "households.person", "households.couple", "households.followupvisit",
            "accounts.user", "accounts.township"} <= set(kinds)
    assert kinds["households.household"] == "家庭户"


def test_a_visit_label_never_shows_the_pregnancy_status():
    from households.models import FollowUpVisit

    assert "pregnan" not in FollowUpVisit.audit_label.__code__.co_names


# --- Export -----------------------------------------------------------------------------------
def test_export_is_an_xlsx_of_the_filtered_ledger_and_is_audited(client_for, auditor, clerk_a, household):
    audit_log(action=AuditEvent.Action.VIEW, user=clerk_a, obj=household, detail='=HYPERLINK("http://x","y")')
    audit_log(action=AuditEvent.Action.VIEW, user=clerk_a, township_id=clerk_a.township_id, detail="\x0bctl")

    response = client_for(auditor).get(EXPORT_URL, {"action": "view"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "张丽 " not in values  # cells hold parts, not sentences
    assert "王建国（城关镇 李家村 三组12号）" in values
    assert '=HYPERLINK("http://x","y")' in values  # text, not a formula
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    exported = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (exported.user, exported.object_type, exported.detail) == (auditor, "accounts.auditevent",
                                                                      "export audit: 2 rows")


def test_export_caps_rows_and_says_so(client_for, auditor, settings):
    settings.AUDIT_EXPORT_MAX_ROWS = 3
    AuditEvent.objects.bulk_create(AuditEvent(username="bulk", action="view") for _ in range(5))

    response = client_for(auditor).get(EXPORT_URL, {"user": "bulk"})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert any("仅导出最新的 3 行" in str(cell.value) for row in sheet.iter_rows() for cell in row)
    assert AuditEvent.objects.get(action="export").detail == "export audit: 3 rows (truncated)"


@pytest.mark.parametrize("who", ["clerk_a", "leader", "admin_user"])
def test_only_the_auditor_may_export(request, client_for, who):
    response = client_for(request.getfixturevalue(who)).get(EXPORT_URL)
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_export_refuses_post(client_for, auditor):
    assert client_for(auditor).post(EXPORT_URL).status_code == 405


# --- The chain's state on the page ----------------------------------------------------------
def test_a_broken_chain_alerts_the_auditor(client_for, auditor):
    record_check(ok=False, first_bad_seq=42, problems=["seq 42: content does not match"])

    html = client_for(auditor).get(AUDIT_URL).content.decode()

    assert 'data-testid="chain-broken"' in html
    assert "审计链校验发现篡改迹象" in html and "首个异常序号 42" in html


def test_a_chain_not_checked_for_two_days_warns(client_for, auditor):
    record_check(ok=True, checked_at=timezone.now() - datetime.timedelta(days=3))
    html = client_for(auditor).get(AUDIT_URL).content.decode()
    assert 'data-testid="chain-stale"' in html and 'data-testid="chain-broken"' not in html


def test_a_fresh_good_check_says_the_chain_is_intact(client_for, auditor):
    record_check(ok=True, rows=12)
    html = client_for(auditor).get(AUDIT_URL).content.decode()
    assert 'data-testid="chain-ok"' in html and "校验了 12 条记录" in html
