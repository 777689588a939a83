from django.urls import path

from .selectors.rates import RATES
from .views import followups, pathway, rates, screening

app_name = "screening"

urlpatterns = [
    # --- the pathway queue and a couple's pathway (views/pathway.py) --------------------------
    path("", pathway.queue, name="queue"),
    path("queue/export/", pathway.queue_export_view, name="queue_export"),
    path("couples/<int:pk>/", pathway.couple_detail, name="couple"),
    # --- clinicians: find, walk-in, screening, results, assessment, letter (views/screening.py)
    path("find/", screening.find, name="find"),
    path("walk-in/", screening.walk_in, name="walk_in"),
    path("couples/<int:pk>/start/", screening.screening_start_view, name="screening_start"),
    path("screenings/", screening.screening_list_view, name="screening_list"),
    path("screenings/export/", screening.screening_export_view, name="screening_export"),
    path("screenings/<int:pk>/", screening.screening_detail, name="screening_detail"),
    path("screenings/<int:pk>/results/", screening.results, name="results"),
    path("screenings/<int:pk>/assess/", screening.assess, name="assess"),
    path("screenings/<int:pk>/letter/", screening.letter, name="letter"),
    path("screenings/<int:pk>/letter/print/", screening.letter_print_view, name="letter_print"),
    path("screenings/<int:pk>/void/", screening.screening_void_view, name="screening_void"),
    # --- follow-ups (views/followups.py) ----------------------------------------------------
    path("screenings/<int:pk>/early/new/", followups.early_create, name="early_create"),
    path("screenings/<int:pk>/prenatal/new/", followups.prenatal_create, name="prenatal_create"),
    path("screenings/<int:pk>/outcome/new/", followups.outcome_create, name="outcome_create"),
    path("prenatal/<int:pk>/diagnosis/", followups.diagnosis, name="diagnosis"),
    path("early/<int:pk>/void/", followups.follow_up_void_view, {"kind": "early"}, name="early_void"),
    path("outcome/<int:pk>/void/", followups.follow_up_void_view, {"kind": "outcome"}, name="outcome_void"),
    path("prenatal/<int:pk>/void/", followups.follow_up_void_view, {"kind": "prenatal"}, name="prenatal_void"),
    # --- rates and the masked lists behind them (views/rates.py) -----------------------------
    path("rates/", rates.rates, name="rates"),
]
# One URL name per figure: core.indicators' drill-down is a URL name taking only
# ?township=&start=&end=, so each rate has its own list URL.
urlpatterns += [path(f"rates/{r.key}/", rates.rate_list, {"key": r.key}, name=f"rate_list_{r.key}") for r in RATES]
