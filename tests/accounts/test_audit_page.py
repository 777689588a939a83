"""The auditor's page /accounts/audit/: who may open it, its filters, and its query count."""
import datetime
import html
import re
import zoneinfo

import pytest

from accounts.models import AuditEvent

AUDIT_URL = "/accounts/audit/"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOT_AUDITORS = ["clerk_a", "clerk_b", "bureau_staff", "clinician", "inspector", "leader", "admin_user"]


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def event(detail: str, **fields) -> AuditEvent:
    fields.setdefault("action", AuditEvent.Action.VIEW)
    fields.setdefault("username", "someone")
    return AuditEvent.objects.create(detail=detail, **fields)


def shown(response) -> set[str]:
    """The marker details (``row-…``) of the rows on the page."""
    html = response.content.decode()
    return {word for word in html.replace("<", " ").replace(">", " ").split() if word.startswith("row-")}


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(AUDIT_URL)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/audit/"


@pytest.mark.parametrize("who", NOT_AUDITORS)
def test_other_roles_cannot_open_audit_page_and_the_attempt_is_audited(request, client_for, who):
    user = request.getfixturevalue(who)

    response = client_for(user).get(AUDIT_URL, REMOTE_ADDR="10.9.8.7")

    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
    denied = AuditEvent.objects.get(action=AuditEvent.Action.DENIED)
    assert (denied.user, denied.username, denied.success, denied.ip) == (user, user.username, False, "10.9.8.7")
    assert f"403 GET {AUDIT_URL}" in denied.detail
    assert "audit.view" in denied.detail


def test_auditor_sees_the_trail(client_for, auditor, clerk_a):
    event("row-login-of-clerk", user=clerk_a, username="clerk_a", township=clerk_a.township,
          action=AuditEvent.Action.LOGIN, ip="10.1.1.1")

    response = client_for(auditor).get(AUDIT_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "row-login-of-clerk" in html
    assert "张丽" in html and "城关镇" in html and "10.1.1.1" in html


def test_audit_page_refuses_post(client_for, auditor):
    assert client_for(auditor).post(AUDIT_URL).status_code == 405


def test_audit_page_filters_by_user_case_insensitively(client_for, auditor):
    event("row-alice", username="alice")
    event("row-bob", username="bob")
    client = client_for(auditor)

    assert shown(client.get(AUDIT_URL, {"user": "alice"})) == {"row-alice"}
    assert shown(client.get(AUDIT_URL, {"user": "ALICE "})) == {"row-alice"}
    assert shown(client.get(AUDIT_URL)) == {"row-alice", "row-bob"}


def test_audit_page_filters_by_action(client_for, auditor):
    event("row-denied", action=AuditEvent.Action.DENIED, success=False)
    event("row-export", action=AuditEvent.Action.EXPORT)

    response = client_for(auditor).get(AUDIT_URL, {"action": "denied"})

    assert shown(response) == {"row-denied"}


def test_audit_page_filters_by_shanghai_calendar_days(client_for, auditor):
    event("row-before", at=at(2026, 3, 1, 23, 59))
    event("row-first-minute", at=at(2026, 3, 2, 0, 0))
    event("row-last-minute", at=at(2026, 3, 5, 23, 30))  # 15:30 UTC: still 5 March in Shanghai
    event("row-after", at=at(2026, 3, 6, 0, 30))  # 16:30 UTC on 5 March: 6 March in Shanghai
    client = client_for(auditor)

    response = client.get(AUDIT_URL, {"date_from": "2026-03-02", "date_to": "2026-03-05"})

    assert response.status_code == 200
    assert shown(response) == {"row-first-minute", "row-last-minute"}
    assert shown(client.get(AUDIT_URL, {"date_from": "2026-03-06"})) == {"row-after"}
    assert shown(client.get(AUDIT_URL, {"date_to": "2026-03-01"})) == {"row-before"}


def test_audit_page_combines_filters(client_for, auditor):
    event("row-match", username="alice", action=AuditEvent.Action.EXPORT, at=at(2026, 4, 1, 9))
    event("row-wrong-action", username="alice", action=AuditEvent.Action.VIEW, at=at(2026, 4, 1, 9))
    event("row-wrong-day", username="alice", action=AuditEvent.Action.EXPORT, at=at(2026, 4, 2, 9))
    event("row-wrong-user", username="bob", action=AuditEvent.Action.EXPORT, at=at(2026, 4, 1, 9))

    response = client_for(auditor).get(
        AUDIT_URL, {"user": "alice", "action": "export", "date_from": "2026-04-01", "date_to": "2026-04-01"}
    )

    assert shown(response) == {"row-match"}


def test_reversed_date_range_shows_chinese_error_not_500(client_for, auditor):
    response = client_for(auditor).get(AUDIT_URL, {"date_from": "2026-03-05", "date_to": "2026-03-01"})

    assert response.status_code == 200
    assert "起始日期不能晚于截止日期" in response.content.decode()


def test_malformed_dates_and_page_numbers_do_not_cause_500(client_for, auditor):
    client = client_for(auditor)
    for params in [{"date_from": "2026-13-45"}, {"date_to": "yesterday"}, {"action": "drop-table"},
                   {"page": "999"}, {"page": "x"}, {"township": "abc"}, {"township": "99999999999999999999"},
                   {"object_type": "nope.nope"}, {"object_id": "1"}, {"user": "\x00"}, {"last": "yes"}]:
        assert client.get(AUDIT_URL, params).status_code == 200, params


@pytest.mark.parametrize("params", [
    {"date_to": "9999-12-31"}, {"date_from": "9999-12-31"}, {"date_from": "0001-01-01"},
    {"date_from": "0001-01-01", "date_to": "9999-12-31"},
])
def test_far_dates_are_refused_in_chinese_not_a_500(client_for, auditor, params):
    client = client_for(auditor)
    response = client.get(AUDIT_URL, params)
    assert response.status_code == 200
    assert "日期应在 2000-01-01 至 2099-12-31 之间" in response.content.decode()
    assert client.get("/accounts/audit/export/", params).status_code == 302


def pager_link(response, testid: str) -> str | None:
    """The query string of a pager link (``?...``) or None when the page has none."""
    match = re.search(rf'href="\?([^"]*)" data-testid="{testid}"', response.content.decode())
    return html.unescape(match[1]) if match else None


def test_audit_page_pages_by_keyset_fifty_per_page_without_losing_rows_on_equal_times(client_for, auditor):
    # 130 rows; ten of them share one timestamp, so the keyset must break ties on id.
    same = at(2026, 5, 1, 8)
    AuditEvent.objects.bulk_create(
        AuditEvent(username="bulk", action=AuditEvent.Action.VIEW, detail=f"row-{i:03d}",
                   at=same if 60 <= i < 70 else at(2026, 5, 1, 9) - datetime.timedelta(minutes=i))
        for i in range(130)
    )
    client = client_for(auditor)

    pages, response = [], client.get(AUDIT_URL, {"user": "bulk"})
    while True:
        pages.append(shown(response))
        older = pager_link(response, "audit-older")
        if older is None:
            break
        response = client.get(f"{AUDIT_URL}?{older}")
    assert [len(p) for p in pages] == [50, 50, 30]
    assert set.union(*pages) == {f"row-{i:03d}" for i in range(130)}

    # Back towards the newest from the last page, and straight to the oldest.
    newer = pager_link(response, "audit-newer")
    assert shown(client.get(f"{AUDIT_URL}?{newer}")) == pages[1]
    assert shown(client.get(AUDIT_URL, {"user": "bulk", "last": "1"})) == {f"row-{i:03d}" for i in range(80, 130)}
    assert "共 130 条" in client.get(AUDIT_URL, {"user": "bulk"}).content.decode()


def test_audit_page_caps_the_count_instead_of_counting_millions(client_for, auditor, settings, monkeypatch):
    monkeypatch.setattr("accounts.selectors.COUNT_CAP", 20)
    AuditEvent.objects.bulk_create(AuditEvent(username="bulk", action="view") for _ in range(30))

    response = client_for(auditor).get(AUDIT_URL, {"user": "bulk"})

    assert "共 20+ 条" in response.content.decode()


@pytest.mark.parametrize("cursor", ["x", "1_2_3", "nan_1", "1e308_1", "-99999999999_1", "_", "１_２"])
def test_junk_cursors_give_the_first_page(client_for, auditor, cursor):
    event("row-only")
    client = client_for(auditor)
    for key in ("older", "newer"):
        response = client.get(AUDIT_URL, {key: cursor})
        assert response.status_code == 200
        assert shown(response) == {"row-only"}


@pytest.mark.parametrize("rows", [5, 60])
def test_audit_page_query_count_does_not_grow_with_rows(client_for, auditor, clerk_a, rows, django_assert_num_queries):
    client = client_for(auditor)  # before the rows: its own login row must not take a place on page 1
    AuditEvent.objects.bulk_create(
        AuditEvent(user=clerk_a, username="clerk_a", township=clerk_a.township, action=AuditEvent.Action.VIEW,
                   object_type="accounts.township", object_id=str(clerk_a.township_id), detail=f"row-{i}")
        for i in range(rows)
    )

    # The user (the session comes from the cache and is not written back on every request), the
    # capped count, one page of events with user and township joined, the page's records described
    # (one query for the kind), the last chain check and the township filter's choices.
    with django_assert_num_queries(6):
        response = client.get(AUDIT_URL)

    assert response.status_code == 200
    assert len(shown(response)) == min(rows, 50)


def test_client_supplied_forwarded_for_does_not_forge_the_audit_ip(client, clerk_a, password, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client.post("/accounts/login/", {"username": "clerk_a", "password": password},
                HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.1.2.3")
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN).ip == "10.1.2.3"


def test_behind_one_trusted_proxy_the_client_is_the_hop_it_appended(client, clerk_a, password, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged the first entry; our proxy appended the real address last.
    client.post("/accounts/login/", {"username": "clerk_a", "password": password},
                HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7", REMOTE_ADDR="10.0.0.1")
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN).ip == "198.51.100.7"
