"""Who may open which enforcement page: every URL for every role of the cast, and methods."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from enforcement.models import Case, Evidence, Tip
from enforcement.services.facilities import inspection_record

from tests.conftest import pass_second_factor

from . import files
from .factories import DeviceFactory, FacilityFactory, TipFactory, make_case
from .access_table import CHANGE, STEP, URLS

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(settings, tmp_path, client_for, inspector, township_a):
    settings.MEDIA_ROOT = tmp_path
    facility = FacilityFactory(township=township_a)
    case = make_case(township=township_a, by=inspector, status="investigating")
    client_for(inspector).post(
        reverse("enforcement:evidence_upload", args=[case.pk]),
        {"file": SimpleUploadedFile("a.png", files.png()), "description": "照片"},
    )
    tip = TipFactory(township=township_a)
    return {
        "case": case,
        "tip": tip,
        "facility": facility,
        "device": DeviceFactory(facility=facility),
        "inspection": inspection_record(
            by=inspector,
            facility=facility,
            inspected_on=facility.created_at.date(),
            inspectors=[],
            findings="登记规范",
            checked_drug_ledger=True,
        ),
        "evidence": Evidence.objects.get(),
    }


def url_for(name, kind, records):
    return reverse(name, args=[records[kind].pk] if kind else [])


@pytest.mark.parametrize("name", sorted(URLS))
def test_every_page_answers_each_role_as_the_table_says(client, cast, records, name):
    statuses, kind = URLS[name]
    url = url_for(name, kind, records)
    for role, expected in statuses.items():
        client.force_login(cast[role])
        pass_second_factor(client, cast[role])
        response = client.get(url)
        assert response.status_code == expected, f"{name} as {role}: {response.status_code}"


def test_case_step_answers_each_role_as_the_table_says(client, cast, records):
    name, statuses = STEP
    url = reverse(name, args=[records["case"].pk, "decided"])
    for role, expected in statuses.items():
        client.force_login(cast[role])
        pass_second_factor(client, cast[role])
        assert client.get(url).status_code == expected, role


@pytest.mark.parametrize("name", sorted(n for n in URLS if URLS[n][0] is CHANGE))
def test_leaders_cannot_change_anything_by_post(client_for, leader, records, name):
    statuses, kind = URLS[name]
    before = (Case.objects.count(), Tip.objects.filter(status="pending").count())
    response = client_for(leader).post(url_for(name, kind, records), {"reason": "x", "title": "x"})
    assert response.status_code == 403
    assert (Case.objects.count(), Tip.objects.filter(status="pending").count()) == before
    assert AuditEvent.objects.filter(action="denied", user=leader).exists()


def test_leader_cannot_move_a_case(client_for, leader, records):
    case = records["case"]
    response = client_for(leader).post(
        reverse("enforcement:case_step", args=[case.pk, "referred"]),
        {"expected": "investigating", "reason": "x", "referral_department": "police"},
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == "investigating"


@pytest.mark.parametrize("role", ["clerk_a", "bureau_staff", "clinician"])
def test_other_roles_cannot_post_a_tip_or_a_step(client_for, cast, records, role, township_a):
    client = client_for(cast[role])
    response = client.post(
        reverse("enforcement:tip_create"),
        {"channel": "phone", "received_on": "2026-01-05", "township": township_a.pk, "content": "x"},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("enforcement:case_step", args=[records["case"].pk, "referred"]),
        {"expected": "investigating", "reason": "x", "referral_department": "police"},
    )
    assert response.status_code == 403
    records["case"].refresh_from_db()
    assert records["case"].status == "investigating"
    assert Tip.objects.count() == 1


def test_anonymous_is_sent_to_login(client, records):
    client.logout()  # the records fixture logged the inspector in to upload evidence
    response = client.get(reverse("enforcement:case_detail", args=[records["case"].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "name",
    [
        "enforcement:case_list",
        "enforcement:tip_list",
        "enforcement:figures",
        "enforcement:export_cases",
        "enforcement:facility_list",
    ],
)
def test_read_only_pages_refuse_post(client_for, inspector, records, name):
    assert client_for(inspector).post(reverse(name)).status_code == 405


def test_unknown_records_are_404_for_inspectors_and_403_for_others(client_for, inspector, clerk_a):
    for name in ("case_detail", "tip_detail", "facility_detail", "inspection_detail"):
        assert client_for(inspector).get(reverse(f"enforcement:{name}", args=[987654])).status_code == 404
        assert client_for(clerk_a).get(reverse(f"enforcement:{name}", args=[987654])).status_code == 403


def test_nav_shows_enforcement_only_to_inspectors_and_leaders(client_for, cast):
    for role, user in cast.items():
        html = client_for(user).get(reverse("home")).content.decode()
        shown = 'data-nav="enf-cases"' in html
        assert shown == (role in ("inspector", "leader")), role
