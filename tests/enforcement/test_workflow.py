"""The case workflow: every allowed and every refused transition, and the event history."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from enforcement.models import Case, CaseEvent, CaseStatus, TipStatus
from enforcement.services.cases import Outcome, TransitionRefused, case_open, case_transition

from .factories import PATH, TipFactory, make_case, step_kwargs

pytestmark = pytest.mark.django_db
S = CaseStatus

# Written out here, independently of enforcement.models.TRANSITIONS (docs/domain.md, Codes: case stages):
# 线索登记 → 初查 → 立案 / 不予立案 → 调查取证 → (移送公安/纪检) → 处理决定 → 执行 → 结案.
ALLOWED = {
    (S.RECEIVED, S.PRELIMINARY),
    (S.RECEIVED, S.NOT_FILED),
    (S.PRELIMINARY, S.FILED),
    (S.PRELIMINARY, S.NOT_FILED),
    (S.FILED, S.INVESTIGATING),
    (S.INVESTIGATING, S.REFERRED),
    (S.INVESTIGATING, S.DECIDED),
    (S.REFERRED, S.DECIDED),
    (S.REFERRED, S.CLOSED),
    (S.DECIDED, S.ENFORCED),
    (S.ENFORCED, S.CLOSED),
}
ALL_PAIRS = [(a, b) for a in S.values for b in S.values]


@pytest.mark.parametrize(("start", "to"), ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_every_transition_is_allowed_or_refused_as_the_workflow_says(inspector, township_a, start, to):
    case = make_case(township=township_a, by=inspector, status=start)
    events_before = case.events.count()

    if (start, to) in ALLOWED:
        moved = case_transition(case=case, to=to, by=inspector, **step_kwargs(to))
        assert moved.status == to
        assert Case.objects.get(pk=case.pk).status == to
        assert case.events.count() == events_before + 1
    else:
        with pytest.raises(TransitionRefused) as refused:
            case_transition(case=case, to=to, by=inspector, **step_kwargs(to))
        assert "流程不允许" in refused.value.messages[0]
        assert Case.objects.get(pk=case.pk).status == start
        assert case.events.count() == events_before


def test_terminal_stages_allow_nothing(inspector, township_a):
    for terminal in (S.CLOSED, S.NOT_FILED):
        case = make_case(township=township_a, by=inspector, status=terminal)
        assert case.allowed_transitions == ()
        assert case.stage_due_on is None


def test_every_step_is_an_event_with_who_when_from_to_and_why(inspector, leader, township_a):
    before = timezone.now()
    case = make_case(township=township_a, by=inspector, status=S.CLOSED)

    events = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))

    assert [(e.from_status, e.to_status) for e in events] == [
        ("", S.RECEIVED),
        (S.RECEIVED, S.PRELIMINARY),
        (S.PRELIMINARY, S.FILED),
        (S.FILED, S.INVESTIGATING),
        (S.INVESTIGATING, S.DECIDED),
        (S.DECIDED, S.ENFORCED),
        (S.ENFORCED, S.CLOSED),
    ]
    assert all(e.by == inspector and e.at >= before for e in events)
    audit = AuditEvent.objects.filter(object_type="enforcement.case", object_id=str(case.pk), action="update")
    assert audit.count() == 6


def test_referral_records_department_reason_and_date(inspector, township_a):
    case = make_case(township=township_a, by=inspector, status=S.INVESTIGATING)
    case = case_transition(
        case=case, to=S.REFERRED, by=inspector, reason="涉嫌非法行医罪", referral_department="police"
    )
    assert case.referred_to_police and case.referred_on == timezone.localdate()
    assert "police" in case.departments
    assert case.events.last().reason == "涉嫌非法行医罪"


@pytest.mark.parametrize("to", [S.NOT_FILED, S.REFERRED])
def test_reason_is_required_where_the_decision_must_be_explained(inspector, township_a, to):
    case = make_case(township=township_a, by=inspector, status=S.PRELIMINARY if to == S.NOT_FILED else S.INVESTIGATING)
    with pytest.raises(ValidationError) as error:
        case_transition(case=case, to=to, by=inspector, reason="  ", referral_department="police")
    assert "reason" in error.value.message_dict
    assert Case.objects.get(pk=case.pk).status == case.status


def test_referral_needs_police_or_discipline(inspector, township_a):
    case = make_case(township=township_a, by=inspector, status=S.INVESTIGATING)
    with pytest.raises(ValidationError) as error:
        case_transition(case=case, to=S.REFERRED, by=inspector, reason="移送", referral_department="market")
    assert "referral_department" in error.value.message_dict


def test_decision_needs_a_document_number_and_a_measure_or_an_explanation(inspector, township_a):
    case = make_case(township=township_a, by=inspector, status=S.INVESTIGATING)
    with pytest.raises(ValidationError) as error:
        case_transition(case=case, to=S.DECIDED, by=inspector, outcome=Outcome())
    assert set(error.value.message_dict) == {"decision_number", "outcome_notes"}
    with pytest.raises(ValidationError):
        case_transition(
            case=case, to=S.DECIDED, by=inspector, outcome=Outcome(decision_number="1号", fine_amount=Decimal("-5"))
        )

    decided = case_transition(
        case=case,
        to=S.DECIDED,
        by=inspector,
        outcome=Outcome(
            decision_number="X卫罚〔2026〕7号",
            warning=True,
            confiscated_amount=Decimal("8000"),
            fine_amount=Decimal("30000"),
            licence_revoked=True,
        ),
    )
    assert (decided.outcome_warning, decided.confiscated_amount, decided.fine_amount, decided.licence_revoked) == (
        True,
        Decimal("8000"),
        Decimal("30000"),
        True,
    )
    assert decided.decided_on == timezone.localdate()
    assert Case.objects.get(pk=case.pk).outcome_labels == [
        "警告",
        "没收违法所得 8000.00 元",
        "罚款 30000.00 元",
        "吊销执业证书",
    ]


def test_no_penalty_decision_is_allowed_with_an_explanation(inspector, township_a):
    case = make_case(township=township_a, by=inspector, status=S.INVESTIGATING)
    decided = case_transition(
        case=case,
        to=S.DECIDED,
        by=inspector,
        outcome=Outcome(decision_number="不罚字1号", notes="证据不足，不予行政处罚"),
    )
    assert decided.outcome_labels == [] and decided.outcome_notes == "证据不足，不予行政处罚"


def test_dates_follow_the_stages(inspector, township_a):
    today = timezone.localdate()
    closed = make_case(township=township_a, by=inspector, status=S.CLOSED)
    assert (closed.filed_on, closed.decided_on, closed.closed_on, closed.dismissed_on) == (today, today, today, None)
    dismissed = make_case(township=township_a, by=inspector, status=S.NOT_FILED)
    assert (dismissed.filed_on, dismissed.closed_on, dismissed.dismissed_on) == (None, None, today)


def test_stage_deadline_comes_from_settings_and_feeds_the_overdue_list(inspector, township_a, settings):
    settings.ENFORCEMENT_STAGE_DEADLINE_DAYS = {**settings.ENFORCEMENT_STAGE_DEADLINE_DAYS, "preliminary": 3}
    today = timezone.localdate()
    case = make_case(township=township_a, by=inspector, status=S.PRELIMINARY)
    assert case.stage_due_on == today + datetime.timedelta(days=3)

    assert not Case.objects.overdue(today).filter(pk=case.pk).exists()
    assert Case.objects.overdue(today + datetime.timedelta(days=4)).filter(pk=case.pk).exists()
    closed = make_case(township=township_a, by=inspector, status=S.CLOSED)
    assert not Case.objects.overdue(today + datetime.timedelta(days=999)).filter(pk=closed.pk).exists()


def test_a_stale_step_is_refused_with_who_moved_the_case(inspector, township_a):
    from tests.factories import UserFactory

    colleague = UserFactory(role="inspector", name="钱进")
    case = make_case(township=township_a, by=inspector, status=S.RECEIVED)
    case_transition(case=case, to=S.PRELIMINARY, by=colleague, expected_status=S.RECEIVED)

    with pytest.raises(TransitionRefused) as refused:
        case_transition(case=case, to=S.NOT_FILED, by=inspector, reason="错误登记", expected_status=S.RECEIVED)
    assert "钱进" in refused.value.messages[0] and "初查" in refused.value.messages[0]
    assert Case.objects.get(pk=case.pk).status == S.PRELIMINARY


def test_case_numbers_run_per_year(inspector, township_a):
    year = timezone.localdate().year
    first = make_case(township=township_a, by=inspector)
    second = make_case(township=township_a, by=inspector)
    assert (first.year, first.seq, second.seq) == (year, 1, 2)
    assert second.number == f"{year}-002"


def test_a_case_opened_in_error_is_closed_as_not_filed_never_deleted(inspector, township_a):
    case = make_case(township=township_a, by=inspector)
    case = case_transition(case=case, to=S.NOT_FILED, by=inspector, reason="登记错误：重复录入")
    assert Case.objects.filter(pk=case.pk, status=S.NOT_FILED).exists()
    assert case.events.last().reason == "登记错误：重复录入"


def test_opening_a_case_from_a_tip_hands_the_tip_over_once(inspector, township_a):
    tip = TipFactory(township=township_a)
    case = case_open(by=inspector, township=township_a, title="线索", source="tip", tip=tip)
    tip.refresh_from_db()
    assert (tip.status, tip.handled_on, tip.handled_by, case.source, case.tip) == (
        TipStatus.CASE_OPENED,
        timezone.localdate(),
        inspector,
        "tip",
        tip,
    )
    with pytest.raises(ValidationError):
        case_open(by=inspector, township=township_a, title="再次", source="tip", tip=tip)
    assert Case.objects.count() == 1


def test_a_tip_source_without_a_tip_is_refused(inspector, township_a):
    with pytest.raises(ValidationError) as error:
        case_open(by=inspector, township=township_a, title="x", source="tip")
    assert "source" in error.value.message_dict


def test_path_table_reaches_every_stage():
    assert set(PATH) == set(S.values)
