"""households' URLs: what each role gets on GET (tests/security/test_url_roles.py runs it).

The world's records are in township A, in village_a, which the bureau staff's work group visits:
clerk_a sees and changes them, clerk_b (another township) gets 404, bureau staff see the household
(linked village) and record outreach; roles without the capability get 403 before any lookup.
"""
from households.models import HouseholdMerge, ImportBatch
from tests.factories import (
    FollowUpVisitFactory, HouseholdFactory, OutreachVisitFactory, PersonFactory, RegisterCoupleFactory,
    WorkGroupFactory,
)
from tests.security.url_table import Url, admin_model_urls, everyone, only

CLERKS = {"clerk_a": 200, "clerk_b": 200}
IN_A = {"clerk_a": 200, "clerk_b": 404}  # a record of township A


def build(w):
    w.workgroup = WorkGroupFactory(villages=[w.village_a], members=[w.bureau_staff])
    w.household_a = HouseholdFactory(village=w.village_a)
    w.head_a = PersonFactory(household=w.household_a)
    w.couple_a = RegisterCoupleFactory(household=w.household_a, responsible=w.clerk_a)
    w.visit_a = FollowUpVisitFactory(couple=w.couple_a, visitor=w.clerk_a)
    w.outreach_a = OutreachVisitFactory(household=w.household_a, visitor=w.bureau_staff, needs="孩子入托难")
    w.workgroup.leader = w.bureau_staff
    w.workgroup.save()
    from households.services.needs import need_raise

    w.need_a = need_raise(visit=w.outreach_a, by=w.bureau_staff)
    w.batch_a = ImportBatch.objects.create(township=w.township_a, file_name="城关镇.xlsx")
    w.other_household_a = HouseholdFactory(village=w.village_a)
    w.merge_a = HouseholdMerge.objects.create(
        township=w.township_a, source=w.other_household_a, target=w.household_a, merged_by=w.clerk_a,
        reason="同一户重复登记")


household = lambda w: {"pk": w.household_a.pk}  # noqa: E731
person = lambda w: {"pk": w.head_a.pk}  # noqa: E731
couple = lambda w: {"pk": w.couple_a.pk}  # noqa: E731
batch = lambda w: {"pk": w.batch_a.pk}  # noqa: E731

URLS = {
    # --- households, members, couples (views/register.py) --------------------------------------
    "households:household_list": Url(only(**CLERKS, bureau_staff=200)),
    "households:household_create": Url(only(**CLERKS)),
    "households:household_detail": Url(only(**IN_A, bureau_staff=200), kwargs=household),
    "households:household_edit": Url(only(**IN_A), kwargs=household),
    "households:household_void": Url(only(**IN_A), kwargs=household),
    "households:household_merge": Url(only(**IN_A), kwargs=household),
    "households:person_create": Url(only(**IN_A), kwargs=household),
    "households:person_edit": Url(only(**IN_A), kwargs=person),
    "households:person_void": Url(only(**IN_A), kwargs=person),
    # 显示完整号码: POST only (a link or prefetch must not reveal a number); tests/households/test_reveal_id.py.
    "households:person_id_number": Url(everyone(405), kwargs=person),
    "households:couple_create": Url(only(**IN_A), kwargs=household),
    "households:couple_detail": Url(only(**IN_A), kwargs=couple),
    "households:couple_edit": Url(only(**IN_A), kwargs=couple),
    "households:couple_void": Url(only(**IN_A), kwargs=couple),
    "households:survey_create": Url(only(**IN_A), kwargs=couple),
    "households:couple_assign": Url(only(**IN_A), kwargs=couple),
    # --- follow-up visits, register, due lists (views/visits.py) -------------------------------
    "households:visit_create": Url(only(**IN_A), kwargs=couple),
    "households:visit_void": Url(only(**IN_A), kwargs=lambda w: {"pk": w.visit_a.pk}),
    "households:register_list": Url(only(**CLERKS)),
    "households:visit_list": Url(only(**CLERKS)),
    "households:due_mine": Url(only(**CLERKS)),
    "households:due_township": Url(only(**CLERKS)),
    # --- outreach (大走访) and leader statistics -------------------------------------------------
    # Leaders belong to work groups too (机关全体人员); the world's leader is in none, so township A's
    # household and visit are outside their linked villages (404).
    "households:outreach_households": Url(only(bureau_staff=200, leader=200)),
    "households:outreach_create": Url(only(bureau_staff=200, leader=404), kwargs=household),
    "households:outreach_list": Url(only(**CLERKS, bureau_staff=200, leader=200)),  # clerks: their township's
    "households:outreach_edit": Url(only(bureau_staff=200, leader=404), kwargs=lambda w: {"pk": w.outreach_a.pk}),
    # --- 包村联户: links (the group's leader: bureau_staff), coverage (leaders), needs ---------------
    "households:group_links": Url(only(bureau_staff=200, leader=200)),
    "households:member_links": Url(only(bureau_staff=200, leader=404),
                                   kwargs=lambda w: {"group_pk": w.workgroup.pk, "user_pk": w.bureau_staff.pk}),
    "households:coverage": Url(only(leader=200)),
    "households:coverage_list": Url(only(leader=200), kwargs=lambda w: {"kind": "staff"}),
    "households:need_list": Url(only(**CLERKS, bureau_staff=200, leader=200)),
    "households:need_detail": Url(only(**IN_A, bureau_staff=200, leader=404), kwargs=lambda w: {"pk": w.need_a.pk}),
    "households:stats": Url(only(leader=200)),
    # --- the offline outbox (views/offline.py): its list lives in the browser, for any user -----
    "households:outbox": Url(everyone(200)),
    "households:offline_send": Url(everyone(405)),  # POST only; tests/households/test_offline_send.py
    # --- Excel import and export ----------------------------------------------------------------
    "households:import_upload": Url(only(**CLERKS)),
    "households:import_template": Url(only(**CLERKS)),
    "households:import_preview": Url(only(**IN_A), kwargs=batch),
    "households:import_mapping": Url(everyone(405), kwargs=batch),  # POST only: the mapping step is on the preview
    "households:import_status": Url(only(**IN_A), kwargs=batch, html_checked=False),
    "households:import_confirm": Url(everyone(405), kwargs=batch),  # POST only, checked first
    "households:import_cancel": Url(everyone(405), kwargs=batch),
    "households:export_households": Url(only(**CLERKS, bureau_staff=200)),
    "households:export_register": Url(only(**CLERKS)),
    "households:export_visits": Url(only(**CLERKS)),
    # --- admin: merges (revert only, no adding) and work groups ---------------------------------
    **admin_model_urls("households", "householdmerge", obj=lambda w: w.merge_a, add=403),
    **admin_model_urls("households", "workgroup", obj=lambda w: w.workgroup),
}

UNNAMED = {
    "admin/households/householdmerge/<path:object_id>/": "admin: redirects to the change page",
    "admin/households/workgroup/<path:object_id>/": "admin: redirects to the change page",
}
