"""Expected status of a plain GET (no parameters) of each assessment URL, per role of the fixed cast
(tests/conftest.py ``cast``), for the project-wide URL × role check. None of the cast holds an
assessor grant (assessment.Assessor), so entry pages are 403 for all of them; granted assessors
are covered in tests/assessment/test_entry.py. URLs that need an object id are covered by their
own tests (out-of-scope 404 and wrong-role 403 in test_ranking_views.py, test_publicity.py).
"""
CAST = ["clerk_a", "clerk_b", "bureau_staff", "clinician", "inspector", "leader", "auditor", "admin"]


def _statuses(**overrides) -> dict[str, int]:
    statuses = dict.fromkeys(CAST, 403)
    statuses.update(overrides)
    return statuses


VIEWERS = _statuses(clerk_a=200, clerk_b=200, leader=200)  # leaders; clerks their own township
COUNTY = _statuses(leader=200)  # leaders (and granted assessors)
NOBODY = _statuses()  # granted assessors only

URL_ROLES: dict[str, dict[str, int]] = {
    "assessment:ranking": VIEWERS,
    "assessment:ranking_print": VIEWERS,
    "assessment:ranking_export": VIEWERS,
    "assessment:check_list": VIEWERS,
    "assessment:publicity_list": VIEWERS,
    "assessment:recompute": dict.fromkeys(CAST, 405),  # POST only
    "assessment:check_bulk": NOBODY,
    "assessment:publicity_create": NOBODY,
    "assessment:scorecard": COUNTY,
    "assessment:scorecard_export": COUNTY,
    "assessment:my_liaison": _statuses(leader=302),  # to the leader's own page
    # The records behind a households indicator: leaders only; without ?township=&start=&end= a
    # leader gets 404 (no such list), everyone else 403.
    **{
        f"households:indicator_list_{key}": _statuses(leader=404)
        for key in ("register_size", "couples_added", "visits_recorded", "visits_on_time", "followups_due",
                    "followups_overdue", "followups_overdue_long", "pregnancies_found", "outreach_visits")
    },
}
