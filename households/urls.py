from django.urls import path

from .indicators import DRILLDOWN_SOURCES
from .views import cadres, exchange, indicators, offline, outreach, register, stats, visits

app_name = "households"

# Each section belongs to one views module; keep URLs namespaced ("households:...").
urlpatterns = [
    # --- households, members, couples, surveys, 专人, merges, void (views/register.py) ---------
    path("", register.household_list, name="household_list"),
    path("new/", register.household_create, name="household_create"),
    path("<int:pk>/", register.household_detail, name="household_detail"),
    path("<int:pk>/edit/", register.household_edit, name="household_edit"),
    path("<int:pk>/void/", register.household_void, name="household_void"),
    path("<int:pk>/merge/", register.household_merge, name="household_merge"),
    path("<int:pk>/members/new/", register.person_create, name="person_create"),
    path("members/<int:pk>/edit/", register.person_edit, name="person_edit"),
    path("members/<int:pk>/void/", register.person_void, name="person_void"),
    path("members/<int:pk>/id-number/", register.person_id_number, name="person_id_number"),
    path("<int:pk>/couples/new/", register.couple_create, name="couple_create"),
    path("couples/<int:pk>/", register.couple_detail, name="couple_detail"),
    path("couples/<int:pk>/edit/", register.couple_edit, name="couple_edit"),
    path("couples/<int:pk>/void/", register.couple_void, name="couple_void"),
    path("couples/<int:pk>/surveys/new/", register.survey_create, name="survey_create"),
    path("couples/<int:pk>/assign/", register.couple_assign, name="couple_assign"),
    # --- follow-up visits, register list, visit list, due/overdue (views/visits.py) ------------
    path("couples/<int:pk>/visits/new/", visits.visit_create, name="visit_create"),
    path("visits/<int:pk>/void/", visits.visit_void_view, name="visit_void"),
    path("register/", visits.register_list, name="register_list"),
    path("visits/", visits.visit_list, name="visit_list"),
    path("due/", visits.due_mine, name="due_mine"),
    path("due/township/", visits.due_township, name="due_township"),
    # --- work-group outreach (views/outreach.py) and leader statistics (views/stats.py) --------
    path("outreach/", outreach.outreach_households, name="outreach_households"),
    path("<int:pk>/outreach/new/", outreach.outreach_create, name="outreach_create"),
    path("outreach/visits/", outreach.outreach_list, name="outreach_list"),
    path("outreach/visits/<int:pk>/edit/", outreach.outreach_edit, name="outreach_edit"),
    # --- 包村联户: links, coverage, needs (views/cadres.py) ----------------------------------------
    path("groups/links/", cadres.group_links, name="group_links"),
    path("groups/<int:group_pk>/members/<int:user_pk>/", cadres.member_links, name="member_links"),
    path("coverage/", cadres.coverage_page, name="coverage"),
    path("coverage/<slug:kind>/", cadres.coverage_list, name="coverage_list"),
    path("needs/", cadres.need_list, name="need_list"),
    path("needs/<int:pk>/", cadres.need_detail, name="need_detail"),
    path("stats/", stats.stats, name="stats"),
    # --- the offline outbox: its page and where it sends (views/offline.py, docs/offline.md) --
    path("outbox/", offline.outbox, name="outbox"),
    path("outbox/send/", offline.offline_send, name="offline_send"),
    # --- the records behind each scorecard indicator, for leaders (views/indicators.py) -------
    *[
        path(f"indicators/{key}/", indicators.indicator_list, {"key": key}, name=f"indicator_list_{key}")
        for key in DRILLDOWN_SOURCES
    ],
    # --- Excel import and export (views/exchange.py) ------------------------------------------
    path("import/", exchange.import_upload, name="import_upload"),
    path("import/template/", exchange.import_template, name="import_template"),
    path("import/<int:pk>/", exchange.import_preview, name="import_preview"),
    path("import/<int:pk>/mapping/", exchange.import_mapping, name="import_mapping"),
    path("import/<int:pk>/status.json", exchange.import_status, name="import_status"),
    path("import/<int:pk>/confirm/", exchange.import_confirm, name="import_confirm"),
    path("import/<int:pk>/cancel/", exchange.import_cancel, name="import_cancel"),
    path("export/households/", exchange.export_households, name="export_households"),
    path("export/register/", exchange.export_register, name="export_register"),
    path("export/visits/", exchange.export_visits, name="export_visits"),
]
