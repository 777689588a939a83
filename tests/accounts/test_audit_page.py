"""The auditor's page /accounts/audit/: who may open it, its filters, and its query count."""
import datetime
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
                   {"page": "999"}, {"page": "x"}]:
        assert client.get(AUDIT_URL, params).status_code == 200, params


def test_audit_page_paginates_fifty_per_page(client_for, auditor):
    AuditEvent.objects.bulk_create(
        AuditEvent(username="bulk", action=AuditEvent.Action.VIEW, detail=f"row-{i:03d}") for i in range(60)
    )
    client = client_for(auditor)

    first = shown(client.get(AUDIT_URL, {"user": "bulk"}))
    second = shown(client.get(AUDIT_URL, {"user": "bulk", "page": 2}))

    assert len(first) == 50 and len(second) == 10
    assert first.isdisjoint(second)


@pytest.mark.parametrize("rows", [5, 60])
def test_audit_page_query_count_does_not_grow_with_rows(client_for, auditor, clerk_a, rows, django_assert_num_queries):
    client = client_for(auditor)  # before the rows: its own login row must not take a place on page 1
    AuditEvent.objects.bulk_create(
        AuditEvent(user=clerk_a, username="clerk_a", township=clerk_a.township, action=AuditEvent.Action.VIEW,
                   object_type="households.person", object_id=str(i), detail=f"row-{i}")
        for i in range(rows)
    )

    # The user (the session comes from the cache), the page's keys with the capped total, and its
    # events with user and township joined (core/pagination.py).
    with django_assert_num_queries(3):
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
