"""Every enforcement page answers an inspector and a leader (smoke over the whole app)."""

import pytest
from django.urls import reverse

from .factories import DeviceFactory, FacilityFactory, TipFactory, make_case

pytestmark = pytest.mark.django_db


def test_inspector_pages_render(client_for, inspector, township_a):
    facility = FacilityFactory(township=township_a)
    DeviceFactory(facility=facility)
    tip = TipFactory(township=township_a)
    case = make_case(township=township_a, by=inspector, status="closed")
    client = client_for(inspector)
    for name, args in [
        ("case_list", []),
        ("tip_list", []),
        ("facility_list", []),
        ("device_list", []),
        ("inspection_list", []),
        ("figures", []),
        ("case_create", []),
        ("tip_create", []),
        ("facility_create", []),
        ("inspection_create", []),
        ("case_detail", [case.pk]),
        ("tip_detail", [tip.pk]),
        ("facility_detail", [facility.pk]),
        ("tip_open_case", [tip.pk]),
        ("tip_dismiss", [tip.pk]),
        ("device_create", [facility.pk]),
        ("export_cases", []),
        ("export_tips", []),
        ("export_facilities", []),
        ("export_devices", []),
        ("export_inspections", []),
        ("drill_cases_closed", []),
    ]:
        response = client.get(reverse(f"enforcement:{name}", args=args))
        assert response.status_code == 200, name
    assert client.get(reverse("home")).status_code == 200
