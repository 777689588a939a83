from django.urls import path

from .views import cases, exports, facilities, figures, inspections, tips

app_name = "enforcement"

urlpatterns = [
    # --- cases (views/cases.py) ----------------------------------------------------------------
    path("", cases.case_list, name="case_list"),
    path("cases/new/", cases.case_create, name="case_create"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", cases.case_edit, name="case_edit"),
    path("cases/<int:pk>/parties/new/", cases.party_create, name="party_create"),
    path("cases/<int:pk>/to/<slug:to>/", cases.case_step, name="case_step"),
    path("cases/<int:pk>/evidence/new/", cases.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/download/", cases.evidence_download_view, name="evidence_download"),
    # Drilldowns behind the published indicators (core.indicators): ?township=&start=&end=.
    path("cases/opened/", cases.case_list, {"basis": "opened"}, name="drill_cases_opened"),
    path("cases/filed/", cases.case_list, {"basis": "filed"}, name="drill_cases_filed"),
    path("cases/closed/", cases.case_list, {"basis": "closed"}, name="drill_cases_closed"),
    # --- tips (views/tips.py) ------------------------------------------------------------------
    path("tips/", tips.tip_list, name="tip_list"),
    path("tips/new/", tips.tip_create, name="tip_create"),
    path("tips/<int:pk>/", tips.tip_detail, name="tip_detail"),
    path("tips/<int:pk>/dismiss/", tips.tip_dismiss_view, name="tip_dismiss"),
    path("tips/<int:pk>/open-case/", tips.tip_open_case, name="tip_open_case"),
    path("tips/<int:pk>/reward/", tips.tip_reward, name="tip_reward"),
    path("tips/received/", tips.tip_list, {"basis": "received"}, name="drill_tips_received"),
    path("tips/overdue/", tips.tip_list, {"basis": "overdue"}, name="drill_tips_overdue"),
    # --- facilities and devices (views/facilities.py) -----------------------------------------
    path("facilities/", facilities.facility_list, name="facility_list"),
    path("facilities/new/", facilities.facility_create, name="facility_create"),
    path("facilities/<int:pk>/", facilities.facility_detail, name="facility_detail"),
    path("facilities/<int:pk>/edit/", facilities.facility_edit, name="facility_edit"),
    path("facilities/<int:pk>/deactivate/", facilities.facility_deactivate_view, name="facility_deactivate"),
    path("facilities/<int:pk>/devices/new/", facilities.device_create, name="device_create"),
    path("devices/", facilities.device_list, name="device_list"),
    path("devices/<int:pk>/edit/", facilities.device_edit, name="device_edit"),
    path("devices/<int:pk>/retire/", facilities.device_retire_view, name="device_retire"),
    # --- inspections (views/inspections.py) ----------------------------------------------------
    path("inspections/", inspections.inspection_list, name="inspection_list"),
    path("inspections/new/", inspections.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/open-case/", inspections.inspection_open_case, name="inspection_open_case"),
    # --- figures and exports -------------------------------------------------------------------
    path("figures/", figures.figures, name="figures"),
    path("export/facilities/", exports.export, {"kind": "facilities"}, name="export_facilities"),
    path("export/devices/", exports.export, {"kind": "devices"}, name="export_devices"),
    path("export/tips/", exports.export, {"kind": "tips"}, name="export_tips"),
    path("export/cases/", exports.export, {"kind": "cases"}, name="export_cases"),
    path("export/inspections/", exports.export, {"kind": "inspections"}, name="export_inspections"),
]
