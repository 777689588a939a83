"""enforcement's URLs in the project-wide URL × role table (tests/security/test_url_roles.py).

The statuses live in ``access_table.py`` (also used by ``test_access.py``); this module turns them
into the shared format and builds one record of each kind in township A. Enforcement is
county-wide for inspectors (change) and leaders (read-only): clerk_b gets 403 like every other
role, not 404.
"""
from django.core.files.uploadedfile import SimpleUploadedFile

from enforcement.services.evidence import evidence_attach
from enforcement.services.facilities import inspection_record
from tests.security.url_table import Url

from . import files
from .access_table import STEP, URLS as STATUSES
from .factories import DeviceFactory, FacilityFactory, TipFactory, make_case


def build(w):
    w.facility_a = FacilityFactory(township=w.township_a)
    w.case_a = make_case(township=w.township_a, by=w.inspector, status="investigating")
    w.evidence_a = evidence_attach(case=w.case_a, by=w.inspector, description="照片",
                                   upload=SimpleUploadedFile("a.png", files.png()))
    w.tip_a = TipFactory(township=w.township_a)
    w.device_a = DeviceFactory(facility=w.facility_a)
    w.inspection_a = inspection_record(by=w.inspector, facility=w.facility_a, inspected_on=w.facility_a.created_at.date(),
                                       inspectors=[], findings="登记规范", checked_drug_ledger=True)


def _kwargs(kind):
    return (lambda w: {"pk": getattr(w, f"{kind}_a").pk}) if kind else None


def _url(statuses, kind=None, **extra):
    html = not extra.pop("file", False)
    return Url({**statuses, "anonymous": 302}, kwargs=_kwargs(kind), html_checked=html, **extra)


URLS = {
    name: _url(statuses, kind, file=name.startswith("enforcement:export_") or name.endswith("_download"))
    for name, (statuses, kind) in STATUSES.items()
}
URLS[STEP[0]] = Url({**STEP[1], "anonymous": 302}, kwargs=lambda w: {"pk": w.case_a.pk, "to": "decided"})
