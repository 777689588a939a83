"""Concurrent work on one case, played with two real database connections (threads).

Two inspectors act on the same case at the same moment: exactly one step is applied, the other
is refused with a message; two cases opened at once never share a number.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from enforcement.models import Case, CaseEvent, CaseStatus, Tip
from enforcement.services.cases import TransitionRefused, case_open, case_transition
from enforcement.services.tips import tip_dismiss

from ..factories import UserFactory
from .factories import TipFactory, make_case

pytestmark = pytest.mark.django_db(transaction=True)


def run_in_thread(target):
    """Run ``target`` in a thread with its own connection; return a dict with its result or error."""
    outcome = {}

    def run():
        try:
            outcome["result"] = target()
        except BaseException as exc:  # noqa: BLE001 - the test inspects what happened
            outcome["error"] = exc
        finally:
            from django.db import connection as thread_connection

            thread_connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_second_transition_waits_for_the_lock_and_is_refused(inspector, township_a):
    colleague = UserFactory(role="inspector", name="钱进")
    case = make_case(township=township_a, by=inspector)

    with transaction.atomic():
        case_transition(case=case, to=CaseStatus.PRELIMINARY, by=inspector, expected_status=CaseStatus.RECEIVED)
        # The row is locked until this block commits: the colleague's step must wait, not run on top.
        thread, outcome = run_in_thread(
            lambda: case_transition(
                case=Case.objects.get(pk=case.pk),
                to=CaseStatus.NOT_FILED,
                by=colleague,
                reason="线索不实",
                expected_status=CaseStatus.RECEIVED,
            )
        )
        time.sleep(0.7)
        assert thread.is_alive(), "the second step should be waiting on the row lock"
    thread.join(timeout=10)
    connection.close()

    error = outcome.get("error")
    assert isinstance(error, TransitionRefused), repr(outcome)
    assert "赵刚" in error.messages[0] and "初查" in error.messages[0]
    case.refresh_from_db()
    assert case.status == CaseStatus.PRELIMINARY
    assert list(CaseEvent.objects.filter(case=case).values_list("to_status", flat=True).order_by("id")) == [
        CaseStatus.RECEIVED,
        CaseStatus.PRELIMINARY,
    ]


def test_two_inspectors_at_the_same_instant_exactly_one_wins(inspector, township_a):
    colleague = UserFactory(role="inspector", name="钱进")
    case = make_case(township=township_a, by=inspector)
    barrier = threading.Barrier(2)

    def step(user, to, reason=""):
        def go():
            stale = Case.objects.get(pk=case.pk)  # both read "received" before either writes
            barrier.wait(timeout=5)
            return case_transition(case=stale, to=to, by=user, reason=reason, expected_status=stale.status)

        return go

    first, a = run_in_thread(step(inspector, CaseStatus.PRELIMINARY))
    second, b = run_in_thread(step(colleague, CaseStatus.NOT_FILED, "错误登记"))
    first.join(timeout=15)
    second.join(timeout=15)
    connection.close()

    outcomes = [a, b]
    winners = [o for o in outcomes if "result" in o]
    losers = [o for o in outcomes if "error" in o]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0]["error"], TransitionRefused)
    case.refresh_from_db()
    assert case.status == winners[0]["result"].status
    assert CaseEvent.objects.filter(case=case).count() == 2  # registration + the one step that won


def test_cases_opened_at_the_same_time_get_different_numbers(inspector, township_a):
    barrier = threading.Barrier(4)

    def open_one(n):
        def go():
            barrier.wait(timeout=5)
            return case_open(by=inspector, township=township_a, title=f"并发 {n}", source="referral").seq

        return go

    runs = [run_in_thread(open_one(n)) for n in range(4)]
    for thread, _ in runs:
        thread.join(timeout=20)
    connection.close()

    numbers = sorted(o["result"] for _, o in runs)
    assert numbers == [1, 2, 3, 4], [o for _, o in runs]


def test_a_tip_cannot_be_both_dismissed_and_turned_into_a_case(inspector, township_a):
    tip = TipFactory(township=township_a)
    barrier = threading.Barrier(2)

    def dismiss():
        barrier.wait(timeout=5)
        return tip_dismiss(tip=Tip.objects.get(pk=tip.pk), by=inspector, reason="重复举报")

    def open_case():
        barrier.wait(timeout=5)
        return case_open(
            by=inspector, township=township_a, title="转案件", source="tip", tip=Tip.objects.get(pk=tip.pk)
        )

    runs = [run_in_thread(dismiss), run_in_thread(open_case)]
    for thread, _ in runs:
        thread.join(timeout=15)
    connection.close()

    assert sum("result" in o for _, o in runs) == 1, runs
    tip.refresh_from_db()
    assert (tip.status == "dismissed") == (not Case.objects.filter(tip=tip).exists())
