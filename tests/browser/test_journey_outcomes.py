"""Journey: the approver issues a closed year's outcomes, then prints the notice (通报) to PDF in
Chromium on A4; the PDF says what was issued."""
import datetime
from decimal import Decimal

from playwright.sync_api import expect

from accounts.roles import Role
from assessment.models import AnnualScore, Outcome, OutcomeBand, Scheme

from ..assessment.factories import approve
from ..factories import UserFactory
from .helpers import login_with_code
from .pdf_text import pdf_text

YEAR = 2025
NOW = datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)


def test_the_approver_issues_the_year_and_prints_the_notice(
        new_page, live_server, township_a, township_b, password, shot):
    scheme = Scheme.objects.create(year=YEAR, is_closed=True, closed_at=NOW)
    OutcomeBand.objects.create(scheme=scheme, position=1, kind="rank", rank_from=1, rank_to=1, label="先进",
                               measures="通报表扬")
    OutcomeBand.objects.create(scheme=scheme, position=2, kind="rank", rank_from=1, rank_to=1, from_bottom=True,
                               label="通报批评", measures="约谈")
    AnnualScore.objects.create(year=YEAR, township=township_a, total=Decimal("91.50"), rank=1, computed_at=NOW)
    AnnualScore.objects.create(year=YEAR, township=township_b, total=Decimal("72.25"), rank=2, computed_at=NOW)
    approver = UserFactory(username="approver", name="李建国", role=Role.LEADER)
    approve(approver)

    page = new_page()
    login_with_code(page, approver, password)
    page.goto(f"/assessment/outcomes/?year={YEAR}")
    with page.expect_navigation():
        page.get_by_test_id("propose").click()
    for _ in range(2):  # confirm both proposals as they are
        with page.expect_navigation():
            page.locator("[data-testid=outcome-row][data-status=proposed] [data-testid=decide]").first.click()
        with page.expect_navigation():
            page.get_by_test_id("save").click()
    form = page.get_by_test_id("issue-form")
    form.locator("input[name=number]").fill("县卫健发〔2026〕3号")
    form.locator("input[name=decided_on]").fill("2026-01-10")
    with page.expect_navigation():
        page.get_by_test_id("issue").click()
    expect(page.get_by_test_id("count-issued")).to_contain_text("2")
    shot(page, "outcomes-issued")
    assert Outcome.objects.filter(status="issued").count() == 2

    page.goto(f"/assessment/outcomes/notice/?year={YEAR}")
    shot(page, "notice")
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert b"/MediaBox [0 0 595" in pdf or b"/MediaBox [0 0 594" in pdf  # A4 portrait (595 × 842 pt)
    text = pdf_text(pdf)
    for expected in ("关于2025年度镇街考核奖优罚劣结果的通报", "县卫健发〔2026〕3号", township_a.name, "先进",
                     "通报表扬", township_b.name, "通报批评", "约谈", "91.50", "72.25"):
        assert expected in text.replace(" ", ""), (expected, text)
    assert "打印" not in text  # the print button is not printed


def test_outcomes_coverage_and_needs_read_as_cards_on_a_phone(
        new_page, live_server, township_a, township_b, village_a, clerk_a, bureau_staff, leader, password, shot):
    """The clerk's outcome history, the approver's year, the leader's coverage and the cadre's needs
    on a 375 px phone: cards, nothing scrolls sideways."""
    from households.services.outreach import outreach_record

    from ..assessment.factories import issued_outcome
    from ..factories import HouseholdFactory, WorkGroupFactory
    from .helpers import assert_no_horizontal_scroll, login

    Scheme.objects.create(year=YEAR, is_closed=True, closed_at=NOW)
    issued_outcome(township=township_a, year=YEAR, by=leader, label="先进")
    approve(leader)
    group = WorkGroupFactory(villages=[village_a], members=[bureau_staff])
    household = HouseholdFactory(village=village_a, head_name="陈大山")
    outreach_record(household=household, by=bureau_staff, visit_date=datetime.date.today(), content="走访",
                    needs="希望了解托育服务")
    assert group.pk

    phone = new_page(phone=True)
    login(phone, clerk_a.username, password)
    phone.goto("/assessment/outcomes/")
    expect(phone.get_by_test_id("outcome-row")).to_contain_text("先进")
    assert_no_horizontal_scroll(phone, 375)
    shot(phone, "clerk-outcomes-phone")

    phone = new_page(phone=True)
    login_with_code(phone, leader, password)
    phone.goto(f"/assessment/outcomes/?year={YEAR}")
    expect(phone.get_by_test_id("outcome-row").first).to_be_visible()
    assert_no_horizontal_scroll(phone, 375)
    shot(phone, "leader-outcomes-phone")
    phone.goto("/households/coverage/")
    expect(phone.get_by_test_id("fig-staff")).to_be_visible()
    assert_no_horizontal_scroll(phone, 375)
    shot(phone, "coverage-phone")

    phone = new_page(phone=True)
    login(phone, bureau_staff.username, password)
    expect(phone.get_by_test_id("home-needs-open")).to_contain_text("1")
    phone.goto("/households/needs/")
    phone.get_by_test_id("need-row").click()
    form = phone.get_by_test_id("need-form")
    form.locator("select[name=to]").select_option("referred")
    form.locator("textarea[name=note]").fill("镇卫生院妇幼保健科")
    with phone.expect_navigation():
        phone.get_by_test_id("need-save").click()
    expect(phone.get_by_test_id("need-facts")).to_contain_text("镇卫生院妇幼保健科")
    assert_no_horizontal_scroll(phone, 375)
    shot(phone, "need-referred-phone")
