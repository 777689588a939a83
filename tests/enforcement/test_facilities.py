"""Designated facilities: licence expiry lists, device flags, registry edits (versioned, no deletes)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from enforcement.models import Facility, UltrasoundDevice

from .factories import DeviceFactory, FacilityFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def licences(township_a):
    today = timezone.localdate()
    make = lambda name, until, **kw: FacilityFactory(township=township_a, name=name, licence_valid_until=until, **kw)  # noqa: E731
    return {
        "expired_long_ago": make("甲", today - 400 * DAY),
        "expired_yesterday": make("乙", today - DAY),
        "until_today": make("丙", today),
        "in_30_days": make("丁", today + 30 * DAY),
        "in_31_days": make("戊", today + 31 * DAY),
        "closed_expired": make("己", today - 10 * DAY, is_active=False),
    }


def names(response):
    return sorted(f.name for f in response.context["page"].object_list)


def test_expiring_list_is_licences_running_out_within_30_days(client_for, inspector, licences):
    response = client_for(inspector).get(reverse("enforcement:facility_list"), {"licence": "expiring"})
    assert names(response) == ["丁", "丙"]


def test_expired_list_is_active_facilities_with_lapsed_licences(client_for, leader, licences):
    response = client_for(leader).get(reverse("enforcement:facility_list"), {"licence": "expired"})
    assert names(response) == ["乙", "甲"]


def test_warning_window_is_a_setting(client_for, inspector, licences, settings):
    settings.ENFORCEMENT_LICENCE_WARNING_DAYS = 31
    response = client_for(inspector).get(reverse("enforcement:facility_list"), {"licence": "expiring"})
    assert names(response) == ["丁", "丙", "戊"]


def test_licence_state_badges_and_home_counts(client_for, inspector, licences):
    client = client_for(inspector)
    html = client.get(reverse("enforcement:facility_list")).content.decode()
    assert html.count('data-state="expired"') == 2 and html.count('data-state="expiring"') == 2
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="enf-licence-expiring" data-count="2"' in home
    assert 'data-testid="enf-licence-expired" data-count="2"' in home


def test_device_at_a_facility_without_the_ultrasound_designation_is_flagged(client_for, inspector, township_a):
    designated = FacilityFactory(township=township_a, name="县医院", des_ultrasound=True)
    undesignated = FacilityFactory(township=township_a, name="某诊所", des_ultrasound=False)
    ok = DeviceFactory(facility=designated)
    flagged = DeviceFactory(facility=undesignated)
    client = client_for(inspector)

    response = client.get(reverse("enforcement:device_list"), {"flagged": "on"})
    assert [d.pk for d in response.context["page"].object_list] == [flagged.pk]
    assert list(UltrasoundDevice.objects.flagged()) == [flagged]
    assert 'data-testid="device-flag"' in client.get(undesignated.get_absolute_url()).content.decode()
    assert 'data-testid="device-flag"' not in client.get(designated.get_absolute_url()).content.decode()
    all_rows = client.get(reverse("enforcement:device_list")).content.decode()
    assert all_rows.count('data-testid="flag"') == 1
    assert ok.township_id == township_a.pk


def test_filing_a_device_at_an_undesignated_facility_warns(client_for, inspector, township_a):
    facility = FacilityFactory(township=township_a, des_ultrasound=False)
    response = client_for(inspector).post(
        reverse("enforcement:device_create", args=[facility.pk]),
        {
            "model_name": "LOGIQ",
            "serial_number": "A-1",
            "room": "二楼",
            "operators": "李医生",
            "filed_on": timezone.localdate().isoformat(),
        },
        follow=True,
    )
    assert "没有“B超机使用”定点资质" in response.content.decode()
    assert facility.devices.get().township_id == township_a.pk


def test_the_same_device_cannot_be_filed_twice(client_for, inspector, township_a):
    device = DeviceFactory(facility=FacilityFactory(township=township_a))
    other = FacilityFactory(township=township_a)
    response = client_for(inspector).post(
        reverse("enforcement:device_create", args=[other.pk]),
        {
            "model_name": device.model_name,
            "serial_number": device.serial_number,
            "room": "x",
            "operators": "y",
            "filed_on": timezone.localdate().isoformat(),
        },
    )
    assert "已在册备案" in response.content.decode()
    assert UltrasoundDevice.objects.count() == 1


def facility_post(township, **overrides):
    data = {
        "township": township.pk,
        "name": "城关镇卫生院",
        "kind": "township_hc",
        "licence_number": "PDY-001",
        "licence_valid_from": "2024-01-01",
        "licence_valid_until": "2029-12-31",
        "des_ultrasound": "on",
        "des_delivery": "on",
    }
    return {**data, **overrides}


def test_inspector_registers_a_facility_with_its_designations(client_for, inspector, township_a):
    response = client_for(inspector).post(reverse("enforcement:facility_create"), facility_post(township_a))
    facility = Facility.objects.get()
    assert response.status_code == 302 and response["Location"] == facility.get_absolute_url()
    assert facility.designations == ["delivery", "ultrasound"]
    assert facility.created_by == inspector


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"licence_valid_from": "2030-01-01"}, "有效期至不能早于有效期起"),
        ({"licence_number": "DUP-1"}, "已登记在其他机构名下"),
        ({"name": ""}, "请填写"),  # core.forms: the message names the field
    ],
)
def test_bad_facility_input_is_refused_and_kept(client_for, inspector, township_a, overrides, field_message):
    FacilityFactory(township=township_a, licence_number="DUP-1")
    response = client_for(inspector).post(
        reverse("enforcement:facility_create"), facility_post(township_a, **overrides)
    )
    html = response.content.decode()
    assert response.status_code == 200 and field_message in html
    assert 'value="2029-12-31"' in html
    assert Facility.objects.count() == 1


def test_two_edits_of_one_facility_do_not_overwrite_each_other(client_for, inspector, township_a):
    facility = FacilityFactory(township=township_a, name="旧名")
    client = client_for(inspector)
    url = reverse("enforcement:facility_edit", args=[facility.pk])
    first = facility_post(township_a, name="甲改", licence_number=facility.licence_number, version=facility.version)
    second = facility_post(township_a, name="乙改", licence_number=facility.licence_number, version=facility.version)
    assert client.post(url, first).status_code == 302
    response = client.post(url, second)
    assert "已被他人修改" in response.content.decode()
    facility.refresh_from_db()
    assert facility.name == "甲改"


def test_moving_a_facility_moves_its_devices(client_for, inspector, township_a, township_b):
    facility = FacilityFactory(township=township_a)
    device = DeviceFactory(facility=facility)
    client_for(inspector).post(
        reverse("enforcement:facility_edit", args=[facility.pk]),
        facility_post(township_b, licence_number=facility.licence_number, version=facility.version),
    )
    device.refresh_from_db()
    assert device.township_id == township_b.pk


def test_facilities_are_deactivated_with_a_reason_never_deleted(client_for, inspector, township_a):
    facility = FacilityFactory(township=township_a)
    client = client_for(inspector)
    url = reverse("enforcement:facility_deactivate", args=[facility.pk])
    response = client.post(url, {"reason": " "})
    assert response.status_code == 200 and "请填写" in response.content.decode()
    facility.refresh_from_db()
    assert facility.is_active
    client.post(url, {"reason": "撤销定点资质"})
    facility.refresh_from_db()
    assert (facility.is_active, facility.closed_reason) == (False, "撤销定点资质")
    assert Facility.objects.filter(pk=facility.pk).exists()
    default_list = client.get(reverse("enforcement:facility_list"))
    assert facility not in default_list.context["page"].object_list
    assert (
        facility in client.get(reverse("enforcement:facility_list"), {"status": "inactive"}).context["page"].object_list
    )


def test_retired_device_keeps_its_filing(client_for, inspector, township_a):
    device = DeviceFactory(facility=FacilityFactory(township=township_a))
    client_for(inspector).post(reverse("enforcement:device_retire", args=[device.pk]), {"reason": "报废"})
    device.refresh_from_db()
    assert (device.is_active, device.retired_reason) == (False, "报废")
