"""Journeys: a visit typed with no signal is not lost (docs/offline.md).

Chromium's own network switch (``context.set_offline``) cuts the phone off; the service worker
(/sw.js) answers from its cache and the page keeps the visit in its outbox (IndexedDB) until the
connection is back. What the server stores is checked in PostgreSQL.
"""
import datetime
import time

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import AuditEvent
from households.models import Couple, FollowUpVisit

from ..factories import RegisterCoupleFactory, UserFactory
from .helpers import assert_no_horizontal_scroll

DAY = datetime.timedelta(days=1)

READ_OUTBOX = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("tr-offline", 1);
  open.onsuccess = () => {
    const all = open.result.transaction("outbox").objectStore("outbox").getAll();
    all.onsuccess = () => { open.result.close(); resolve(all.result); };
    all.onerror = () => reject(all.error);
  };
  open.onerror = () => reject(open.error);
})"""
PUT_BACK = """(items) => new Promise((resolve, reject) => {
  const open = indexedDB.open("tr-offline", 1);
  open.onsuccess = () => {
    const tx = open.result.transaction("outbox", "readwrite");
    items.forEach((item) => tx.objectStore("outbox").put(item));
    tx.oncomplete = () => { open.result.close(); resolve(); };
    tx.onerror = () => reject(tx.error);
  };
})"""
CACHED_TEXT_HAS = """(needle) => caches.open("tr-pages-v1").then((c) => c.keys().then((keys) =>
  Promise.all(keys.map((k) => c.match(k).then((r) => r.text()))))).then((texts) => texts.some((t) => t.includes(needle)))"""
PAGE_CACHES = "() => caches.keys().then((names) => names.filter((n) => n.startsWith('tr-pages')))"
CACHED_URLS = """() => caches.open("tr-pages-v1").then((c) => c.keys()).then((r) => r.map((x) => new URL(x.url).pathname))"""


def controlled(page):
    """Wait until the service worker controls the page (installed, activated, claimed)."""
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")


def eventually(check, seconds=5.0):
    """Poll ``check`` (a browser-side state read through page.evaluate) until it holds."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out waiting for the browser"
        time.sleep(0.1)


def open_online(page, path):
    page.goto(path)
    controlled(page)


def record_offline(page, couple, notes):
    page.goto(f"/households/couples/{couple.pk}/visits/new/")
    expect(page.get_by_test_id("visit-form")).to_be_visible()
    page.locator("textarea[name=notes]").fill(notes)
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("offline-notice")).to_contain_text("已存入本机的待发送列表")


def test_visit_recorded_offline_is_saved_once_back_online(phone, live_server, clerk_a, village_a, password,
                                                            shot, login):
    couple = RegisterCoupleFactory(household__village=village_a, responsible=clerk_a,
                                   next_visit_due=timezone.localdate() - 3 * DAY)
    page = phone
    context = page.context
    login(page, "clerk_a", password)
    open_online(page, "/households/due/")
    # Opened while online, with the worker in control: these are kept for offline reading.
    page.goto("/households/due/")
    page.goto(f"/households/couples/{couple.pk}/")
    page.goto(f"/households/couples/{couple.pk}/visits/new/")
    eventually(lambda: "/households/outbox/" in page.evaluate(CACHED_URLS))
    # Never kept: a whole ID number (the reveal is a POST) and pages off the allow-list.
    page.goto(f"/households/{couple.household_id}/")
    with page.expect_navigation():
        page.get_by_test_id("reveal-id").first.click()
    expect(page.get_by_text(couple.husband.id_number)).to_be_visible()  # the head, first in the household
    page.goto("/households/visits/")
    cached = page.evaluate(CACHED_URLS)
    assert sorted(cached) == sorted([
        "/households/due/", f"/households/couples/{couple.pk}/", f"/households/couples/{couple.pk}/visits/new/",
        "/households/outbox/", f"/households/{couple.household_id}/"])
    assert not page.evaluate(CACHED_TEXT_HAS, couple.husband.id_number)
    manifest = page.locator("link[rel=manifest]").get_attribute("href")
    assert page.request.get(manifest).json()["name"] == "乡镇计生服务登记"

    context.set_offline(True)
    page.goto("/households/due/")
    banner = page.get_by_test_id("offline-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("离线 · 数据截至")
    expect(page.get_by_test_id("due-row")).to_contain_text(couple.wife.name)
    assert_no_horizontal_scroll(page, 375)
    shot(page, "due-list-offline")

    page.goto("/households/visits/")  # not kept: the worker's page, not the browser's error
    expect(page.get_by_test_id("offline-page")).to_contain_text("需要网络连接")
    shot(page, "never-opened-offline")

    record_offline(page, couple, "离线录入：已宣传免费孕前检查")
    badge = page.get_by_test_id("outbox-badge")
    expect(badge).to_be_visible()
    expect(badge.locator("[data-outbox-count]")).to_have_text("1")
    assert not FollowUpVisit.objects.exists()
    shot(page, "saved-offline")
    waiting = page.evaluate(READ_OUTBOX)
    assert [(item["user"], item["status"]) for item in waiting] == [(str(clerk_a.pk), "waiting")]

    page.goto("/households/outbox/")  # opens offline although it was never opened: kept once
    expect(page.get_by_test_id("outbox-item")).to_have_count(1)
    expect(page.get_by_test_id("outbox-item")).to_contain_text(couple.wife.name)
    expect(page.get_by_test_id("outbox-item")).to_contain_text(timezone.localdate().isoformat())
    shot(page, "outbox-offline")

    context.set_offline(False)  # the page hears "online" and sends
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    expect(badge).to_be_hidden()
    visit = FollowUpVisit.objects.get()
    assert (visit.couple_id, visit.visitor_id, visit.notes) == (couple.pk, clerk_a.pk, "离线录入：已宣传免费孕前检查")
    assert str(visit.client_key) == waiting[0]["key"]
    assert AuditEvent.objects.filter(action="create", object_type="households.followupvisit",
                                     object_id=str(visit.pk)).count() == 1
    shot(page, "sent")

    # The same outbox sent a second time (a lost answer, a second tab): still one visit.
    page.evaluate(PUT_BACK, waiting)
    page.reload()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    assert FollowUpVisit.objects.count() == 1
    assert AuditEvent.objects.filter(action="create", object_type="households.followupvisit").count() == 1


def test_conflict_is_shown_and_resolved_by_editing_and_resending(phone, live_server, clerk_a, village_a, password,
                                                                   shot, login):
    couple = RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)
    page = phone
    login(page, "clerk_a", password)
    open_online(page, f"/households/couples/{couple.pk}/visits/new/")
    page.reload()

    page.context.set_offline(True)
    record_offline(page, couple, "离线录入的随访")
    Couple.objects.filter(pk=couple.pk).update(is_void=True)  # voided at the office meanwhile
    page.goto("/households/outbox/")
    page.context.set_offline(False)

    status = page.get_by_test_id("outbox-status")
    expect(status).to_contain_text("未能保存：该夫妇记录已作废，不能记录随访。")
    assert not FollowUpVisit.objects.exists()
    expect(page.get_by_test_id("outbox-badge").locator("[data-outbox-count]")).to_have_text("1")
    shot(page, "refused")

    # The office restores the couple; the clerk opens the visit, corrects it and sends it again.
    Couple.objects.filter(pk=couple.pk).update(is_void=False)
    with page.expect_navigation():
        page.get_by_test_id("outbox-open").click()
    expect(page.get_by_test_id("offline-reason")).to_have_text("该夫妇记录已作废，不能记录随访。")
    notes = page.locator("textarea[name=notes]")
    expect(notes).to_have_value("离线录入的随访")
    shot(page, "reopened")
    notes.fill("离线录入的随访（已核对）")
    with page.expect_navigation(url="**/households/outbox/"):
        page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    assert FollowUpVisit.objects.get().notes == "离线录入的随访（已核对）"


def test_a_refused_visit_can_be_discarded(page, live_server, clerk_a, village_a, password, login):
    couple = RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)
    login(page, "clerk_a", password)
    open_online(page, f"/households/couples/{couple.pk}/visits/new/")
    page.reload()
    page.context.set_offline(True)
    record_offline(page, couple, "作废前录入")
    Couple.objects.filter(pk=couple.pk).update(is_void=True)
    page.goto("/households/outbox/")
    page.context.set_offline(False)
    expect(page.get_by_test_id("outbox-status")).to_contain_text("已作废")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("outbox-discard").click()

    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    assert page.evaluate(READ_OUTBOX) == []
    assert not FollowUpVisit.objects.exists()


def test_another_user_on_the_same_phone_sees_and_sends_nothing(phone, live_server, clerk_a, township_a, village_a,
                                                                password, shot, login):
    colleague = UserFactory(username="clerk_a2", role="clerk", township=township_a)
    colleague.set_password(password)
    colleague.save()
    couple = RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)
    page = phone
    login(page, "clerk_a", password)
    open_online(page, "/households/due/")
    page.goto(f"/households/couples/{couple.pk}/visits/new/")
    page.context.set_offline(True)
    record_offline(page, couple, "张丽离线录入")
    page.context.clear_cookies()  # the session ends while offline (idle timeout), no logout

    page.context.set_offline(False)
    # The page tries to send, meets the login page, and keeps the visit for the next login.
    eventually(lambda: page.evaluate(READ_OUTBOX)[0]["note"] == "登录已过期：请重新登录，登录后自动发送。")
    login(page, "clerk_a2", password)
    expect(page.get_by_test_id("outbox-badge")).to_be_hidden()
    page.goto("/households/outbox/")
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    expect(page.get_by_test_id("outbox-item")).to_have_count(0)
    shot(page, "colleague-outbox")
    assert not FollowUpVisit.objects.exists()  # not sent under the colleague's name
    # The first clerk's pages are gone from the cache: offline, the colleague gets no copy of them.
    assert "/households/due/" not in page.evaluate(CACHED_URLS)
    page.context.set_offline(True)
    page.goto(f"/households/couples/{couple.pk}/visits/new/")
    expect(page.get_by_test_id("offline-page")).to_be_visible()
    page.context.set_offline(False)

    # The first clerk logs in again on the same phone: the visit is sent, under her name.
    page.context.clear_cookies()
    login(page, "clerk_a", password)
    eventually(lambda: page.evaluate(READ_OUTBOX) == [])
    visit = FollowUpVisit.objects.get()
    assert (visit.visitor_id, visit.notes) == (clerk_a.pk, "张丽离线录入")


def test_logout_with_visits_waiting_warns_then_clears_outbox_and_cache(page, live_server, clerk_a, village_a,
                                                                        password, shot, login):
    couple = RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)
    login(page, "clerk_a", password)
    open_online(page, "/households/due/")
    page.goto(f"/households/couples/{couple.pk}/visits/new/")
    page.context.set_offline(True)
    record_offline(page, couple, "未发送的随访")
    page.goto("/households/due/")
    # Back in coverage, but the send does not get through (a captive portal, a dropped request).
    page.route("**/households/outbox/send/", lambda route: route.abort())
    page.context.set_offline(False)
    page.reload()
    expect(page.get_by_test_id("outbox-badge").locator("[data-outbox-count]")).to_have_text("1")

    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    page.get_by_test_id("logout").click()
    for _ in range(50):  # Playwright delivers the dialog event only while it is called
        if messages:
            break
        page.wait_for_timeout(100)
    assert messages == ["这台设备上还有 1 条离线记录未发送。退出将删除它们，确定退出吗？"]
    assert len(page.evaluate(READ_OUTBOX)) == 1  # stayed: the clerk chose to stay
    expect(page.get_by_test_id("whoami")).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("logout").click()
    expect(page.locator("input[name=username]")).to_be_visible()
    assert page.evaluate(READ_OUTBOX) == []
    assert page.evaluate(PAGE_CACHES) == []
    assert not FollowUpVisit.objects.exists()
    shot(page, "logged-out")
