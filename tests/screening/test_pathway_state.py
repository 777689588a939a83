"""The stored next step (``PathwayState``): every write through the services keeps it equal to
the pathway's rule, a date alone makes rows stale and the queue refreshes them before reading,
the nightly rebuild repairs anything else, and the queue's page is a range of its index."""
import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from households.services.register import couple_void, survey_record
from households.services.visits import visit_record, visit_void
from screening.models import PathwayState, PrenatalScreening, QueueRank, Step
from screening.selectors.home import home_panel
from screening.selectors.queue import couple_pathway, pathway_queue
from screening.services.followups import (
    outcome_follow_up_record, prenatal_diagnosis_record, prenatal_screening_record,
)
from screening.services.pathway_state import pathway_queue_fresh, pathway_state_mismatches
from screening.services.screenings import letter_print, results_save, screening_void
from screening.tasks import rebuild_pathway_states

from ..factories import RegisterCoupleFactory
from .helpers import assessed, full_values, pregnant, start

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def fresh_queue(*, user, today):
    """What the queue page reads: the user's stale rows refreshed for ``today`` (the service),
    then the queue (the selector, which does not write)."""
    pathway_queue_fresh(user=user, today=today)
    return pathway_queue(user=user, today=today)


@pytest.fixture
def today():
    return timezone.localdate()


def stored(couple):
    return PathwayState.objects.filter(couple=couple).values_list("step", "due_on", "rank").first()


def assert_in_step(couple, today, step):
    """The stored row says what the rule says (and nothing else in the county disagrees)."""
    live = couple_pathway(couple_id=couple.pk, today=today)
    assert live.step == step
    row = stored(couple)
    assert (row[0] if row else None) == step
    if row:
        assert row[1] == live.due_on
    assert pathway_state_mismatches(today) == 0


def test_every_screening_service_keeps_the_stored_step(couple_a, clerk_a, clinician, today):
    survey_record(couple=couple_a, by=clerk_a, planned_timing="1", surveyed_on=today - 5 * DAY)
    assert_in_step(couple_a, today, Step.SCREEN)
    screening = start(couple_a, clinician, exam_date=today - 2 * DAY)
    assert_in_step(couple_a, today, Step.COMPLETE)
    results_save(screening=screening, by=clinician, expected_version=screening.version,
                 values=full_values(screening, female__rubella_igg="neg"), finish=True)
    assert_in_step(couple_a, today, Step.ASSESS)
    screening_void(screening=screening, by=clinician, reason="录错了夫妇")
    assert_in_step(couple_a, today, Step.SCREEN)
    screening = assessed(couple_a, clinician, exam_date=today - 2 * DAY, high=True, advised=False)
    assert_in_step(couple_a, today, Step.ADVISE)
    assert stored(couple_a)[2] == QueueRank.HIGH_RISK
    letter_print(screening=screening, by=clinician)
    assert_in_step(couple_a, today, Step.EARLY)
    pregnant(screening, clinician, lmp=today - 80 * DAY, followed_on=today - 1 * DAY)
    assert_in_step(couple_a, today, Step.PRENATAL)
    prenatal = prenatal_screening_record(screening=screening, by=clinician, test="nt", tested_on=today,
                                         gestational_weeks=11, gestational_days=3, result="high")
    assert_in_step(couple_a, today, Step.DIAGNOSIS)
    prenatal_diagnosis_record(prenatal=PrenatalScreening.objects.get(pk=prenatal.pk), by=clinician,
                              diagnosis_on=today, method="羊水穿刺", result="normal")
    assert_in_step(couple_a, today, Step.OUTCOME)
    outcome_follow_up_record(screening=screening, by=clinician, followed_on=today, result="1", outcome="normal",
                             delivery_date=today, gestational_weeks=39, birth_weight_g=3200, infant_sex="1",
                             place="县妇幼保健院", method="vaginal")
    assert_in_step(couple_a, today, None)


def test_households_writes_reach_the_stored_step(couple_a, clerk_a, clinician, today):
    screening = assessed(couple_a, clinician, exam_date=today - 30 * DAY)
    assert_in_step(couple_a, today, Step.EARLY)
    assert stored(couple_a)[1] == today + 60 * DAY
    # The township's visit finds her pregnant: the early follow-up is due within a week of it.
    visit = visit_record(couple=couple_a, by=clerk_a, visit_date=today - 1 * DAY, pregnancy_status="pregnant",
                         last_menstrual_period=today - 40 * DAY)
    assert_in_step(couple_a, today, Step.EARLY)
    assert stored(couple_a)[1] == today - DAY + settings.SCREENING_WINDOWS["early_after_visit"] * DAY
    visit_void(visit=visit, by=clerk_a, reason="记错了户")
    assert stored(couple_a)[1] == today + 60 * DAY
    couple_void(couple=couple_a, by=clerk_a, reason="重复登记")
    assert stored(couple_a) is None and pathway_state_mismatches(today) == 0
    assert screening.pk  # the screening stays; only the couple's queue row went


def test_a_survey_puts_a_couple_in_the_queue_and_a_later_one_takes_it_out(couple_a, clerk_a, today):
    survey_record(couple=couple_a, by=clerk_a, planned_timing="1", surveyed_on=today - 70 * DAY)
    assert stored(couple_a) == (Step.SCREEN, today - 10 * DAY, QueueRank.OVERDUE)
    survey_record(couple=couple_a, by=clerk_a, planned_timing="3", surveyed_on=today)
    assert stored(couple_a) is None and pathway_state_mismatches(today) == 0


def test_a_passing_due_date_makes_the_row_stale_and_the_queue_refreshes_it(village_a, clerk_a, clinician, today):
    soon, high = (RegisterCoupleFactory(household__village=village_a, responsible=clerk_a) for _ in range(2))
    assessed(soon, clinician, exam_date=today - 80 * DAY)  # early follow-up due in 10 days
    assessed(high, clinician, exam_date=today - 70 * DAY, high=True)  # due in 20 days, high risk
    assert [r.pk for r in pathway_queue(user=clerk_a, today=today)] == [high.pk, soon.pk]
    # Fifteen days on, with nothing written: the first couple is overdue, and overdue comes first.
    rows = list(fresh_queue(user=clerk_a, today=today + 15 * DAY))
    assert [(r.pk, r.overdue) for r in rows] == [(soon.pk, True), (high.pk, False)]
    state = PathwayState.objects.get(couple=soon)
    assert (state.rank, state.computed_on) == (QueueRank.OVERDUE, today + 15 * DAY)
    # Back to today: a row computed for a later day is stale too.
    assert [r.pk for r in fresh_queue(user=clerk_a, today=today)] == [high.pk, soon.pk]
    assert stored(soon)[2] == QueueRank.OTHER and pathway_state_mismatches(today) == 0


def test_a_pregnancy_leaving_the_serum_window_turns_to_the_outcome_step(couple_a, clerk_a, clinician, today):
    screening = assessed(couple_a, clinician, exam_date=today - 120 * DAY)
    lmp = today - 90 * DAY
    pregnant(screening, clinician, lmp=lmp, followed_on=today - 30 * DAY)
    assert stored(couple_a)[0] == Step.PRENATAL
    turn = lmp + (settings.SCREENING_WINDOWS["serum_to"] + 1) * DAY
    assert PathwayState.objects.get(couple=couple_a).valid_until == turn
    assert [r.step for r in fresh_queue(user=clerk_a, today=turn - DAY)] == [Step.PRENATAL]
    assert [r.step for r in fresh_queue(user=clerk_a, today=turn)] == [Step.OUTCOME]
    assert pathway_state_mismatches(turn) == 0


def test_the_queue_selector_reads_only_and_the_pages_refresh_stale_rows(couple_a, clerk_a, clinician, client_for,
                                                                        today):
    """A selector does not write: ``pathway_queue`` shows a stale row as it is stored; the queue
    page and the home page refresh the user's stale rows first (``pathway_queue_fresh``)."""
    assessed(couple_a, clinician, exam_date=today - 100 * DAY)
    later = today + 5 * DAY  # a row computed for a later day is stale today

    def make_stale():
        PathwayState.objects.filter(couple=couple_a).update(computed_on=later)

    make_stale()
    list(pathway_queue(user=clerk_a, today=today))
    assert PathwayState.objects.get(couple=couple_a).computed_on == later
    client = client_for(clerk_a)
    assert client.get(reverse("screening:queue")).status_code == 200
    assert PathwayState.objects.get(couple=couple_a).computed_on == today
    make_stale()
    assert client.get(reverse("home")).status_code == 200
    assert PathwayState.objects.get(couple=couple_a).computed_on == today


def test_the_home_panel_counts_the_queue(village_a, clerk_a, clinician, today):
    for exam, high in ((100, False), (95, True), (10, True), (5, False)):
        assessed(RegisterCoupleFactory(household__village=village_a), clinician, exam_date=today - exam * DAY,
                 high=high)
    counts = home_panel(clerk_a)["screening_counts"]
    rows = list(pathway_queue(user=clerk_a, today=today))
    assert counts == {"total": len(rows), "overdue": sum(r.overdue for r in rows),
                      "high_risk": sum(bool(r.high_risk) for r in rows)} == {"total": 4, "overdue": 2, "high_risk": 2}


def test_a_wrong_stored_township_does_not_show_a_couple_to_another_township(couple_a, couple_b, clerk_b, clinician):
    """The couple's own township is the boundary; the stored one only leads the index."""
    assessed(couple_a, clinician)
    PathwayState.objects.filter(couple=couple_a).update(township=couple_b.township)
    assert couple_a.pk not in [r.pk for r in pathway_queue(user=clerk_b)]


def test_rebuild_repairs_rows_written_outside_the_services(village_a, clinician, today):
    couples = [RegisterCoupleFactory(household__village=village_a) for _ in range(4)]
    for couple in couples[:3]:
        assessed(couple, clinician, exam_date=today - 100 * DAY)
    PathwayState.objects.filter(couple=couples[0]).delete()
    PathwayState.objects.filter(couple=couples[1]).update(step=Step.OUTCOME, rank=QueueRank.OTHER)
    # The fourth couple plans within a year and is not screened yet: its step is SCREEN, not this.
    PathwayState.objects.create(couple=couples[3], township=couples[3].township, step=Step.EARLY, due_on=today,
                                high_risk=False, rank=QueueRank.OTHER, computed_on=today, valid_until=today)
    assert pathway_state_mismatches(today) == 3
    assert rebuild_pathway_states() == PathwayState.objects.count()  # the nightly task's body
    assert pathway_state_mismatches(today) == 0
    PathwayState.objects.all().delete()
    call_command("pathway_rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert pathway_state_mismatches(today) == 0 and PathwayState.objects.count() == 4
    assert stored(couples[3])[0] == Step.SCREEN


def test_the_nightly_rebuild_is_scheduled():
    entry = settings.CELERY_BEAT_SCHEDULE["rebuild-pathway-states"]
    assert entry["task"] == rebuild_pathway_states.name
    assert entry["schedule"].hour == {0} and entry["schedule"].minute == {10}


def plan(queryset) -> str:
    """The plan with sequential scans and sorts made as expensive as PostgreSQL allows: whether
    the query *can* read its order from an index (at a county's size it must)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("who", ["clerk_a", "clinician"])
def test_a_queue_page_is_a_range_of_the_stored_order(cast, village_a, clinician, who, today):
    for exam in (100, 40, 10):
        assessed(RegisterCoupleFactory(household__village=village_a), clinician, exam_date=today - exam * DAY)
    text = plan(pathway_queue(user=cast[who], today=today)[:25])
    index = "screening_pathway_town_order" if who == "clerk_a" else "screening_pathway_order"
    assert index in text and "Sort" not in text, text
