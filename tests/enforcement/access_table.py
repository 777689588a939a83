"""Expected status of every enforcement URL for each role of the cast (tests/conftest.py).

The source of ``url_roles.py`` (the project-wide URL × role table) and of ``test_access.py``:
url name → {cast role: status}. URLs that
take a record id are listed with ``<pk>``; ``test_access.py`` fills in a record of the right kind.
Read pages answer inspectors and leaders 200; change pages answer leaders 403 (read-only);
every other role gets 403 everywhere (docs/domain.md, Roles: enforcement is inspectors' and leaders' only).
"""

OTHER_ROLES = ("clerk_a", "clerk_b", "bureau_staff", "clinician", "auditor", "admin")

READ = {"inspector": 200, "leader": 200, **{role: 403 for role in OTHER_ROLES}}
CHANGE = {"inspector": 200, "leader": 403, **{role: 403 for role in OTHER_ROLES}}
INSPECTORS = dict(CHANGE)  # not a change, but an inspector's act: opening an evidence file (GET only)

# url name → (expected statuses for GET, the kind of record its <pk> is, or None)
URLS: dict[str, tuple[dict, str | None]] = {
    "enforcement:case_list": (READ, None),
    "enforcement:case_create": (CHANGE, None),
    "enforcement:case_detail": (READ, "case"),
    "enforcement:case_edit": (CHANGE, "case"),
    "enforcement:party_create": (CHANGE, "case"),
    "enforcement:evidence_upload": (CHANGE, "case"),
    "enforcement:evidence_download": (INSPECTORS, "evidence"),
    "enforcement:drill_cases_opened": (READ, None),
    "enforcement:drill_cases_filed": (READ, None),
    "enforcement:drill_cases_closed": (READ, None),
    "enforcement:tip_list": (READ, None),
    "enforcement:tip_create": (CHANGE, None),
    "enforcement:tip_detail": (READ, "tip"),
    "enforcement:tip_dismiss": (CHANGE, "tip"),
    "enforcement:tip_open_case": (CHANGE, "tip"),
    "enforcement:tip_reward": (CHANGE, "tip"),
    "enforcement:drill_tips_received": (READ, None),
    "enforcement:drill_tips_overdue": (READ, None),
    "enforcement:facility_list": (READ, None),
    "enforcement:facility_create": (CHANGE, None),
    "enforcement:facility_detail": (READ, "facility"),
    "enforcement:facility_edit": (CHANGE, "facility"),
    "enforcement:facility_deactivate": (CHANGE, "facility"),
    "enforcement:device_create": (CHANGE, "facility"),
    "enforcement:device_list": (READ, None),
    "enforcement:device_edit": (CHANGE, "device"),
    "enforcement:device_retire": (CHANGE, "device"),
    "enforcement:inspection_list": (READ, None),
    "enforcement:inspection_create": (CHANGE, None),
    "enforcement:inspection_detail": (READ, "inspection"),
    "enforcement:inspection_open_case": (CHANGE, "inspection"),
    "enforcement:figures": (READ, None),
    "enforcement:export_cases": (READ, None),
    "enforcement:export_tips": (READ, None),
    "enforcement:export_facilities": (READ, None),
    "enforcement:export_devices": (READ, None),
    "enforcement:export_inspections": (READ, None),
}
# case_step takes a stage as well: /enforcement/cases/<pk>/to/<stage>/.
STEP = ("enforcement:case_step", CHANGE)

URL_ROLES: dict[str, dict[str, int]] = {name: statuses for name, (statuses, _) in URLS.items()}
URL_ROLES[STEP[0]] = STEP[1]
