"""The offline outbox's server side (households/views/offline.py, docs/offline.md): one visit per
idempotency key whatever the number of sends, and every refusal answered in JSON with a reason,
nothing written."""
import datetime
import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from households.models import Couple, FollowUpVisit, OutreachVisit
from households.services.visits import visit_record

from ..factories import HouseholdFactory, RegisterCoupleFactory, WorkGroupFactory

SEND = reverse("households:offline_send")
DAY = datetime.timedelta(days=1)


@pytest.fixture
def couple(village_a, clerk_a):
    return RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)


@pytest.fixture
def household(village_a, bureau_staff):
    WorkGroupFactory(villages=[village_a], members=[bureau_staff])
    return HouseholdFactory(village=village_a, head_name="陈大山")


def visit_data(couple, key=None, **overrides):
    data = {
        "kind": "visit", "target": str(couple.pk), "client_key": str(key or uuid.uuid4()),
        "visit_date": timezone.localdate().isoformat(), "pregnancy_status": "not_pregnant",
        "last_menstrual_period": "", "services": ["health_education"], "notes": "离线录入的随访",
        "next_due": "", "next_due_default": "",
    }
    data.update(overrides)
    return data


def outreach_data(household, key=None, **overrides):
    return {"kind": "outreach", "target": str(household.pk), "client_key": str(key or uuid.uuid4()),
            "visit_date": timezone.localdate().isoformat(), "content": "宣传生育支持政策", "needs": "", **overrides}


def created_rows(model):
    return AuditEvent.objects.filter(action="create", object_type=model._meta.label_lower)


def snapshot(couple):
    couple.refresh_from_db()
    return couple.pregnancy_status, couple.last_visit_date, couple.next_visit_due, couple.is_void


# --- one visit per key ------------------------------------------------------------------------
def test_a_visit_sent_twice_is_saved_once_with_its_audit_row(client_for, clerk_a, couple):
    client = client_for(clerk_a)
    key = uuid.uuid4()

    first = client.post(SEND, visit_data(couple, key))
    again = client.post(SEND, visit_data(couple, key))

    assert first.status_code == 201 and first.json()["status"] == "saved"
    assert again.status_code == 200 and again.json() == {**first.json(), "replayed": True}
    visit = FollowUpVisit.objects.get()
    assert (visit.client_key, visit.couple_id, visit.visitor_id, visit.notes) == (key, couple.pk, clerk_a.pk, "离线录入的随访")
    assert created_rows(FollowUpVisit).get().object_id == str(visit.pk)  # one audit row, the first send's
    couple.refresh_from_db()
    assert couple.last_visit_date == timezone.localdate()


def test_the_resend_does_not_rewrite_the_first_visit(client_for, clerk_a, couple):
    """Corrected in the outbox after the first send went through unnoticed: the first stays."""
    client = client_for(clerk_a)
    key = uuid.uuid4()
    client.post(SEND, visit_data(couple, key))

    response = client.post(SEND, visit_data(couple, key, notes="改过的内容"))

    assert response.status_code == 200
    assert FollowUpVisit.objects.get().notes == "离线录入的随访"


def test_two_keys_are_two_visits(client_for, clerk_a, couple):
    client = client_for(clerk_a)
    assert client.post(SEND, visit_data(couple)).status_code == 201
    assert client.post(SEND, visit_data(couple)).status_code == 201
    assert FollowUpVisit.objects.count() == 2


def test_an_outreach_visit_sent_twice_is_saved_once(client_for, bureau_staff, household):
    client = client_for(bureau_staff)
    key = uuid.uuid4()

    assert client.post(SEND, outreach_data(household, key)).status_code == 201
    assert client.post(SEND, outreach_data(household, key)).status_code == 200

    visit = OutreachVisit.objects.get()
    assert (visit.client_key, visit.household_id, visit.visitor_id) == (key, household.pk, bureau_staff.pk)
    assert created_rows(OutreachVisit).count() == 1


def test_a_visit_saved_before_the_couple_was_voided_answers_saved(client_for, clerk_a, couple):
    """The first send went through, its answer was lost, the couple was voided since: the resend
    finds the visit saved, instead of a refusal that would make the clerk type it again."""
    client = client_for(clerk_a)
    key = uuid.uuid4()
    client.post(SEND, visit_data(couple, key))
    Couple.objects.filter(pk=couple.pk).update(is_void=True)

    response = client.post(SEND, visit_data(couple, key))

    assert response.status_code == 200 and response.json()["status"] == "saved"
    assert FollowUpVisit.objects.count() == 1


def test_a_key_of_another_users_visit_is_refused(client_for, clerk_a, couple, township_a):
    from ..factories import UserFactory

    colleague = UserFactory(username="clerk_a2", role="clerk", township=township_a)
    key = uuid.uuid4()
    client_for(colleague).post(SEND, visit_data(couple, key, notes="同事的随访"))

    response = client_for(clerk_a).post(SEND, visit_data(couple, key))

    assert response.status_code == 422
    assert response.json()["status"] == "refused"
    assert "编号已被另一条记录使用" in response.json()["reason"]
    assert FollowUpVisit.objects.get().visitor_id == colleague.pk  # nothing overwritten
    assert FollowUpVisit.objects.count() == 1


def test_a_key_sent_for_another_couple_is_refused(client_for, clerk_a, couple, village_a):
    other = RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)
    client = client_for(clerk_a)
    key = uuid.uuid4()
    client.post(SEND, visit_data(couple, key))
    before = snapshot(other)

    response = client.post(SEND, visit_data(other, key))

    assert response.status_code == 422
    assert FollowUpVisit.objects.count() == 1
    assert snapshot(other) == before


@pytest.mark.django_db(transaction=True)
def test_two_tabs_sending_one_key_at_once_save_one_visit(clerk_a, couple):
    """Two connections send the same key at the same moment: the advisory lock makes the second
    wait for the first's commit and find its row (no duplicate, no unique-violation 500)."""
    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def send():
        try:
            barrier.wait()
            visit = visit_record(couple=couple, by=clerk_a, visit_date=timezone.localdate(),
                                 pregnancy_status="not_pregnant", client_key=key)
            results.append(getattr(visit, "replayed", False))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == [False, True]
    assert FollowUpVisit.objects.filter(client_key=key).count() == 1


# --- refusals: a reason, nothing written ---------------------------------------------------------
def test_a_voided_couple_is_refused_with_the_reason(client_for, clerk_a, couple):
    Couple.objects.filter(pk=couple.pk).update(is_void=True)
    before = snapshot(couple)

    response = client_for(clerk_a).post(SEND, visit_data(couple))

    assert response.status_code == 422
    assert response.json()["status"] == "refused"
    assert response.json()["reason"] == "该夫妇记录已作废，不能记录随访。"
    assert not FollowUpVisit.objects.exists()
    assert snapshot(couple) == before


def test_a_couple_out_of_the_register_is_refused(client_for, clerk_a, couple):
    Couple.objects.filter(pk=couple.pk).update(in_register=False)

    response = client_for(clerk_a).post(SEND, visit_data(couple))

    assert response.status_code == 422
    assert "不在摸底造册名单中" in response.json()["reason"]
    assert not FollowUpVisit.objects.exists()


def test_a_couple_moved_to_another_township_is_refused_and_audited(client_for, clerk_a, clerk_b, couple_b_factory):
    couple_b = couple_b_factory()
    before = snapshot(couple_b)

    response = client_for(clerk_a).post(SEND, visit_data(couple_b))

    assert response.status_code == 404
    assert response.json()["status"] == "refused"
    assert "不在您的管辖范围内" in response.json()["reason"]
    assert not FollowUpVisit.objects.exists()
    assert snapshot(couple_b) == before
    denied = AuditEvent.objects.get(action="denied", user=clerk_a)
    assert (denied.object_id, denied.success) == (str(couple_b.pk), False)


@pytest.fixture
def couple_b_factory(village_b, clerk_b):
    return lambda: RegisterCoupleFactory(household__village=village_b, responsible=clerk_b)


def test_a_household_no_longer_linked_is_refused(client_for, bureau_staff, household):
    bureau_staff.work_groups.update(is_active=False)

    response = client_for(bureau_staff).post(SEND, outreach_data(household))

    assert response.status_code == 404
    assert not OutreachVisit.objects.exists()
    assert AuditEvent.objects.filter(action="denied", user=bureau_staff, object_id=str(household.pk)).exists()


@pytest.mark.parametrize("who, kind", [("bureau_staff", "visit"), ("leader", "visit"), ("clerk_a", "outreach"),
                                       ("clinician", "outreach")])
def test_a_role_that_may_not_record_it_gets_403(request, client_for, couple, household, who, kind):
    user = request.getfixturevalue(who)
    data = visit_data(couple) if kind == "visit" else outreach_data(household)

    response = client_for(user).post(SEND, data)

    assert response.status_code == 403
    assert response.json()["status"] == "refused"
    assert not FollowUpVisit.objects.exists() and not OutreachVisit.objects.exists()
    assert AuditEvent.objects.filter(action="denied", user=user).exists()


def test_an_expired_session_is_sent_to_login_and_nothing_is_saved(client, couple):
    response = client.post(SEND, visit_data(couple))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not FollowUpVisit.objects.exists()


def test_invalid_input_comes_back_per_field(client_for, clerk_a, couple):
    tomorrow = (timezone.localdate() + DAY).isoformat()

    response = client_for(clerk_a).post(SEND, visit_data(couple, pregnancy_status="pregnant", visit_date=tomorrow))

    assert response.status_code == 422
    answer = response.json()
    assert answer["status"] == "refused" and answer["reason"]
    assert "visit_date" in answer["errors"]
    assert not FollowUpVisit.objects.exists()


def test_a_service_rule_comes_back_on_its_field(client_for, clerk_a, couple):
    response = client_for(clerk_a).post(SEND, visit_data(couple, pregnancy_status="pregnant"))

    assert response.status_code == 422
    assert response.json()["errors"]["last_menstrual_period"] == ["孕情为“已孕”时必须填写末次月经日期。"]
    assert not FollowUpVisit.objects.exists()


@pytest.mark.parametrize("change", [{"client_key": "not-a-uuid"}, {"client_key": ""}, {"kind": "survey"},
                                    {"target": "abc"}, {"target": ""}])
def test_a_malformed_send_is_400(client_for, clerk_a, couple, change):
    response = client_for(clerk_a).post(SEND, visit_data(couple, **change))

    assert response.status_code == 400
    assert response.json()["status"] == "refused"
    assert not FollowUpVisit.objects.exists()


def test_get_is_not_allowed(client_for, clerk_a):
    assert client_for(clerk_a).get(SEND).status_code == 405


def test_the_service_refuses_a_key_reused_for_another_household(bureau_staff, household, village_a):
    from households.services.outreach import outreach_record

    other = HouseholdFactory(village=village_a)
    key = uuid.uuid4()
    today = timezone.localdate()
    outreach_record(household=household, by=bureau_staff, visit_date=today, content="走访", client_key=key)

    with pytest.raises(ValidationError):
        outreach_record(household=other, by=bureau_staff, visit_date=today, content="走访", client_key=key)
    assert OutreachVisit.objects.count() == 1


def test_visits_typed_online_carry_no_key(client_for, clerk_a, couple):
    response = client_for(clerk_a).post(reverse("households:visit_create", args=[couple.pk]), {
        k: v for k, v in visit_data(couple).items() if k not in ("kind", "target", "client_key")})

    assert response.status_code == 302
    assert FollowUpVisit.objects.get().client_key is None


# --- the installable app's own pages ---------------------------------------------------------------
def test_the_outbox_page_renders_for_a_clerk(client_for, clerk_a):
    response = client_for(clerk_a).get(reverse("households:outbox"))

    assert response.status_code == 200
    assert 'data-testid="outbox-list"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert b"tr-pages-" in b"".join(response.streaming_content)


def test_the_manifest_names_the_app_and_its_icons(client):
    from django.contrib.staticfiles import finders

    response = client.get(reverse("web_manifest"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == "乡镇计生服务登记"
    assert (manifest["display"], manifest["start_url"], manifest["scope"]) == ("standalone", "/", "/")
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_the_offline_page_needs_no_login_and_holds_nothing_personal(client, client_for, clerk_a):
    anonymous = client.get(reverse("offline")).content.decode()
    assert "需要网络连接" in anonymous
    logged_in = client_for(clerk_a).get(reverse("offline")).content.decode()
    assert clerk_a.get_full_name() not in logged_in
    assert "data-user" not in logged_in


def test_every_page_links_the_manifest_and_names_its_user(client_for, clerk_a):
    html = client_for(clerk_a).get(reverse("households:due_mine")).content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color"' in html
    assert f'data-user="{clerk_a.pk}"' in html
    assert "js/offline.js" in html
