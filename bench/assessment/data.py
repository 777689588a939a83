"""Full-county data for township assessment (bench/fullscale.py; contract in bench/README.md).

Two years, as a county has them in December: last year closed (its ranking published and frozen),
this year open. Per year a ``Scheme`` (60/40, sum ÷ maxima), liaison leaders for every township,
publicity sites; ~15,000 regular checks (经常性考核) over the two years in rounds across the four
categories, each round covering some or all of the 16 townships (quarterly 信息核查 of everyone,
weekly 平时检查 of a few townships, …); year-end scores for last year (all townships) and this year
(all but the last township: 待评定); assessor grants for ``assessor`` and two bureau staff.

The annual scores are what the services would store: ``services.scoring``'s own set-based
``RECOMPUTE_SQL`` for each year, then last year is closed as ``year_close`` does (after which the
services never touch it again). The Monday briefings of the last ``WEEKS_BUILT`` complete weeks
are built by ``weekly_report_build`` itself in ``generate_after``, once every app's tables exist.

Deterministic: ``ctx.rng("assessment")``, explicit ids, dates relative to ``ctx.today``.
"""
import datetime
import uuid

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from accounts.roles import Role

from assessment.demo import FINDINGS, SITE_NAMES
from assessment.models import Category, Scheme
from assessment.services.scoring import _recompute

TABLES = ["assessment_scheme", "assessment_assessor", "assessment_liaison", "assessment_regularcheck",
          "assessment_yearendscore", "assessment_publicitysite", "assessment_annualscore"]
CHECK_COLUMNS = ["id", "is_void", "void_reason", "voided_at", "voided_by_id", "created_at", "created_by_id",
                 "updated_at", "township_id", "year", "category", "title", "check_date", "score", "maximum",
                 "findings", "batch"]
# ~15,000 checks over two years at full scale (scaled by ctx.factor, at least a few rounds a month).
FULL_CHECKS = 15_000
# (category, title pattern, maximum, share of the townships a round covers, relative frequency)
ROUND_KINDS = [
    (Category.INFO, "信息核查（{n}）", 20, 1.0, 3),
    (Category.INSPECTION, "平时检查（{n}）", 50, 0.3, 8),
    (Category.PETITION, "信访调查（{n}）", 10, 0.2, 2),
    (Category.REGULAR_WORK, "经常性工作（{n}）", 30, 0.6, 3),
]
WEEKS_BUILT = 12  # the weekly page's 12-week line
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def _users(ctx) -> dict[str, int]:
    """The demo assessor (考核办) as in ``assessment.demo``, with the county's shared password."""
    users = ctx.data["users"]
    if "assessor" not in users:
        user = User.objects.create(username="assessor", name="吴平", role=Role.BUREAU_STAFF,
                                   password=make_password(DEMO_PASSWORD), phone="13900000001")
        users["assessor"] = user.pk
    return users


def _rounds(ctx, rng, first: datetime.date, last: datetime.date, count: int):
    """``count`` rounds on working days between ``first`` and ``last``, oldest first."""
    days = [first + datetime.timedelta(days=d) for d in range((last - first).days + 1)]
    days = [d for d in days if d.weekday() < 5]
    kinds = [k for k in ROUND_KINDS for _ in range(k[4])]
    serial: dict[tuple, int] = {}
    for day in sorted(rng.choice(days) for _ in range(count)):
        category, title, maximum, share, _weight = rng.choice(kinds)
        key = (day.year, category)
        serial[key] = serial.get(key, 0) + 1
        yield day, category, title.format(n=serial[key]), maximum, share


def generate(ctx) -> None:
    rng = ctx.rng("assessment")
    users = _users(ctx)
    townships = ctx.data["townships"]
    t_ids = [t["id"] for t in townships]
    today = ctx.today
    this_year, last_year = today.year, today.year - 1
    admin, assessor = users["admin"], users["assessor"]
    leaders = [users[name] for name in ("leader", "leader_1", "leader_2", "leader_3", "leader_4") if name in users]
    now = timezone.now()
    stamp = now.isoformat()

    # A strength per township that drifts between the years: the ranks move.
    base = {t: rng.uniform(0.72, 0.95) for t in t_ids}
    strength = {last_year: base, this_year: {t: min(0.98, max(0.55, s + rng.uniform(-0.06, 0.06)))
                                             for t, s in base.items()}}
    per_round = sum(k[4] * max(1, round(k[3] * len(t_ids))) for k in ROUND_KINDS) / sum(k[4] for k in ROUND_KINDS)
    n_rounds = max(48, round(FULL_CHECKS * ctx.factor / per_round))
    checks, check_townships = [], []
    for day, category, title, maximum, share in _rounds(ctx, rng, datetime.date(last_year, 1, 5), today, n_rounds):
        covered = t_ids if share >= 1 else rng.sample(t_ids, max(1, round(share * len(t_ids))))
        batch = str(uuid.UUID(int=rng.getrandbits(128)))
        at = datetime.datetime(day.year, day.month, day.day, 16, 0, tzinfo=SHANGHAI).isoformat()
        for township in sorted(covered):
            rate = min(1.0, max(0.45, strength[day.year][township] + rng.uniform(-0.08, 0.06)))
            score = round(maximum * rate * 2) / 2
            cid = len(checks) + 1
            void = rng.random() < 0.01
            void_cols = (True, "录入错误", at, assessor) if void else (False, "", None, None)
            checks.append((cid, *void_cols, at, assessor, at, township, day.year, category, title, day,
                           f"{score:.2f}", f"{maximum}.00", rng.choice(FINDINGS) if score < maximum else "", batch))
            check_townships.append(township)

    schemes = [(1, last_year, True, admin), (2, this_year, False, None)]
    year_end = []
    for year in (last_year, this_year):
        for township in t_ids:
            if year == this_year and township == t_ids[-1]:
                continue  # this year: one township not assessed yet (待评定)
            score = round(min(98.0, max(60.0, 100 * strength[year][township] + rng.uniform(-6, 6))), 1)
            year_end.append((len(year_end) + 1, stamp, assessor, stamp, township, year, f"{score:.2f}", "100.00", "",
                             assessor))
    liaisons = []
    for year in (last_year, this_year):
        for i, township in enumerate(t_ids):
            liaisons.append((len(liaisons) + 1, stamp, admin, stamp, township, year, leaders[i % len(leaders)]))
    sites = []
    for township in t_ids:
        for n, name in enumerate(rng.sample(SITE_NAMES, k=3)):
            year = last_year if n == 0 else this_year
            status, done_on = ("done", datetime.date(year, rng.randint(4, 11), rng.randint(1, 28))) if n < 2 \
                else ("building", None)
            if done_on and done_on > today or (year == this_year and status == "done" and rng.random() < 0.3):
                status, done_on = "planned", None
            sites.append((len(sites) + 1, stamp, assessor, stamp, township, name,
                          rng.choice(["street", "highlight", "park"]), "主街", status, done_on, ""))
    grants = [(1, users["assessor"], True, admin, stamp, None, "考核办（全县）")]
    grants += [(k + 2, pk, True, admin, stamp, None, "考核办") for k, pk in enumerate(ctx.data["bureau"][1:3])]

    with ctx.fresh_tables(*TABLES):
        ctx.load("assessment_scheme", [
            "id", "created_at", "created_by_id", "updated_at", "year", "regular_weight", "year_end_weight",
            "normalisation", "publicity_points", "publicity_target", "is_closed", "closed_at", "closed_by_id"],
            [(pk, stamp, admin, stamp, year, "60.00", "40.00", "ratio", "10.00", 2, closed,
              stamp if closed else None, by) for pk, year, closed, by in schemes])
        ctx.load("assessment_assessor", ["id", "user_id", "is_active", "granted_by_id", "granted_at", "revoked_at",
                                         "note"], grants)
        ctx.load("assessment_liaison", ["id", "created_at", "created_by_id", "updated_at", "township_id", "year",
                                        "leader_id"], liaisons)
        ctx.load("assessment_regularcheck", CHECK_COLUMNS, checks)
        ctx.load("assessment_yearendscore", ["id", "created_at", "created_by_id", "updated_at", "township_id",
                                             "year", "score", "maximum", "notes", "updated_by_id"], year_end)
        ctx.load("assessment_publicitysite", ["id", "created_at", "created_by_id", "updated_at", "township_id",
                                              "name", "kind", "location", "status", "completion_date", "notes"], sites)
    # The annual scores as the services store them: their own statement per year (both years open
    # while computing), then last year closed as year_close leaves it (frozen from then on).
    for year in (last_year, this_year):
        _recompute(year)
    Scheme.objects.filter(year=last_year).update(is_closed=True)
    ctx.add_audit_objects(object_type="assessment.regularcheck", ids=range(1, len(checks) + 1),
                          township_ids=check_townships, weight=0.01, actions={"view": 4, "create": 1})
    ctx.data["assessment_checks"] = len(checks)
    ctx.say(f"  {len(checks)} regular checks in {n_rounds} rounds, {len(year_end)} year-end scores")


def generate_after(ctx) -> None:
    """The Monday briefings of the last ``WEEKS_BUILT`` weeks, through the worker's own service."""
    from assessment.services.weekly import weekly_report_build
    from assessment.weeks import WEEK, last_complete_week

    last = last_complete_week(ctx.today)
    for n in range(WEEKS_BUILT - 1, -1, -1):
        weekly_report_build(week_start=last - WEEK * n)


CHECKS = {
    "check year is not its check date's": """SELECT count(*) FROM assessment_regularcheck
        WHERE year <> extract(year FROM check_date)""",
    "check score outside 0..maximum, or dated in the future": """SELECT count(*) FROM assessment_regularcheck
        WHERE score < 0 OR score > maximum OR check_date > (now() AT TIME ZONE 'Asia/Shanghai')::date""",
    "annual score whose check count is not its active checks'": """SELECT count(*) FROM assessment_annualscore a
        WHERE a.check_count <> (SELECT count(*) FROM assessment_regularcheck r
            WHERE r.year = a.year AND r.township_id = a.township_id AND NOT r.is_void)""",
    "year with checks but an active township without an annual score": """SELECT count(*)
        FROM accounts_township t CROSS JOIN (SELECT DISTINCT year FROM assessment_regularcheck) y
        WHERE t.is_active AND NOT EXISTS (SELECT 1 FROM assessment_annualscore a
            WHERE a.year = y.year AND a.township_id = t.id)""",
    "closed year with a township unranked or without a year-end score": """SELECT count(*)
        FROM assessment_annualscore a JOIN assessment_scheme s ON s.year = a.year
        WHERE s.is_closed AND (a.rank IS NULL OR a.total IS NULL OR NOT EXISTS (SELECT 1
            FROM assessment_yearendscore y WHERE y.year = a.year AND y.township_id = a.township_id))""",
    "annual rank is not the competition rank of the total": """SELECT count(*) FROM assessment_annualscore a
        WHERE a.total IS NOT NULL AND a.rank <> 1 + (SELECT count(*) FROM assessment_annualscore b
            WHERE b.year = a.year AND b.total > a.total)""",
    "assessor grant held by a role that may not enter assessment": """SELECT count(*) FROM assessment_assessor g
        JOIN accounts_user u ON u.id = g.user_id WHERE u.role NOT IN ('bureau_staff', 'leader')""",
    "liaison who is not a leader": """SELECT count(*) FROM assessment_liaison l
        JOIN accounts_user u ON u.id = l.leader_id WHERE u.role <> 'leader'""",
    "weekly report not done, or without one section per active township": """SELECT count(*)
        FROM assessment_weeklyreport r WHERE r.status <> 'done' OR (SELECT count(*)
            FROM assessment_weeklyreportsection s WHERE s.report_id = r.id) <> (SELECT count(*)
            FROM accounts_township WHERE is_active)""",
}
