"""A hand-built week for the weekly report's tests: every figure below is counted by hand.

The week W is Monday 2 March – Sunday 8 March 2026; the week before, P, is 23 Feb – 1 March.

Township A (城关镇, clerk_a):
  c1 registered 1 Feb, next visit due 4 March (due in W; overdue at W's end, not at P's end)
  c2 registered on Sunday 8 March 23:59 Shanghai (added in W), due 10 Feb (overdue > 14 days)
  c3 registered on Monday 9 March 00:00 Shanghai: the next week, not W
  c4 registered 10 Jan, due 1 May
  visits: c1 1 Jan (sets due 1 Mar); c1 3 Mar (late); c1 5 Mar finds a pregnancy (on time);
          c2 Sun 8 Mar (first visit: no due date); a void one on 4 Mar; c4 20 Jan (due 28 Feb),
          c4 26 Feb (in P, on time)
  → W: added 1, visits 3, on time 1 of 2 (50 %), due 1, overdue 2, overdue > 14 days 1,
       pregnancies 1, outreach 3 (2 by group 1's member, 1 by someone in no group)
  → P: added 0, visits 1, on time 1 of 1 (100 %), due 0, overdue 1, > 14 days 1, outreach 0
  problems: overdue > 14 days (1), on time 50 % < 90 %, overdue up from 1 to 2
Township B (东关街道, clerk_b): b1 visited 1 Feb (due 1 Mar) and 6 Mar (late): W visits 1, on time
  0 %; outreach 1 in P. Problem: on time 0 % < 90 %.
Township C (西关镇): nothing → problem: no visits.
Work groups: 第一工作组 (villages of A and B; member u1) — A's village 2 this week, B's 0 this
  week and 1 last week; 第二工作组 (C's village, nobody went) → a county problem.
Regular checks: A 4 Mar 18/20, B 5 Mar 8/10 (+ a void one), A 9 Mar (next week).
Ranking: 2026 A 1st (90.00), B 2nd (80.00); 2025 A 2nd, B 1st.
"""
import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.roles import Role
from assessment.models import AnnualScore
from households.models import FollowUpVisit

from ..factories import (
    HouseholdFactory, OutreachVisitFactory, RegisterCoupleFactory, TownshipFactory, UserFactory, VillageFactory,
    WorkGroupFactory,
)
from .factories import RegularCheckFactory

D = datetime.date
W = D(2026, 3, 2)
P = D(2026, 2, 23)
SUNDAY = D(2026, 3, 8)

EXPECTED_A = {
    "households.couples_added": (1, 0), "households.visits_recorded": (3, 1),
    "households.visits_on_time": (50.0, 100.0), "households.followups_done_on_time": (1, 1),
    "households.followups_due": (1, 0), "households.followups_overdue": (2, 1),
    "households.followups_overdue_long": (1, 1), "households.pregnancies_found": (1, 0),
    "households.outreach_visits": (3, 0), "assessment.checks_recorded": (1, 0),
    "assessment.check_score_rate": (90.0, None),
}
EXPECTED_B = {
    "households.couples_added": (0, 0), "households.visits_recorded": (1, 0),
    "households.visits_on_time": (0.0, None), "households.followups_done_on_time": (0, 0),
    "households.followups_due": (0, 0), "households.followups_overdue": (0, 0),
    "households.followups_overdue_long": (0, 0), "households.pregnancies_found": (0, 0),
    "households.outreach_visits": (0, 1), "assessment.checks_recorded": (1, 0),
    "assessment.check_score_rate": (80.0, None),
}
EXPECTED_C = {key: (0 if isinstance(a, int) else None, 0 if isinstance(p, int) else None)
              for key, (a, p) in EXPECTED_B.items()}
# County: counts add up; rates are the county's own (A+B: 1 on time of 3; 26 of 30 points).
EXPECTED_COUNTY = {
    "households.couples_added": (1, 0), "households.visits_recorded": (4, 1),
    "households.visits_on_time": (33.3, 100.0), "households.followups_done_on_time": (1, 1),
    "households.followups_due": (1, 0), "households.followups_overdue": (2, 1),
    "households.followups_overdue_long": (1, 1), "households.pregnancies_found": (1, 0),
    "households.outreach_visits": (3, 1), "assessment.checks_recorded": (2, 0),
    "assessment.check_score_rate": (86.7, None),
}


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment on ``day`` in Asia/Shanghai."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def visit(couple, day, status="not_pregnant", next_due=None, **kw):
    return FollowUpVisit.objects.create(
        couple=couple, visitor=couple.responsible, visit_date=day, pregnancy_status=status,
        last_menstrual_period=day - datetime.timedelta(days=40) if status == "pregnant" else None,
        next_due=next_due or day + datetime.timedelta(days=90), **kw)


def build_world(*, village_a, village_b, clerk_a, clerk_b) -> dict:
    township_c = TownshipFactory(code="411099003", name="西关镇")
    village_c = VillageFactory(township=township_c, code="411099003001", name="张湾村")
    kw = dict(created_by=clerk_a, responsible=clerk_a)
    c1 = RegisterCoupleFactory(household__village=village_a, created_at=at(D(2026, 2, 1)), next_visit_due=D(2026, 3, 4),
                               **kw)
    c2 = RegisterCoupleFactory(household__village=village_a, created_at=at(SUNDAY, 23, 59),
                               next_visit_due=D(2026, 2, 10), **kw)
    c3 = RegisterCoupleFactory(household__village=village_a, created_at=at(D(2026, 3, 9), 0, 0),
                               next_visit_due=D(2026, 4, 1), **kw)
    c4 = RegisterCoupleFactory(household__village=village_a, created_at=at(D(2026, 1, 10)),
                               next_visit_due=D(2026, 5, 1), **kw)
    visit(c1, D(2026, 1, 1), next_due=D(2026, 3, 1))
    visit(c1, D(2026, 3, 3), next_due=D(2026, 6, 1))
    visit(c1, D(2026, 3, 5), "pregnant")
    visit(c2, SUNDAY)
    visit(c2, D(2026, 3, 4), is_void=True)
    visit(c4, D(2026, 1, 20), next_due=D(2026, 2, 28))
    visit(c4, D(2026, 2, 26))
    b1 = RegisterCoupleFactory(household__village=village_b, created_at=at(D(2026, 1, 5)),
                               next_visit_due=D(2026, 3, 20), created_by=clerk_b, responsible=clerk_b)
    visit(b1, D(2026, 2, 1), next_due=D(2026, 3, 1))
    visit(b1, D(2026, 3, 6), next_due=D(2026, 3, 20))

    u1 = UserFactory(username="outreach1", name="刘强", role=Role.BUREAU_STAFF)
    u2 = UserFactory(username="outreach2", name="赵敏", role=Role.BUREAU_STAFF)
    group1 = WorkGroupFactory(name="第一工作组", villages=[village_a, village_b], members=[u1])
    group2 = WorkGroupFactory(name="第二工作组", villages=[village_c], members=[u2])
    home_a = HouseholdFactory(village=village_a)
    home_b = HouseholdFactory(village=village_b)
    OutreachVisitFactory(household=home_a, visitor=u1, visit_date=W)
    OutreachVisitFactory(household=home_a, visitor=u1, visit_date=SUNDAY)
    OutreachVisitFactory(household=home_a, visitor=u2, visit_date=D(2026, 3, 3))  # u2 is not in group 1
    OutreachVisitFactory(household=home_b, visitor=u1, visit_date=D(2026, 2, 24))

    RegularCheckFactory(township=village_a.township, check_date=D(2026, 3, 4), score=Decimal(18), maximum=Decimal(20))
    RegularCheckFactory(township=village_b.township, check_date=D(2026, 3, 5), score=Decimal(8), maximum=Decimal(10))
    RegularCheckFactory(township=village_b.township, check_date=D(2026, 3, 5), score=Decimal(1), maximum=Decimal(10),
                        is_void=True)
    RegularCheckFactory(township=village_a.township, check_date=D(2026, 3, 9), score=Decimal(5), maximum=Decimal(20))

    now = timezone.now()
    for year, ranks in ((2025, (2, 1)), (2026, (1, 2))):
        for township, rank in zip((village_a.township, village_b.township), ranks, strict=True):
            AnnualScore.objects.create(year=year, township=township, rank=rank, total=Decimal(100 - 10 * rank),
                                       computed_at=now)
    return {"a": village_a.township, "b": village_b.township, "c": township_c, "c1": c1, "c2": c2, "c3": c3,
            "group1": group1, "group2": group2}
