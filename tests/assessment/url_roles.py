"""assessment's URLs: what each role gets on GET (tests/security/test_url_roles.py runs it).

None of the cast holds an assessor grant (assessment.Assessor), so entry pages are 403 for all of
them; granted assessors are covered in tests/assessment/test_entry.py. Leaders see the county;
clerks their own township's checks, score and sites (township A's records are 404 to clerk_b).
"""
import datetime

from assessment.models import PublicityPhoto, RectificationFile, RectificationStep, Scheme, WeeklyReportSection
from tests.security.url_table import Url, admin_model_urls, everyone, only

from accounts.roles import Role
from tests.factories import UserFactory

from assessment.models import Rectification, SupervisionVisit
from assessment.services.weekly import weekly_report_build
from assessment.weeks import last_complete_week

from .factories import LiaisonFactory, PublicitySiteFactory, RegularCheckFactory, approve, grant, issued_outcome

YEAR = datetime.date.today().year
VIEWERS = {"clerk_a": 200, "clerk_b": 200, "leader": 200}  # leaders; clerks their own township
IN_A = {"clerk_a": 200, "clerk_b": 404, "leader": 200}  # a record of township A


def build(w):
    w.check_a = RegularCheckFactory(township=w.township_a, check_date=datetime.date(YEAR, 3, 15))
    w.site_a = PublicitySiteFactory(township=w.township_a, completion_date=datetime.date(YEAR, 6, 1))
    w.photo_a = PublicityPhoto.objects.create(site=w.site_a, image="publicity/none.jpg", uploaded_by=w.clerk_a)
    w.liaison_a = LiaisonFactory(township=w.township_a, year=YEAR, leader=w.leader)
    w.scheme = Scheme.objects.get_or_create(year=YEAR)[0]
    # A grant held by someone outside the cast, so the cast's entry pages stay 403.
    w.other_grant = grant(UserFactory(username="granted", role=Role.BUREAU_STAFF))
    w.approver_grant = approve(UserFactory(username="approver", role=Role.LEADER))
    w.year_outcome_a = issued_outcome(township=w.township_a, year=YEAR - 1, by=w.leader)
    # Last week's Monday briefing, built as the worker builds it.
    w.week = weekly_report_build(week_start=last_complete_week()).report.week_start
    # A problem of township A in that report, a rectification, a report's file (missing on disk), a visit.
    WeeklyReportSection.objects.filter(report__week_start=w.week, township=w.township_a).update(
        problems=[{"rule": "no_visits", "params": {}, "text": "本周没有记录随访", "indicator": None}], problem_count=1)
    w.supervision_a = SupervisionVisit.objects.create(leader=w.leader, township=w.township_a, visit_date=datetime.date.today(),
                                                participants="张三", findings="台账不全", agreed="一周内补齐台账")
    w.rect_a = Rectification.objects.create(township=w.township_a, source="supervision", visit=w.supervision_a, task="补齐台账",
                                            deadline=datetime.date.today(), responsible=w.clerk_a, created_by=w.leader)
    step = RectificationStep.objects.create(rectification=w.rect_a, actor=w.clerk_a, to_status="reported")
    w.file_a = RectificationFile.objects.create(rectification=w.rect_a, step=step, file="assessment/none.jpg",
                                                original_name="a.jpg", kind="jpeg", content_type="image/jpeg", size=1,
                                                sha256="0" * 64, uploaded_by=w.clerk_a)


URLS = {
    # --- ranking, township scorecard, the checks behind a figure ---------------------------------
    "assessment:ranking": Url(only(**VIEWERS)),
    "assessment:ranking_print": Url(only(**VIEWERS)),
    "assessment:ranking_export": Url(only(**VIEWERS), html_checked=False),
    "assessment:recompute": Url(everyone(405)),  # POST only (granted assessors)
    "assessment:township": Url(only(**IN_A), kwargs=lambda w: {"pk": w.township_a.pk, "year": YEAR}),
    "assessment:check_list": Url(only(**VIEWERS)),
    "assessment:check_detail": Url(only(**IN_A), kwargs=lambda w: {"pk": w.check_a.pk}),
    # --- entry by granted assessors --------------------------------------------------------------
    "assessment:check_bulk": Url(only(403)),
    "assessment:check_void": Url(only(clerk_b=404), kwargs=lambda w: {"pk": w.check_a.pk}),
    "assessment:year_end": Url(only(403), kwargs=lambda w: {"year": YEAR}),
    # --- live indicators -------------------------------------------------------------------------
    "assessment:scorecard": Url(only(leader=200)),
    "assessment:scorecard_export": Url(only(leader=200), html_checked=False),
    # --- liaison leaders ---------------------------------------------------------------------------
    "assessment:my_liaison": Url(only(leader=302)),  # to the leader's own page
    "assessment:leader": Url(only(leader=200), kwargs=lambda w: {"pk": w.leader.pk}),
    # --- rewards and penalties: leaders the year, clerks their township's issued outcomes; the
    # cast's leader holds no approval grant (OutcomeApprover), so approving is 403 for everyone.
    "assessment:outcomes": Url(only(**VIEWERS)),
    "assessment:outcomes_propose": Url(everyone(405)),
    "assessment:outcomes_issue": Url(everyone(405)),
    "assessment:outcomes_notice": Url(only(leader=200)),
    "assessment:outcomes_export": Url(only(leader=200), html_checked=False),
    # Issued outcome of township A: clerk_b 404 (not theirs), clerk_a 403 (theirs, but no approval).
    "assessment:outcome_decide": Url(only(clerk_b=404), kwargs=lambda w: {"pk": w.year_outcome_a.pk}),
    "assessment:outcome_correct": Url(only(clerk_b=404), kwargs=lambda w: {"pk": w.year_outcome_a.pk}),
    # --- publicity sites ---------------------------------------------------------------------------
    "assessment:publicity_list": Url(only(**VIEWERS)),
    "assessment:publicity_create": Url(only(403)),
    "assessment:publicity_detail": Url(only(**IN_A), kwargs=lambda w: {"pk": w.site_a.pk}),
    "assessment:publicity_edit": Url(only(clerk_b=404), kwargs=lambda w: {"pk": w.site_a.pk}),
    "assessment:photo_upload": Url(everyone(405), kwargs=lambda w: {"pk": w.site_a.pk}),
    # The photo's file is missing here: 404 for whoever may see the site, like a missing record.
    "assessment:publicity_photo": Url(only(**{**IN_A, "clerk_a": 404, "leader": 404}),
                                      kwargs=lambda w: {"pk": w.photo_a.pk}, html_checked=False),
    # --- the Monday briefing: leaders the county, clerks their own township's section -----------
    "assessment:weekly_list": Url(only(**VIEWERS)),
    "assessment:weekly_latest": Url(only(clerk_a=302, clerk_b=302, leader=302)),  # to the latest week
    "assessment:weekly_build": Url(everyone(405)),  # POST only (leaders)
    "assessment:weekly_detail": Url(only(**VIEWERS), kwargs=lambda w: {"week": w.week}),
    "assessment:weekly_status": Url(only(**VIEWERS), kwargs=lambda w: {"week": w.week}, html_checked=False),
    "assessment:weekly_export": Url(only(**VIEWERS), kwargs=lambda w: {"week": w.week}, html_checked=False),
    "assessment:weekly_print": Url(only(**VIEWERS), kwargs=lambda w: {"week": w.week}),
    # --- rectifications (整改): leaders the county, clerks their own township's; supervision (督导): leaders
    "assessment:rectification_list": Url(only(**VIEWERS)),
    "assessment:rectification_detail": Url(only(**IN_A), kwargs=lambda w: {"pk": w.rect_a.pk}),
    # GET of the report form goes back to the rectification's page; only A's clerk may report.
    "assessment:rectification_report": Url(only(clerk_a=302, clerk_b=404), kwargs=lambda w: {"pk": w.rect_a.pk}),
    "assessment:rectification_accept": Url(everyone(405), kwargs=lambda w: {"pk": w.rect_a.pk}),
    "assessment:rectification_return": Url(everyone(405), kwargs=lambda w: {"pk": w.rect_a.pk}),
    # The file is missing here: 404 for whoever may see the rectification, like a missing record.
    "assessment:rectification_file": Url(only(clerk_a=404, clerk_b=404, leader=404), kwargs=lambda w: {"pk": w.file_a.pk},
                                         html_checked=False),
    "assessment:assign_week": Url(everyone(405), kwargs=lambda w: {"week": w.week}),
    "assessment:assign_problem": Url(only(leader=200), kwargs=lambda w: {"week": w.week, "township": w.township_a.pk,
                                                                          "index": 0}),
    "assessment:supervision_list": Url(only(leader=200)),
    "assessment:supervision_create": Url(only(leader=200)),
    "assessment:supervision_detail": Url(only(leader=200), kwargs=lambda w: {"pk": w.supervision_a.pk}),
    "assessment:supervision_assign": Url(only(leader=200), kwargs=lambda w: {"pk": w.supervision_a.pk}),
    # --- the records behind a households indicator: leaders only; without ?township=&start=&end=
    # a leader gets 404 (no such list), everyone else 403.
    **{
        f"households:indicator_list_{key}": Url(only(leader=404))
        for key in ("register_size", "couples_added", "visits_recorded", "visits_on_time", "followups_done_on_time",
                    "followups_due",
                    "followups_overdue", "followups_overdue_long", "pregnancies_found", "outreach_visits")
    },
    **admin_model_urls("assessment", "assessor", obj=lambda w: w.other_grant),
    **admin_model_urls("assessment", "scheme", obj=lambda w: w.scheme),
    **admin_model_urls("assessment", "liaison", obj=lambda w: w.liaison_a),
    **admin_model_urls("assessment", "outcomeapprover", obj=lambda w: w.approver_grant),
}

UNNAMED = {
    f"admin/assessment/{model}/<path:object_id>/": "admin: redirects to the change page"
    for model in ("assessor", "scheme", "liaison", "outcomeapprover")
}
