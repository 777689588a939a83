"""GET status per URL name and role in the cast (tests/conftest.py), for the integrator's URL ×
role table. ``args`` names the township-A object the URL takes (built by test_url_roles.py):
"couple" (a couple in the register), "screening" (its assessed screening), "prenatal" (a
high-risk prenatal screening of it), "early" / "outcome" (its follow-ups). Clerk B is the other
township's clerk: an object URL answers 404 for a role that may open that kind of page at all.
"""
ROLES = ["clerk_a", "clerk_b", "bureau_staff", "clinician", "inspector", "leader", "auditor", "admin"]
NONE = {"bureau_staff": 403, "inspector": 403, "auditor": 403, "admin": 403}

_clinician_only = {"clerk_a": 403, "clerk_b": 403, "clinician": 200, "leader": 403, **NONE}
_rates = {"clerk_a": 403, "clerk_b": 403, "clinician": 200, "leader": 200, **NONE}

URL_ROLES = {
    # name: (args, {role: status})
    "screening:queue": (None, {"clerk_a": 200, "clerk_b": 200, "clinician": 200, "leader": 403, **NONE}),
    "screening:queue_export": (None, {"clerk_a": 200, "clerk_b": 200, "clinician": 200, "leader": 403, **NONE}),
    "screening:couple": ("couple", {"clerk_a": 200, "clerk_b": 404, "clinician": 200, "leader": 403, **NONE}),
    "screening:find": (None, _clinician_only),
    "screening:walk_in": (None, _clinician_only),
    "screening:screening_start": ("couple", _clinician_only),
    "screening:screening_list": (None, _clinician_only),
    "screening:screening_export": (None, _clinician_only),
    "screening:screening_detail": ("screening", _clinician_only),
    "screening:results": ("screening", _clinician_only),
    "screening:assess": ("screening", _clinician_only),
    "screening:letter": ("screening", _clinician_only),
    "screening:screening_void": ("screening", _clinician_only),
    "screening:early_create": ("screening", _clinician_only),
    "screening:prenatal_create": ("screening", _clinician_only),
    "screening:outcome_create": ("screening", _clinician_only),
    "screening:diagnosis": ("prenatal", _clinician_only),
    "screening:early_void": ("early", _clinician_only),
    "screening:prenatal_void": ("prenatal", _clinician_only),
    "screening:rates": (None, _rates),
    # The list behind a figure needs ?start=&end= (test_url_roles adds them).
    "screening:rate_list_coverage": (None, _rates),
    "screening:rate_list_high_risk_share": (None, _rates),
    "screening:rate_list_early_follow_up": (None, _rates),
    "screening:rate_list_outcome_follow_up": (None, _rates),
    "screening:rate_list_prenatal": (None, _rates),
    "screening:rate_list_screened": (None, _rates),
    "screening:rate_list_high_found": (None, _rates),
    "screening:outcome_void": ("outcome", _clinician_only),
}
# POST-only: a GET is the wrong method for everyone (405) before any role or scope check.
POST_ONLY = {"screening:letter_print": ("screening", {role: 405 for role in ROLES})}
