"""screening's URLs: what each role gets on GET (tests/security/test_url_roles.py runs it).

The world's couple is in township A's register (households' build); its screening is assessed,
with an early-pregnancy follow-up, a high-risk NT screening and an outcome follow-up. Clerk B is
the other township's clerk: an object URL answers 404 to a role that may open that kind of page.
Lab values, risk factors and letters are the clinician's alone (screening.results); leaders see
rates and the masked lists behind them; the pathway status is the township's.
"""
import datetime

from screening.models import ResultField, RiskRule, ScreeningItem
from screening.services.followups import outcome_follow_up_record, prenatal_screening_record
from tests.security.url_table import Url, admin_model_urls, everyone, only

from .conftest import ensure_catalogue
from .helpers import assessed, pregnant

DAY = datetime.timedelta(days=1)
CLINICIAN = {"clinician": 200}
PATHWAY = {"clerk_a": 200, "clerk_b": 200, "clinician": 200}
RATES = {"clinician": 200, "leader": 200}


def build(w):
    ensure_catalogue()
    today = datetime.date.today()
    w.screening_a = assessed(w.couple_a, w.clinician, exam_date=today - 150 * DAY)
    w.early_a = pregnant(w.screening_a, w.clinician, lmp=today - 84 * DAY, followed_on=today - 20 * DAY)
    w.prenatal_a = prenatal_screening_record(screening=w.screening_a, by=w.clinician, test="nt", tested_on=today,
                                             gestational_weeks=12, gestational_days=0, result="high")
    w.outcome_a = outcome_follow_up_record(screening=w.screening_a, by=w.clinician, followed_on=today, result="3")
    w.screening_item = ScreeningItem.objects.first()
    w.result_field = ResultField.objects.first()
    w.risk_rule = RiskRule.objects.first()


def _pk(attr):
    return lambda w: {"pk": getattr(w, attr).pk}


RATE_QUERY = "start=2025-01-01&end=2026-01-01"

URLS = {
    "screening:queue": Url(only(**PATHWAY)),
    "screening:queue_export": Url(only(**PATHWAY), html_checked=False),
    "screening:couple": Url(only(**{**PATHWAY, "clerk_b": 404}), kwargs=_pk("couple_a")),
    "screening:find": Url(only(**CLINICIAN)),
    "screening:walk_in": Url(only(**CLINICIAN)),
    "screening:screening_start": Url(only(**CLINICIAN), kwargs=_pk("couple_a")),
    "screening:screening_list": Url(only(**CLINICIAN)),
    "screening:screening_export": Url(only(**CLINICIAN), html_checked=False),
    "screening:screening_detail": Url(only(**CLINICIAN), kwargs=_pk("screening_a")),
    "screening:results": Url(only(**CLINICIAN), kwargs=_pk("screening_a")),
    "screening:assess": Url(only(**CLINICIAN), kwargs=_pk("screening_a")),
    "screening:letter": Url(only(**CLINICIAN), kwargs=_pk("screening_a")),
    "screening:letter_print": Url(everyone(405), kwargs=_pk("screening_a")),  # POST only: the print is audited
    "screening:screening_void": Url(only(**CLINICIAN), kwargs=_pk("screening_a")),
    "screening:early_create": Url(only(**CLINICIAN), kwargs=_pk("screening_a")),
    "screening:prenatal_create": Url(only(**CLINICIAN), kwargs=_pk("screening_a")),
    "screening:outcome_create": Url(only(**CLINICIAN), kwargs=_pk("screening_a")),
    "screening:diagnosis": Url(only(**CLINICIAN), kwargs=_pk("prenatal_a")),
    "screening:early_void": Url(only(**CLINICIAN), kwargs=_pk("early_a")),
    "screening:prenatal_void": Url(only(**CLINICIAN), kwargs=_pk("prenatal_a")),
    "screening:outcome_void": Url(only(**CLINICIAN), kwargs=_pk("outcome_a")),
    "screening:rates": Url(only(**RATES)),
    # The masked list behind a figure needs a period (?start=&end=).
    **{
        f"screening:rate_list_{key}": Url(only(**RATES), query=RATE_QUERY)
        for key in ("coverage", "high_risk_share", "early_follow_up", "outcome_follow_up", "prenatal", "screened",
                    "high_found")
    },
    **admin_model_urls("screening", "screeningitem", obj=lambda w: w.screening_item),
    **admin_model_urls("screening", "resultfield", obj=lambda w: w.result_field),
    **admin_model_urls("screening", "riskrule", obj=lambda w: w.risk_rule),
}

UNNAMED = {
    f"admin/screening/{model}/<path:object_id>/": "admin: redirects to the change page"
    for model in ("screeningitem", "resultfield", "riskrule")
}
