"""The Django admin at /admin/: the system administrator's tool, and nobody else's."""
import pytest

from accounts.models import AuditEvent, Township, User, Village
from accounts.roles import Role

CHANGELISTS = ["/admin/accounts/user/", "/admin/accounts/township/", "/admin/accounts/village/"]
ADD_FORMS = ["/admin/accounts/user/add/", "/admin/accounts/township/add/", "/admin/accounts/village/add/"]


@pytest.mark.parametrize("url", ["/admin/", "/admin/accounts/user/", "/admin/login/"])
def test_anonymous_is_sent_to_the_apps_own_login(client, db, url):
    response = client.get(url, follow=True)

    final_url, _status = response.redirect_chain[-1]
    assert final_url.startswith("/accounts/login/?next=")
    assert response.status_code == 200
    assert "工作人员登录" in response.content.decode()


@pytest.mark.parametrize("who", ["clerk_a", "auditor", "leader", "inspector"])
@pytest.mark.parametrize("url", ["/admin/", "/admin/accounts/user/", "/admin/accounts/township/add/"])
def test_other_roles_get_403_from_admin_and_it_is_audited(request, client_for, who, url):
    user = request.getfixturevalue(who)

    response = client_for(user).get(url)

    assert response.status_code == 403
    denied = AuditEvent.objects.get(action=AuditEvent.Action.DENIED)
    assert (denied.user, denied.success) == (user, False)
    assert denied.detail == f"403 GET {url}"


def test_other_roles_cannot_add_a_township_by_post(client_for, clerk_a):
    response = client_for(clerk_a).post(
        "/admin/accounts/township/add/", {"code": "411099777", "name": "伪造镇", "kind": "town", "sort_order": 9},
        follow=True,
    )
    assert response.status_code == 403
    assert not Township.objects.filter(code="411099777").exists()


def test_admin_role_opens_admin_index_in_chinese(client_for, admin_user):
    response = client_for(admin_user).get("/admin/")

    assert response.status_code == 200
    html = response.content.decode()
    for label in ["系统管理", "人员与机构", "镇/街道", "村/社区", "工作人员"]:
        assert label in html, label


@pytest.mark.parametrize("url", CHANGELISTS + ADD_FORMS)
def test_admin_role_opens_changelists_and_add_forms(client_for, admin_user, village_a, url):
    response = client_for(admin_user).get(url)
    assert response.status_code == 200


def test_admin_role_sees_org_tree_and_staff_in_changelists(client_for, admin_user, clerk_a, village_a, village_b):
    client = client_for(admin_user)

    assert "李家村" in client.get("/admin/accounts/village/").content.decode()
    assert "王庄社区" in client.get("/admin/accounts/village/").content.decode()
    html = client.get("/admin/accounts/user/").content.decode()
    assert "clerk_a" in html and "张丽" in html


def test_admin_role_adds_a_township(client_for, admin_user):
    response = client_for(admin_user).post(
        "/admin/accounts/township/add/",
        {
            "code": "411099009", "name": "青龙镇", "kind": "town", "sort_order": 9, "is_active": "on",
            "villages-TOTAL_FORMS": "0", "villages-INITIAL_FORMS": "0",
            "villages-MIN_NUM_FORMS": "0", "villages-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302
    assert Township.objects.get(code="411099009").name == "青龙镇"


def test_admin_role_adds_a_clerk_who_must_have_a_township(client_for, admin_user, township_a):
    client = client_for(admin_user)
    data = {"username": "new_clerk", "name": "新专干", "role": Role.CLERK, "password1": "Xq7!long-pass",
            "password2": "Xq7!long-pass", "usable_password": "true"}

    without = client.post("/admin/accounts/user/add/", data)
    assert without.status_code == 200  # the form comes back with the constraint's message
    assert "镇街专干必须指定所属镇/街道" in without.content.decode()
    assert not User.objects.filter(username="new_clerk").exists()

    with_township = client.post("/admin/accounts/user/add/", {**data, "township": township_a.pk})
    assert with_township.status_code == 302
    assert User.objects.get(username="new_clerk").township == township_a


@pytest.mark.parametrize("model", ["township", "village", "user"])
def test_admin_role_cannot_delete_anything(client_for, admin_user, clerk_a, village_a, model):
    obj = {"township": clerk_a.township, "village": village_a, "user": clerk_a}[model]
    client = client_for(admin_user)

    assert client.get(f"/admin/accounts/{model}/{obj.pk}/delete/").status_code == 403
    assert client.post(f"/admin/accounts/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    assert "delete_selected" not in client.get(f"/admin/accounts/{model}/").content.decode()
    model_class = type(obj)
    assert model_class.objects.filter(pk=obj.pk).exists()


def test_admin_role_cannot_bulk_delete_through_changelist_action(client_for, admin_user, village_a):
    response = client_for(admin_user).post(
        "/admin/accounts/village/", {"action": "delete_selected", "_selected_action": [village_a.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert Village.objects.filter(pk=village_a.pk).exists()


def test_admin_role_has_no_audit_trail_in_admin(client_for, admin_user):
    # The auditor reads the trail on /accounts/audit/; the admin must not browse or edit it here.
    assert client_for(admin_user).get("/admin/accounts/auditevent/").status_code == 404


def test_village_with_households_cannot_be_moved_to_another_township(client_for, admin_user, village_a, township_b):
    from tests.factories import HouseholdFactory

    HouseholdFactory(village=village_a)
    url = f"/admin/accounts/village/{village_a.pk}/change/"
    client = client_for(admin_user)

    assert 'name="township"' not in client.get(url).content.decode()
    client.post(url, {"township": township_b.pk, "code": village_a.code, "name": "改名村", "kind": "village",
                      "is_active": "on"})

    village_a.refresh_from_db()
    assert village_a.township_id != township_b.pk
    assert village_a.name == "改名村"  # the rest of the form still saves


def test_village_without_records_can_still_be_moved(client_for, admin_user, village_a, township_b):
    url = f"/admin/accounts/village/{village_a.pk}/change/"
    client_for(admin_user).post(url, {"township": township_b.pk, "code": village_a.code, "name": village_a.name,
                                      "kind": "village", "is_active": "on"})
    village_a.refresh_from_db()
    assert village_a.township_id == township_b.pk


# --- every admin add and change is in the audit trail (fields changed, never a password) ---------
def _admin_rows():
    return AuditEvent.objects.filter(detail__startswith="admin ").order_by("id")


def test_admin_adding_a_user_is_audited_without_the_password(client_for, admin_user, township_a):
    secret = "Xq7!long-pass"
    client_for(admin_user).post("/admin/accounts/user/add/", {
        "username": "new_clerk", "name": "新专干", "role": Role.CLERK, "township": township_a.pk,
        "password1": secret, "password2": secret, "usable_password": "true"})

    new = User.objects.get(username="new_clerk")
    event = _admin_rows().get()
    assert (event.action, event.user, event.object_type, event.object_id) == (
        AuditEvent.Action.CREATE, admin_user, "accounts.user", str(new.pk))
    assert "username=new_clerk" in event.detail and f"township={township_a.pk}" in event.detail
    assert "role=clerk" in event.detail and "password" in event.detail
    assert secret not in event.detail


def test_admin_changing_role_and_township_is_audited_with_the_fields(client_for, admin_user, clerk_a, township_b):
    client_for(admin_user).post(f"/admin/accounts/user/{clerk_a.pk}/change/", {
        "username": clerk_a.username, "name": clerk_a.name, "phone": "", "email": "",
        "role": Role.CLERK, "township": township_b.pk, "is_active": "on"})

    clerk_a.refresh_from_db()
    assert clerk_a.township == township_b
    event = _admin_rows().get()
    assert event.action == AuditEvent.Action.UPDATE and event.object_id == str(clerk_a.pk)
    assert event.detail == f"admin change: township={township_b.pk}"


def test_admin_resetting_a_password_is_audited_without_it(client_for, admin_user, clerk_a):
    secret = "Nw9$brand-new-pass"
    response = client_for(admin_user).post(f"/admin/accounts/user/{clerk_a.pk}/password/", {
        "password1": secret, "password2": secret, "usable_password": "true"})

    assert response.status_code == 302
    event = _admin_rows().get()
    assert event.action == AuditEvent.Action.UPDATE and event.object_id == str(clerk_a.pk)
    assert "password" in event.detail and secret not in event.detail


def test_admin_linking_villages_to_a_work_group_is_audited(client_for, admin_user, bureau_staff, village_a, village_b):
    from households.models import WorkGroup

    group = WorkGroup.objects.create(name="第一工作组")
    client_for(admin_user).post(f"/admin/households/workgroup/{group.pk}/change/", {
        "name": "第一工作组", "members": [bureau_staff.pk], "villages": [village_a.pk, village_b.pk],
        "is_active": "on"})

    event = _admin_rows().get()
    assert event.object_type == "households.workgroup"
    assert f"villages=[{','.join(sorted([str(village_a.pk), str(village_b.pk)]))}]" in event.detail
    assert f"members=[{bureau_staff.pk}]" in event.detail


def test_admin_adding_a_village_is_audited(client_for, admin_user, township_a):
    client_for(admin_user).post("/admin/accounts/village/add/", {
        "township": township_a.pk, "code": "411099001077", "name": "新村", "kind": "village", "is_active": "on"})

    village = Village.objects.get(code="411099001077")
    event = _admin_rows().get()
    assert (event.action, event.object_type, event.object_id) == (
        AuditEvent.Action.CREATE, "accounts.village", str(village.pk))
    assert f"township={township_a.pk}" in event.detail and event.township_id == township_a.pk


def test_admin_resets_two_factor_of_a_user_who_lost_the_phone(client_for, admin_user, leader):
    from accounts import twofactor
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=leader, name="authenticator", confirmed=True)
    response = client_for(admin_user).post("/admin/accounts/user/", {
        "action": "reset_two_factor", "_selected_action": [leader.pk]})

    assert not twofactor.has_device(leader)
    assert 'data-testid="enrolment-code"' in response.content.decode()  # a new code, shown once
    assert AuditEvent.objects.filter(object_id=str(leader.pk), detail__startswith="admin change: 2fa reset").exists()


def test_admin_never_shows_totp_secrets(client_for, admin_user):
    client = client_for(admin_user)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
