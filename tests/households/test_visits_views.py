"""The phone visit form (households:visit_create), the void page, and the couple's visit history."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from households.models import FollowUpVisit
from households.services.visits import default_next_due, visit_record

from ..factories import RegisterCoupleFactory

DAY = datetime.timedelta(days=1)


@pytest.fixture
def couple(village_a, clerk_a):
    return RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)


@pytest.fixture
def couple_b(village_b, clerk_b):
    return RegisterCoupleFactory(household__village=village_b, responsible=clerk_b)


def url(couple):
    return reverse("households:visit_create", args=[couple.pk])


def form_data(**overrides):
    today = timezone.localdate()
    data = {
        "visit_date": today.isoformat(), "pregnancy_status": "not_pregnant", "last_menstrual_period": "",
        "services": ["health_education"], "notes": "已宣传免费孕前检查", "next_due": "", "next_due_default": "",
    }
    data.update(overrides)
    return data


def snapshot(couple):
    couple.refresh_from_db()
    return couple.pregnancy_status, couple.last_visit_date, couple.next_visit_due, couple.version


# --- GET ---------------------------------------------------------------------------------------
def test_clerk_opens_visit_form_with_defaults(client_for, clerk_a, couple):
    response = client_for(clerk_a).get(url(couple))

    assert response.status_code == 200
    html = response.content.decode()
    today = timezone.localdate()
    assert 'data-testid="visit-form"' in html
    assert f'value="{default_next_due(today, "not_pregnant").isoformat()}"' in html  # next due pre-filled
    assert 'data-testid="status-pregnant"' in html  # the big status buttons
    assert 'id="visit-intervals"' in html  # the data the inline script reads
    assert couple.wife.name in html
    assert couple.wife.id_number not in html


def test_form_opens_on_the_couple_current_status(client_for, clerk_a, couple):
    couple.pregnancy_status = "pregnant"
    couple.save()
    form = client_for(clerk_a).get(url(couple)).context["form"]
    assert form["pregnancy_status"].value() == "pregnant"
    assert form["next_due"].value() == default_next_due(timezone.localdate(), "pregnant")


# --- POST --------------------------------------------------------------------------------------
def test_clerk_records_visit_and_is_sent_to_the_couple(client_for, clerk_a, couple):
    response = client_for(clerk_a).post(url(couple), form_data(
        pregnancy_status="pregnant", last_menstrual_period=(timezone.localdate() - 40 * DAY).isoformat(),
        services=["prenatal_care", "health_education"]))

    assert response.status_code == 302
    assert response["Location"] == couple.get_absolute_url()
    visit = FollowUpVisit.objects.get()
    assert visit.services == ["prenatal_care", "health_education"]
    assert visit.next_due == default_next_due(timezone.localdate(), "pregnant")
    assert snapshot(couple)[0] == "pregnant"
    follow = client_for(clerk_a).get(reverse("households:visit_list"))
    assert "已记录" in str(list(follow.context["messages"])[0])


def test_untouched_default_next_due_is_recomputed_for_the_status_submitted(client_for, clerk_a, couple):
    # Without JavaScript the form posts back the default it offered for 未孕 (90 days); the clerk
    # chose 已孕, so the server recomputes (30 days) instead of storing the stale default.
    today = timezone.localdate()
    offered = default_next_due(today, "not_pregnant").isoformat()
    client_for(clerk_a).post(url(couple), form_data(
        pregnancy_status="pregnant", last_menstrual_period=(today - 30 * DAY).isoformat(),
        next_due=offered, next_due_default=offered))

    assert FollowUpVisit.objects.get().next_due == default_next_due(today, "pregnant")


def test_next_due_typed_by_the_clerk_is_kept(client_for, clerk_a, couple):
    today = timezone.localdate()
    chosen = (today + 7 * DAY).isoformat()
    client_for(clerk_a).post(url(couple), form_data(
        next_due=chosen, next_due_default=default_next_due(today, "not_pregnant").isoformat()))
    assert FollowUpVisit.objects.get().next_due.isoformat() == chosen


def test_safe_next_returns_to_the_due_list_but_external_next_is_ignored(client_for, clerk_a, couple):
    client = client_for(clerk_a)
    due = reverse("households:due_mine")
    assert client.post(url(couple), form_data(next=due))["Location"] == due
    assert client.post(url(couple), form_data(next="https://evil.example/"))["Location"] == couple.get_absolute_url()


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"visit_date": "tomorrow"}, "visit_date", "随访日期不能晚于今天。"),
    ({"pregnancy_status": "pregnant"}, "last_menstrual_period", "孕情为“已孕”时必须填写末次月经日期。"),
    ({"next_due": "yesterday"}, "next_due", "下次随访日期不能早于随访日期。"),
])
def test_invalid_visit_rerenders_with_chinese_error_keeps_input_saves_nothing(
        client_for, clerk_a, couple, overrides, field, message):
    today = timezone.localdate()
    dates = {"tomorrow": (today + DAY).isoformat(), "yesterday": (today - 5 * DAY).isoformat()}
    overrides = {k: dates.get(v, v) for k, v in overrides.items()}
    before = snapshot(couple)

    response = client_for(clerk_a).post(url(couple), form_data(notes="丈夫外出务工，电话随访", **overrides))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field] == [message]
    html = response.content.decode()
    assert message in html
    assert "丈夫外出务工，电话随访" in html  # everything typed is kept
    assert form["services"].value() == ["health_education"]
    assert form["pregnancy_status"].value() == overrides.get("pregnancy_status", "not_pregnant")
    assert not FollowUpVisit.objects.exists()
    assert snapshot(couple) == before


def test_form_field_errors_come_back_in_chinese(client_for, clerk_a, couple):
    response = client_for(clerk_a).post(url(couple), form_data(visit_date="2025-02-30", pregnancy_status=""))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"visit_date", "pregnancy_status"}
    assert not FollowUpVisit.objects.exists()


def test_visit_to_couple_outside_the_register_is_refused_on_the_form(client_for, clerk_a, village_a):
    couple = RegisterCoupleFactory(household__village=village_a, in_register=False, planned_timing="5")
    client = client_for(clerk_a)
    assert 'data-testid="not-in-register"' in client.get(url(couple)).content.decode()
    response = client.post(url(couple), form_data())
    assert response.status_code == 200
    assert "不在摸底造册名单中" in response.content.decode()
    assert not FollowUpVisit.objects.exists()


# --- refusals ------------------------------------------------------------------------------------
def test_clerk_cannot_open_or_post_visit_for_other_township_couple(client_for, clerk_a, couple_b):
    before = snapshot(couple_b)
    client = client_for(clerk_a)

    assert client.get(url(couple_b)).status_code == 404
    assert client.post(url(couple_b), form_data()).status_code == 404

    assert not FollowUpVisit.objects.exists()
    assert snapshot(couple_b) == before
    assert AuditEvent.objects.filter(action="denied", user=clerk_a, object_id=str(couple_b.pk)).count() == 2


@pytest.mark.parametrize("who", ["bureau_staff", "leader", "clinician", "inspector", "auditor", "admin_user"])
def test_roles_without_visit_capability_get_403(request, client_for, couple, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(url(couple)).status_code == 403
    assert client.post(url(couple), form_data()).status_code == 403
    assert not FollowUpVisit.objects.exists()


def test_visit_form_refuses_other_methods(client_for, clerk_a, couple):
    assert client_for(clerk_a).put(url(couple)).status_code == 405


def test_anonymous_is_sent_to_login(client, couple):
    response = client.get(url(couple))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- void ------------------------------------------------------------------------------------------
@pytest.fixture
def visit(couple, clerk_a):
    return visit_record(couple=couple, by=clerk_a, visit_date=timezone.localdate(), pregnancy_status="delivered")


def void_url(visit):
    return reverse("households:visit_void", args=[visit.pk])


def test_clerk_voids_visit_with_reason(client_for, clerk_a, couple, visit):
    client = client_for(clerk_a)
    assert client.get(void_url(visit)).status_code == 200
    response = client.post(void_url(visit), {"reason": "录错夫妇"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.is_void
    assert snapshot(couple)[0] == "not_pregnant"


def test_void_without_reason_is_refused(client_for, clerk_a, visit):
    response = client_for(clerk_a).post(void_url(visit), {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    visit.refresh_from_db()
    assert not visit.is_void


def test_other_township_clerk_and_other_roles_cannot_void(client_for, clerk_b, bureau_staff, leader, visit):
    assert client_for(clerk_b).post(void_url(visit), {"reason": "x"}).status_code == 404
    assert client_for(bureau_staff).post(void_url(visit), {"reason": "x"}).status_code == 403
    assert client_for(leader).post(void_url(visit), {"reason": "x"}).status_code == 403
    visit.refresh_from_db()
    assert not visit.is_void


def test_void_refuses_other_methods(client_for, clerk_a, visit):
    assert client_for(clerk_a).delete(void_url(visit)).status_code == 405


# --- the couple's visit history (templates/households/_couple_visits.html) -------------------------
def test_couple_visit_history_lists_visits_and_the_record_button(rf, clerk_a, couple, visit):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = clerk_a
    html = render_to_string("households/_couple_visits.html", {"couple": couple}, request=request)

    assert 'data-testid="record-visit"' in html
    assert reverse("households:visit_create", args=[couple.pk]) in html
    assert html.count('data-testid="visit-row"') == 1
    assert "已分娩" in html and str(clerk_a) in html


def test_couple_visit_history_hides_the_button_outside_the_register(rf, clerk_a, village_a):
    from django.template.loader import render_to_string

    couple = RegisterCoupleFactory(household__village=village_a, in_register=False)
    request = rf.get("/")
    request.user = clerk_a
    html = render_to_string("households/_couple_visits.html", {"couple": couple}, request=request)
    assert 'data-testid="record-visit"' not in html
    assert 'data-testid="no-visits"' in html


def test_couple_detail_page_shows_history_with_constant_queries(client_for, clerk_a, couple,
                                                                django_assert_max_num_queries):
    client = client_for(clerk_a)
    for days in (30, 20, 10):
        visit_record(couple=couple, by=clerk_a, visit_date=timezone.localdate() - days * DAY,
                     pregnancy_status="not_pregnant")
    url = couple.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        html = client.get(url).content.decode()
    assert html.count('data-testid="visit-row"') == 3
    assert 'data-testid="record-visit"' in html
    for days in (40, 50, 60):
        visit_record(couple=couple, by=clerk_a, visit_date=timezone.localdate() - days * DAY,
                     pregnancy_status="not_pregnant")
    with django_assert_max_num_queries(len(few)):  # three more visits, not one query more
        html = client.get(url).content.decode()
    assert html.count('data-testid="visit-row"') == 6


def test_opening_the_visit_form_is_audited_as_a_view_of_the_couple(client_for, clerk_a, couple):
    # The form shows the wife's pregnancy status, the address and the phone.
    assert client_for(clerk_a).get(url(couple)).status_code == 200
    event = AuditEvent.objects.get(action="view", user=clerk_a)
    assert (event.object_type, event.object_id, event.township_id) == (
        "households.couple", str(couple.pk), couple.township_id)
