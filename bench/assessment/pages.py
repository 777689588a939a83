"""Pages of township assessment timed by ``make bench``, each with its SQL floor (contract: bench/README.md).

The floors are the smallest SQL a person would write by hand for what the page shows. The ranking
reads the stored annual scores (``services.scoring`` keeps them at every write, and a closed year's
are the published ones), so its floor reads them too, with last year's rank, the liaison leader and
the five-year rank history. The scorecard computes its indicators live: its floor is ONE statement
with the same figures of the register and of assessment for the period and the one before, per
township and for the county (``INDICATORS_FLOOR``), plus screening's own hand-written rates
floor for each period (``bench.screening.pages.rates_floor``) — also the weekly build's floor in
bench/bench_weekly.py; enforcement has no hand-written part (its tables are empty in the bench).
"""
import datetime

from django.utils import timezone

PAGE = 25


def _this_year(ctx) -> int:
    return timezone.localdate().year


def _ranking_floor(year_of):
    def floor(ctx):
        p = {"y": year_of(ctx)}
        return [
            ("""SELECT a.rank, a.regular_rank, a.township_id, t.name, a.regular_part, a.year_end_part, a.total,
                    a.check_count, a.publicity_done, p.rank, u.name, l.leader_id
                FROM assessment_annualscore a JOIN accounts_township t ON t.id = a.township_id
                LEFT JOIN assessment_annualscore p ON p.year = a.year - 1 AND p.township_id = a.township_id
                LEFT JOIN assessment_liaison l ON l.year = a.year AND l.township_id = a.township_id
                LEFT JOIN accounts_user u ON u.id = l.leader_id
                WHERE a.year = %(y)s ORDER BY a.rank NULLS LAST, a.regular_rank NULLS LAST, t.sort_order""", p),
            ("""SELECT township_id, year, rank FROM assessment_annualscore
                WHERE year > %(y)s - 5 AND year <= %(y)s AND rank IS NOT NULL""", p),
            ("SELECT year, is_closed, regular_weight, year_end_weight, closed_at FROM assessment_scheme "
             "ORDER BY year DESC", p),
        ]
    return floor


# The figures of the register and of assessment (households/indicators.py, assessment/indicators.py)
# for [s, e) and [ps, s), per township, with the county's rates: what the scorecard and the Monday
# report compute. The fastest way found by hand: the periods' visits from one index range, each
# one's previous visit by a window within that range or, for a couple's first visit in it, one
# index probe (a window over each couple's whole history took 2.4 s for two weeks); the couples
# in one pass with both periods' counts as FILTERed columns.
INDICATORS_FLOOR = """
WITH periods(k, s, e) AS (VALUES (0, %(s)s::date, %(e)s::date), (1, %(ps)s::date, %(s)s::date)),
span AS (
  SELECT x.id, x.couple_id, x.township_id, x.visit_date, x.pregnancy_status,
         LAG(x.next_due) OVER w AS due, LAG(x.pregnancy_status) OVER w AS before, ROW_NUMBER() OVER w AS n
  FROM households_followupvisit x WHERE NOT x.is_void AND x.visit_date >= %(ps)s AND x.visit_date < %(e)s
  WINDOW w AS (PARTITION BY x.couple_id ORDER BY x.visit_date, x.id)
), v AS (
  SELECT span.township_id, span.visit_date, span.pregnancy_status, COALESCE(span.due, p.next_due) AS due,
         CASE WHEN span.n > 1 THEN span.before ELSE p.pregnancy_status END AS before
  FROM span LEFT JOIN LATERAL (SELECT p.next_due, p.pregnancy_status FROM households_followupvisit p
      WHERE span.n = 1 AND p.couple_id = span.couple_id AND NOT p.is_void
        AND (p.visit_date, p.id) < (span.visit_date, span.id) ORDER BY p.visit_date DESC, p.id DESC LIMIT 1) p ON true
), visits AS (
  SELECT periods.k, v.township_id, COUNT(*) AS visits, COUNT(due) AS with_due,
         COUNT(*) FILTER (WHERE visit_date <= due) AS on_time,
         COUNT(*) FILTER (WHERE pregnancy_status = 'pregnant' AND (before IS NULL OR before <> 'pregnant')) AS found
  FROM v JOIN periods ON v.visit_date >= periods.s AND v.visit_date < periods.e GROUP BY 1, 2
), c AS (
  SELECT township_id,
    COUNT(*) FILTER (WHERE in_register AND created_at < %(e_at)s) AS register0,
    COUNT(*) FILTER (WHERE created_at >= %(s_at)s AND created_at < %(e_at)s) AS added0,
    COUNT(*) FILTER (WHERE in_register AND next_visit_due >= %(s)s AND next_visit_due < %(e)s) AS due0,
    COUNT(*) FILTER (WHERE in_register AND next_visit_due < %(as_of)s) AS overdue0,
    COUNT(*) FILTER (WHERE in_register AND next_visit_due < %(as_of)s - 14) AS long0,
    COUNT(*) FILTER (WHERE in_register AND created_at < %(s_at)s) AS register1,
    COUNT(*) FILTER (WHERE created_at >= %(ps_at)s AND created_at < %(s_at)s) AS added1,
    COUNT(*) FILTER (WHERE in_register AND next_visit_due >= %(ps)s AND next_visit_due < %(s)s) AS due1,
    COUNT(*) FILTER (WHERE in_register AND next_visit_due < %(prev_as_of)s) AS overdue1,
    COUNT(*) FILTER (WHERE in_register AND next_visit_due < %(prev_as_of)s - 14) AS long1
  FROM households_couple WHERE NOT is_void GROUP BY township_id
), outreach AS (
  SELECT periods.k, o.township_id, COUNT(*) AS n FROM households_outreachvisit o
  JOIN periods ON o.visit_date >= periods.s AND o.visit_date < periods.e GROUP BY 1, 2
), checks AS (
  SELECT periods.k, r.township_id, COUNT(*) AS n, SUM(score) AS score, SUM(maximum) AS maximum
  FROM assessment_regularcheck r JOIN periods ON r.check_date >= periods.s AND r.check_date < periods.e
  WHERE NOT r.is_void GROUP BY 1, 2
)
SELECT t.id, t.name, periods.k,
       CASE periods.k WHEN 0 THEN c.register0 ELSE c.register1 END, CASE periods.k WHEN 0 THEN c.added0 ELSE c.added1 END,
       vi.visits, vi.on_time * 100.0 / NULLIF(vi.with_due, 0), vi.on_time,
       CASE periods.k WHEN 0 THEN c.due0 ELSE c.due1 END, CASE periods.k WHEN 0 THEN c.overdue0 ELSE c.overdue1 END,
       CASE periods.k WHEN 0 THEN c.long0 ELSE c.long1 END, vi.found, ou.n, ch.n, ch.score * 100 / NULLIF(ch.maximum, 0),
       SUM(vi.on_time) OVER p * 100.0 / NULLIF(SUM(vi.with_due) OVER p, 0),
       SUM(ch.score) OVER p * 100 / NULLIF(SUM(ch.maximum) OVER p, 0)
FROM accounts_township t CROSS JOIN periods
LEFT JOIN visits vi ON vi.township_id = t.id AND vi.k = periods.k
LEFT JOIN c ON c.township_id = t.id
LEFT JOIN outreach ou ON ou.township_id = t.id AND ou.k = periods.k
LEFT JOIN checks ch ON ch.township_id = t.id AND ch.k = periods.k
WHERE t.is_active
WINDOW p AS (PARTITION BY periods.k)
ORDER BY t.sort_order, t.code, periods.k
"""


def floor_params(start: datetime.date, end: datetime.date, prev_start: datetime.date) -> dict:
    """INDICATORS_FLOOR's parameters for [start, end) and [prev_start, start)."""
    today = timezone.localdate()

    def midnight(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))

    return {"s": start, "e": end, "ps": prev_start, "s_at": midnight(start), "e_at": midnight(end),
            "ps_at": midnight(prev_start), "as_of": min(end - datetime.timedelta(days=1), today),
            "prev_as_of": min(start - datetime.timedelta(days=1), today)}


def period_params(days: int) -> dict:
    """The scorecard's period of ``days`` days up to today and the one before (selectors.scorecard)."""
    end = timezone.localdate() + datetime.timedelta(days=1)
    start = end - datetime.timedelta(days=days)
    return floor_params(start, end, start - datetime.timedelta(days=days))


def indicators_floor(params: dict) -> list:
    """The statements of the floor: the register's and assessment's figures (one statement) and
    screening's rates of both periods (its own hand-written floor, two statements per period).
    Enforcement has none (its tables are empty in the bench county)."""
    from bench.screening.pages import rates_floor

    return [(INDICATORS_FLOOR, params), *rates_floor(params["s"], params["e"]), *rates_floor(params["ps"], params["s"])]


def _scorecard_floor(days):
    return lambda ctx: indicators_floor(period_params(days))


CHECK_ROW = """r.id, r.title, r.is_void, r.category, r.check_date, r.score, r.maximum, r.findings, t.name"""


def _checks_floor(where: str, params, *, last: bool = False):
    d = "ASC" if last else "DESC"

    def floor(ctx):
        p = params(ctx)
        base = f"FROM assessment_regularcheck r WHERE NOT r.is_void AND {where}"
        return [(f"SELECT {CHECK_ROW} FROM (SELECT r.* {base} ORDER BY r.check_date {d}, r.id {d} LIMIT {PAGE}) r "
                 f"JOIN accounts_township t ON t.id = r.township_id ORDER BY r.check_date {d}, r.id {d}", p),
                (f"SELECT count(*) FROM (SELECT 1 {base} LIMIT 1001) s", p)]
    return floor


def _year_params(ctx):
    return {"y": _this_year(ctx)}


def _drill_params(ctx):
    p = period_params(30)
    return {"t": ctx.township_id("clerk1"), "s": p["s"], "e": p["e"]}


def _drill_path(ctx):
    p = _drill_params(ctx)
    return f"/assessment/checks/?township={p['t']}&start={p['s'].isoformat()}&end={p['e'].isoformat()}"


def _latest_week(ctx) -> datetime.date:
    return ctx.value(
        "SELECT week_start FROM assessment_weeklyreport WHERE built_at IS NOT NULL ORDER BY week_start DESC LIMIT 1")


def _weekly_floor(ctx):
    week = _latest_week(ctx)
    p = {"w": week, "first": week - datetime.timedelta(weeks=11)}
    return [("SELECT id, week_start, status, figures, built_at, build_ms FROM assessment_weeklyreport "
             "WHERE week_start = %(w)s", p),
            ("""SELECT s.township_id, t.name, s.figures, s.problems FROM assessment_weeklyreportsection s
                JOIN assessment_weeklyreport r ON r.id = s.report_id JOIN accounts_township t ON t.id = s.township_id
                WHERE r.week_start = %(w)s ORDER BY s.position""", p),
            ("SELECT week_start, figures -> 'county' FROM assessment_weeklyreport "
             "WHERE week_start BETWEEN %(first)s AND %(w)s AND built_at IS NOT NULL", p)]


def _township_detail_floor(ctx):
    p = {"t": ctx.township_id("clerk1"), "y": _this_year(ctx)}
    return [("""SELECT a.*, (SELECT rank FROM assessment_annualscore p WHERE p.year = a.year - 1
                    AND p.township_id = a.township_id), (SELECT count(*) FROM assessment_annualscore n
                    WHERE n.year = a.year) FROM assessment_annualscore a WHERE a.year = %(y)s AND a.township_id = %(t)s""",
             p),
            ("""SELECT category, count(*), sum(score), sum(maximum) FROM assessment_regularcheck
                WHERE township_id = %(t)s AND year = %(y)s AND NOT is_void GROUP BY category""", p),
            ("""SELECT id, name, completion_date FROM assessment_publicitysite WHERE township_id = %(t)s
                AND status = 'done' AND completion_date >= make_date(%(y)s, 1, 1)
                AND completion_date < make_date(%(y)s + 1, 1, 1) ORDER BY completion_date, id""", p),
            ("""SELECT y.score, y.notes, u.name, l.leader_id, lu.name FROM assessment_yearendscore y
                LEFT JOIN accounts_user u ON u.id = y.updated_by_id LEFT JOIN assessment_liaison l
                ON l.year = y.year AND l.township_id = y.township_id LEFT JOIN accounts_user lu ON lu.id = l.leader_id
                WHERE y.township_id = %(t)s AND y.year = %(y)s""", p)]


PAGES = [
    dict(name="assessment ranking (this year)", user="leader", path="/assessment/", kind="page", ratio_max=1.5,
         floor=_ranking_floor(_this_year)),
    dict(name="assessment ranking (closed year)", user="leader",
         path=lambda ctx: f"/assessment/?year={_this_year(ctx) - 1}", kind="page", ratio_max=1.5,
         floor=_ranking_floor(lambda ctx: _this_year(ctx) - 1)),
    dict(name="assessment scorecard (30 days)", user="leader", path="/assessment/scorecard/", kind="stats",
         ratio_max=1.5, floor=_scorecard_floor(30)),
    dict(name="assessment scorecard (90 days)", user="leader", path="/assessment/scorecard/?period=90",
         kind="stats", ratio_max=1.5, floor=_scorecard_floor(90)),
    dict(name="assessment township scorecard", user="leader",
         path=lambda ctx: f"/assessment/townships/{ctx.township_id('clerk1')}/{_this_year(ctx)}/", kind="detail",
         floor=_township_detail_floor),
    dict(name="assessment drill-down: checks of a township, 30 days", user="leader", path=_drill_path, kind="list",
         floor=_checks_floor("r.township_id = %(t)s AND r.check_date >= %(s)s AND r.check_date < %(e)s",
                             _drill_params)),
    dict(name="assessment checks p1", user="leader", path="/assessment/checks/", kind="list",
         floor=_checks_floor("r.year = %(y)s", _year_params)),
    dict(name="assessment checks last page", user="leader", path="/assessment/checks/?page=last", kind="deep",
         first="assessment checks p1", floor=_checks_floor("r.year = %(y)s", _year_params, last=True)),
    dict(name="assessment weekly report (latest week)", user="leader",
         path=lambda ctx: f"/assessment/weekly/{_latest_week(ctx).isoformat()}/", kind="page",
         floor=_weekly_floor),
]
