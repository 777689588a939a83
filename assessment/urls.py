from django.urls import path, register_converter

from .views import entry, leaders, outcomes, publicity, ranking, rectifications, scorecard, weekly
from .weeks import WeekConverter

register_converter(WeekConverter, "week")

app_name = "assessment"

urlpatterns = [
    # --- ranking, township scorecard, the checks behind a figure (views/ranking.py) -------------
    path("", ranking.ranking, name="ranking"),
    path("print/", ranking.ranking_print, name="ranking_print"),
    path("export/", ranking.ranking_export, name="ranking_export"),
    path("recompute/", ranking.recompute, name="recompute"),
    path("townships/<int:pk>/<int:year>/", ranking.township_detail, name="township"),
    path("checks/", ranking.check_list, name="check_list"),
    path("checks/<int:pk>/", ranking.check_detail, name="check_detail"),
    # --- entry by granted assessors (views/entry.py) ---------------------------------------------
    path("checks/new/", entry.check_bulk, name="check_bulk"),
    path("checks/<int:pk>/void/", entry.check_void_view, name="check_void"),
    path("year-end/<int:year>/", entry.year_end_entry, name="year_end"),
    # --- live indicators (views/scorecard.py) -----------------------------------------------------
    path("scorecard/", scorecard.scorecard_view, name="scorecard"),
    path("scorecard/export/", scorecard.scorecard_export, name="scorecard_export"),
    # --- liaison leaders (views/leaders.py) --------------------------------------------------------
    path("leaders/me/", leaders.my_liaison, name="my_liaison"),
    path("leaders/<int:pk>/", leaders.leader_page, name="leader"),
    # --- rewards and penalties of a closed year (views/outcomes.py) -------------------------------
    path("outcomes/", outcomes.outcomes, name="outcomes"),
    path("outcomes/propose/", outcomes.outcomes_propose_view, name="outcomes_propose"),
    path("outcomes/issue/", outcomes.outcomes_issue_view, name="outcomes_issue"),
    path("outcomes/notice/", outcomes.outcomes_notice, name="outcomes_notice"),
    path("outcomes/export/", outcomes.outcomes_export, name="outcomes_export"),
    path("outcomes/<int:pk>/decide/", outcomes.outcome_decide_view, name="outcome_decide"),
    path("outcomes/<int:pk>/correct/", outcomes.outcome_correct_view, name="outcome_correct"),
    # --- publicity sites (views/publicity.py) ------------------------------------------------------
    path("publicity/", publicity.publicity_list, name="publicity_list"),
    path("publicity/new/", publicity.publicity_create, name="publicity_create"),
    path("publicity/<int:pk>/", publicity.publicity_detail, name="publicity_detail"),
    path("publicity/<int:pk>/edit/", publicity.publicity_edit, name="publicity_edit"),
    path("publicity/<int:pk>/photos/", publicity.photo_upload, name="photo_upload"),
    path("photos/<int:pk>/", publicity.publicity_photo, name="publicity_photo"),
    # --- the Monday briefing (views/weekly.py) -------------------------------------------------------
    path("weekly/", weekly.weekly_list, name="weekly_list"),
    path("weekly/latest/", weekly.weekly_latest, name="weekly_latest"),
    path("weekly/build/", weekly.weekly_build, name="weekly_build"),
    path("weekly/<week:week>/", weekly.weekly_detail, name="weekly_detail"),
    path("weekly/<week:week>/status.json", weekly.weekly_status, name="weekly_status"),
    path("weekly/<week:week>/export/", weekly.weekly_export, name="weekly_export"),
    path("weekly/<week:week>/print/", weekly.weekly_print, name="weekly_print"),
    # --- rectifications (整改) and supervision visits (督导) (views/rectifications.py) -----------------
    path("weekly/<week:week>/assign/", rectifications.assign_week, name="assign_week"),
    path("weekly/<week:week>/assign/<int:township>/<int:index>/", rectifications.assign_problem,
         name="assign_problem"),
    path("rectifications/", rectifications.rectification_list, name="rectification_list"),
    path("rectifications/<int:pk>/", rectifications.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/report/", rectifications.rectification_report, name="rectification_report"),
    path("rectifications/<int:pk>/accept/", rectifications.rectification_accept, name="rectification_accept"),
    path("rectifications/<int:pk>/return/", rectifications.rectification_return, name="rectification_return"),
    path("rectifications/files/<int:pk>/", rectifications.rectification_file, name="rectification_file"),
    path("supervision/", rectifications.supervision_list, name="supervision_list"),
    path("supervision/new/", rectifications.supervision_create, name="supervision_create"),
    path("supervision/<int:pk>/", rectifications.supervision_detail, name="supervision_detail"),
    path("supervision/<int:pk>/assign/", rectifications.supervision_assign, name="supervision_assign"),
]
