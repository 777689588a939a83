"""Demo data of the accountability loops (``seed_demo``, both scales): a year of rectifications (整改)
from the Monday briefings — about three per township a week, most reported and accepted on time,
some late, some returned once, the last weeks' still open or waiting for acceptance, a few
overdue — and the liaison leaders' supervision visits (督导) of this year, about one a month per
township with a month missed here and there, some of them turned into rectifications.

Rows are written in bulk (a year is thousands of rectifications); each has the steps the services
would have written. A second run adds nothing (the rows are there already).
"""
import datetime
import random

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role

from .models import Liaison, Rectification, RectificationStep, SupervisionVisit
from .weeks import WEEK, last_complete_week

S = Rectification.Status
WEEKS = 52
PER_WEEK = 3
PROBLEMS = [
    ("overdue_long", "随访逾期超过 14 天：%(n)s 对夫妇", "逐户上门随访逾期夫妇，补录随访记录"),
    ("on_time_low", "按时随访率 %(n)s%%，低于目标 90%%", "梳理本周到期名单，按时完成随访"),
    ("overdue_rising", "逾期未访比上周增加 %(n)s 对", "分析逾期原因，落实到村专干"),
    ("no_visits", "本周没有记录随访", "补录本周随访，说明未开展原因"),
    ("tips_overdue", "举报超过办理期限未处理：%(n)s 件", "配合执法队办结超期举报"),
]
FINDINGS = ["育龄妇女台账更新不及时", "村级宣传栏内容陈旧", "随访记录填写不规范", "流动人口信息未核实",
            "奖扶资格审核材料不全", "服务室设备登记不完整"]
REPORTS = ["已完成整改，相关台账已更新。", "已逐户核实并补录记录。", "已召开专题会议落实，附现场照片。",
           "已安排专人负责，问题已解决。"]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class _Rows:
    """Rectifications and their steps, written in two bulk inserts."""

    def __init__(self):
        self.rects: list[Rectification] = []
        self.steps: list[list[tuple]] = []  # per rectification: (actor, at, from, to, note)

    def add(self, rect: Rectification, steps: list[tuple]) -> None:
        self.rects.append(rect)
        self.steps.append(steps)

    def save(self) -> int:
        made = Rectification.objects.bulk_create(self.rects, batch_size=2000)
        RectificationStep.objects.bulk_create([
            RectificationStep(rectification=rect, actor=actor, at=at, from_status=before, to_status=after, note=note)
            for rect, steps in zip(made, self.steps, strict=True) for actor, at, before, after, note in steps
        ], batch_size=5000)
        return len(made)


def _life(rows: _Rows, rng, *, township, clerk, boss, made_at, deadline, today, source, task, problem, visit=None):
    """One rectification's life, decided by dice and by how long ago it was assigned."""
    steps = [(boss, made_at, "", S.OPEN, task)]
    rect = Rectification(township=township, source=source, visit=visit, rule=problem.get("rule", ""),
                         problem=problem, task=task, deadline=deadline, responsible=clerk, created_by=boss,
                         created_at=made_at, status=S.OPEN)
    roll = rng.random()
    if roll < 0.04 and deadline < today:  # never reported: overdue
        rows.add(rect, steps)
        return
    late = roll > 0.86
    days = (deadline - made_at.date()).days
    reported_on = made_at.date() + datetime.timedelta(days=rng.randint(1, max(1, days))) if not late \
        else deadline + datetime.timedelta(days=rng.randint(1, 6))
    if reported_on >= today:  # not yet: still open
        rows.add(rect, steps)
        return
    reported_at = _at(reported_on, rng.randint(9, 17), rng.randint(0, 59))
    steps.append((clerk, reported_at, S.OPEN, S.REPORTED, rng.choice(REPORTS)))
    if rng.random() < 0.08:  # returned once, reported again two days later
        back = reported_at + datetime.timedelta(days=1)
        again = back + datetime.timedelta(days=2)
        if again.date() >= today:
            rect.status, rect.reported_at = S.RETURNED, reported_at
            steps.append((boss, back, S.REPORTED, S.RETURNED, "材料不完整，请补充现场照片。"))
            rows.add(rect, steps)
            return
        steps += [(boss, back, S.REPORTED, S.RETURNED, "材料不完整，请补充现场照片。"),
                  (clerk, again, S.RETURNED, S.REPORTED, "已补充现场照片。")]
        reported_at = again
    accepted = reported_at + datetime.timedelta(days=rng.randint(0, 2), hours=1)
    if accepted.date() >= today:
        rect.status, rect.reported_at = S.REPORTED, reported_at
        rows.add(rect, steps)
        return
    steps.append((boss, accepted, S.REPORTED, S.DONE, "验收通过。"))
    rect.status, rect.reported_at, rect.done_at = S.DONE, reported_at, accepted
    rect.done_on_time = timezone.localdate(reported_at) <= deadline
    rows.add(rect, steps)


def seed(*, rng: random.Random, townships, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    if Rectification.objects.exists() or SupervisionVisit.objects.exists():
        return {"rectifications": 0, "supervision_visits": 0}
    clerks = {}
    for clerk in User.objects.filter(role=Role.CLERK, is_active=True).order_by("username"):
        clerks.setdefault(clerk.township_id, clerk)
    liaison = {(row.township_id, row.year): row.leader for row in Liaison.objects.select_related("leader")}
    fallback = User.objects.filter(role=Role.LEADER, is_active=True).order_by("username").first()
    rows = _Rows()
    last = last_complete_week(today)
    for n in range(WEEKS, -1, -1):
        briefing = last - WEEK * n + WEEK  # the Monday the week's report is discussed
        if briefing > today:
            continue
        for township in townships:
            clerk = clerks.get(township.pk)
            boss = liaison.get((township.pk, briefing.year)) or fallback
            if clerk is None or boss is None:
                continue
            for rule, text, task in rng.sample(PROBLEMS, k=min(PER_WEEK, len(PROBLEMS))):
                problem = {"rule": rule, "params": {"n": rng.randint(1, 9)}, "week": (briefing - WEEK).isoformat()}
                problem["text"] = text % problem["params"]
                _life(rows, rng, township=township, clerk=clerk, boss=boss,
                      made_at=_at(briefing, 10, rng.randint(0, 59)), deadline=briefing + WEEK, today=today,
                      source=Rectification.Source.WEEKLY, task=task, problem=problem)
    count = rows.save()

    # Supervision visits of this year: about one a month per liaison township, a month missed now and then.
    visits = []
    for month in range(1, today.month + 1):
        for township in townships:
            boss = liaison.get((township.pk, today.year))
            if boss is None or rng.random() < 0.15:
                continue
            day = datetime.date(today.year, month, rng.randint(3, 26))
            if day > today:
                continue
            visits.append(SupervisionVisit(
                leader=boss, township=township, visit_date=day, participants=f"{boss.get_full_name()}、计生办工作人员",
                findings=rng.choice(FINDINGS), agreed="一周内整改到位并上报。" if rng.random() < 0.4 else "",
                created_by=boss, created_at=_at(day, 17)))
    visits = SupervisionVisit.objects.bulk_create(visits, batch_size=2000)
    rows = _Rows()
    for visit in visits:
        clerk = clerks.get(visit.township_id)
        if not visit.agreed or clerk is None:
            continue
        made_at = _at(visit.visit_date, 17, 30)
        _life(rows, rng, township=visit.township, clerk=clerk, boss=visit.leader, made_at=made_at,
              deadline=visit.visit_date + datetime.timedelta(days=7), today=today,
              source=Rectification.Source.SUPERVISION, task=visit.agreed, problem={"text": visit.findings},
              visit=visit)
    count += rows.save()
    return {"rectifications": count, "supervision_visits": len(visits)}
