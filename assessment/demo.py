"""Demo data for township assessment (``seed_demo``, both scales).

Three years: the two before this one closed (published), this one open. Regular checks in rounds
across all townships (quarterly 信息核查 and 平时检查, half-yearly 信访调查 and 经常性工作), year-end
scores (this year one township still has none: 待评定), liaison leaders, publicity sites, and an
assessor grant for the demo user ``assessor``. Each township has a "strength" that drifts from
year to year, so ranks change; this year two townships are made to tie on the published total.

Deterministic (seeded RNG, dates relative to today) and idempotent: a year that already has
checks is left alone; users, grants and liaisons are upserted.
"""
import datetime
import random
import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from accounts.roles import Role

from .models import (
    AnnualScore, Assessor, Category, Liaison, Outcome, OutcomeApprover, OutcomeBand, PublicitySite, RegularCheck,
    Scheme, Subject, WeeklyReport, YearEndScore,
)
from . import demo_rectifications
from .services.outcomes import outcome_correct, outcome_decide, outcomes_issue, outcomes_propose
from .services.scoring import scores_recompute, year_close

# (username, name, role): listed in the README.
DEMO_USERS = [
    ("assessor", "吴平", Role.BUREAU_STAFF),  # 考核办: granted assessment entry
    ("leader2", "王建华", Role.LEADER),
    ("leader3", "陈志强", Role.LEADER),
    ("leader4", "赵红梅", Role.LEADER),
]
LEADERS_PER_SCALE = {"small": ["leader", "leader2"], "county": ["leader", "leader2", "leader3", "leader4"]}
# (category, title, month, maximum) of each round in a year.
ROUNDS = [
    (Category.INFO, "一季度信息核查", 3, 20), (Category.INSPECTION, "一季度平时检查", 3, 50),
    (Category.PETITION, "上半年信访调查", 6, 10), (Category.INFO, "二季度信息核查", 6, 20),
    (Category.INSPECTION, "二季度平时检查", 6, 50), (Category.REGULAR_WORK, "上半年经常性工作", 7, 30),
    (Category.INFO, "三季度信息核查", 9, 20), (Category.INSPECTION, "三季度平时检查", 9, 50),
    (Category.PETITION, "下半年信访调查", 12, 10), (Category.INFO, "四季度信息核查", 12, 20),
    (Category.INSPECTION, "四季度平时检查", 12, 50), (Category.REGULAR_WORK, "下半年经常性工作", 12, 30),
]
FINDINGS = [
    "", "", "", "育龄夫妇台账更新不及时", "随访记录缺少服务内容", "宣传栏内容未更新", "个别村摸底数据与户籍不符",
    "信访件办理回复超期", "孕情信息录入滞后", "档案资料归档不规范",
]
SITE_NAMES = ["人口文化宣传街", "幸福家庭文化广场", "新时代婚育文化长廊", "优生优育宣传角", "家庭健康主题公园"]
TWO = Decimal("0.01")


def _users(rng: random.Random) -> dict[str, User]:
    password = make_password(DEMO_PASSWORD)
    users = {}
    for username, name, role in DEMO_USERS:
        user = User.objects.filter(username=username).first() or User(username=username, password=password)
        user.name, user.role, user.township = name, role, None
        user.phone = user.phone or f"139{rng.randrange(10**8):08d}"
        user.save()
        users[username] = user
    return users


def _round_dates(year: int, today: datetime.date, rng: random.Random):
    for category, title, month, maximum in ROUNDS:
        day = datetime.date(year, month, rng.randint(8, 25))
        if day <= today:
            yield category, title, day, Decimal(maximum)


def _seed_year(year, townships, strength, today, rng, by, *, pending=None):
    if RegularCheck.objects.filter(year=year).exists():
        return False
    Scheme.objects.get_or_create(year=year, defaults={"created_by": by})
    checks = []
    for category, title, day, maximum in _round_dates(year, today, rng):
        batch = uuid.uuid4()
        for township in townships:
            rate = min(1.0, max(0.45, strength[township.pk] + rng.uniform(-0.08, 0.06)))
            score = (maximum * Decimal(str(rate))).quantize(Decimal("0.5"), rounding=ROUND_HALF_UP)
            checks.append(RegularCheck(
                township=township, year=year, category=category, title=title, check_date=day, score=score,
                maximum=maximum, findings=rng.choice(FINDINGS) if score < maximum else "", batch=batch, created_by=by,
            ))
    RegularCheck.objects.bulk_create(checks)
    if year < today.year or today.month >= 2:
        YearEndScore.objects.bulk_create([
            YearEndScore(township=t, year=year, created_by=by, updated_by=by, score=Decimal(str(
                round(min(98.0, max(60.0, 100 * strength[t.pk] + rng.uniform(-6, 6))), 1))))
            for t in townships if t != pending
        ])
    return True


def _sites(townships, today, rng, by):
    if PublicitySite.objects.exists():
        return
    sites = []
    for township in townships:
        names = rng.sample(SITE_NAMES, k=3)
        village = township.villages.order_by("code").first()
        place = f"{village.name if village else township.name}"
        for n, name in enumerate(names):
            status = [PublicitySite.Status.DONE, PublicitySite.Status.DONE, PublicitySite.Status.BUILDING][n]
            year = today.year - 1 if n == 0 else today.year
            done_on = None
            if status == PublicitySite.Status.DONE:
                done_on = min(today, datetime.date(year, rng.randint(4, 11), rng.randint(1, 28)))
                if year == today.year and rng.random() < 0.3:
                    status, done_on = PublicitySite.Status.PLANNED, None  # some townships are behind
            sites.append(PublicitySite(
                township=township, name=f"{township.name}{name}", kind=rng.choice(
                    [PublicitySite.Kind.STREET, PublicitySite.Kind.HIGHLIGHT, PublicitySite.Kind.PARK]),
                location=f"{place}主街", status=status, completion_date=done_on, created_by=by,
            ))
    PublicitySite.objects.bulk_create(sites)


def _make_a_tie(year, by):
    """Tie two neighbours on the published total by adjusting the lower one's year-end score (to two
    decimals), trying pairs from the top until one is feasible (a score within 0–100)."""
    rows = list(AnnualScore.objects.filter(year=year, rank__isnull=False).order_by("rank", "township_id"))
    scheme = Scheme.objects.get(year=year)
    for upper, lower in zip(rows[1:], rows[2:], strict=False):
        if upper.rank == lower.rank:
            return
        wanted = (upper.total - lower.regular_part * scheme.regular_weight / 100) * 100 / scheme.year_end_weight
        for delta in (Decimal(0), TWO, -TWO, 2 * TWO, -2 * TWO):
            score = (wanted + delta).quantize(TWO)
            if not Decimal(60) <= score <= Decimal(100):
                break
            YearEndScore.objects.filter(year=year, township_id=lower.township_id).update(score=score, updated_by=by)
            scores_recompute(year=year)
            if AnnualScore.objects.get(year=year, township_id=lower.township_id).total == upper.total:
                return
        YearEndScore.objects.filter(year=year, township_id=lower.township_id).update(
            score=(lower.year_end_part * 1).quantize(TWO))  # put it back and try the next pair
        scores_recompute(year=year)


def seed(*, rng: random.Random, scale: str, context: dict) -> dict:
    today = timezone.localdate()
    townships = list(context["townships"])
    users = _users(rng)
    admin = context["users"].get("admin")
    Assessor.objects.get_or_create(user=users["assessor"], defaults={"granted_by": admin, "note": "考核办（演示）"})
    leaders = [User.objects.get(username=name) for name in LEADERS_PER_SCALE[scale]]
    by = users["assessor"]
    # A strength per township that drifts each year: ranks move, a few townships slip.
    base = {t.pk: rng.uniform(0.72, 0.95) for t in townships}
    seeded = []
    for offset in (2, 1, 0):
        year = today.year - offset
        strength = {pk: min(0.98, max(0.55, s + rng.uniform(-0.06, 0.06) * (2 - offset))) for pk, s in base.items()}
        pending = townships[-1] if offset == 0 else None  # this year: one township not assessed yet
        if _seed_year(year, townships, strength, today, rng, by, pending=pending):
            seeded.append(year)
        for i, township in enumerate(townships):
            Liaison.objects.update_or_create(year=year, township=township,
                                             defaults={"leader": leaders[i % len(leaders)], "created_by": admin})
    _sites(townships, today, rng, by)
    for year in (today.year - 2, today.year - 1, today.year):
        scores_recompute(year=year)
    if today.year in seeded:
        _make_a_tie(today.year, by)
    for year in (today.year - 2, today.year - 1):
        if not Scheme.objects.get(year=year).is_closed:
            year_close(year=year, by=admin)
    # Rectifications and supervision visits first: the briefings built next count them.
    loops = demo_rectifications.seed(rng=rng, townships=townships, today=today)
    _outcomes(today, approver=User.objects.get(username="leader"), admin=admin)
    weekly = _weekly_reports(today)
    return {"assessment_years": seeded, "weekly_reports": weekly, **loops}


# 奖优罚劣 bands of the closed years: (subject, kind, rank from, to, from bottom, score below, label, measures).
BANDS = [
    (Subject.TOWNSHIP, "rank", 1, 3, False, None, "先进", "通报表扬，奖励工作经费"),
    (Subject.TOWNSHIP, "rank", 1, 1, True, None, "通报批评", "约谈主要负责人"),
    (Subject.TOWNSHIP, "score", None, None, False, Decimal("75"), "黄牌警告", "限期整改"),
    (Subject.LEADER, "rank", 1, 1, False, None, "优秀", "年度考核加分"),
]


def _outcomes(today, *, approver, admin):
    """Two closed years of outcomes: bands, proposals, decisions (one changed with a reason),
    issued under a decision number; the earlier year also has one correction."""
    OutcomeApprover.objects.get_or_create(user=approver, defaults={"note": "分管考核（演示）"})
    for year in (today.year - 2, today.year - 1):
        scheme = Scheme.objects.get(year=year)
        if Outcome.objects.filter(year=year).exists() or not scheme.is_closed:
            continue
        for position, (subject, kind, rank_from, rank_to, bottom, below, label, measures) in enumerate(BANDS, 1):
            OutcomeBand.objects.create(scheme=scheme, subject=subject, position=position, kind=kind,
                                       rank_from=rank_from, rank_to=rank_to, from_bottom=bottom, score_max=below,
                                       label=label, measures=measures)
        outcomes_propose(year=year, by=approver)
        for n, row in enumerate(Outcome.objects.filter(year=year).order_by("subject", "rank", "id")):
            if n == 4 and not row.proposed_label:
                outcome_decide(outcome=row, by=approver, label="表扬", measures="通报表扬",
                               reason="全年信访零投诉，工作进步明显")
            else:
                outcome_decide(outcome=row, by=approver, label=row.proposed_label or "无", measures=row.proposed_measures,
                               reason="" if row.proposed_label else "未落入任何档次")
        decided_on = datetime.date(year + 1, 1, 20)
        outcomes_issue(year=year, by=approver, number=f"县卫健发〔{year + 1}〕3号", decided_on=decided_on)
        if year == today.year - 2:
            last = Outcome.objects.filter(year=year, subject=Subject.TOWNSHIP, is_current=True).order_by("-rank").first()
            outcome_correct(outcome=last, by=approver, label="通报批评", measures="书面检查",
                            reason="经复核，信访调查扣分有误，改为书面检查", number=f"县卫健发〔{year + 1}〕9号",
                            decided_on=decided_on + datetime.timedelta(days=14))


DEMO_WEEKS = 12  # a full 12-week line on the leader's report after `make run`


def _weekly_reports(today) -> list:
    """The Monday briefings of the last 12 weeks, built through the same service as the worker.

    Runs last among assessment's demo data; the other apps' figures are in them only if their demo
    data is loaded before (assessment stays last in settings.PROJECT_APPS). Weeks already built are
    left alone, so a second ``seed_demo`` adds nothing.
    """
    from .services.weekly import weekly_report_build
    from .weeks import WEEK, last_complete_week

    last = last_complete_week(today)
    built = set(WeeklyReport.objects.filter(built_at__isnull=False).values_list("week_start", flat=True))
    weeks = [last - WEEK * n for n in range(DEMO_WEEKS - 1, -1, -1)]
    for week in weeks:
        if week not in built:
            weekly_report_build(week_start=week)
    return weeks
