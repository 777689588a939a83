"""Pages of screening timed by ``make bench``, each with its SQL floor (contract: bench/README.md).

The floors are the smallest SQL a person would write by hand for what each page shows: the page's
rows with what each row displays, and the total the page prints ("1,000+" past 1,000). The queue's
floor reads the stored next steps (``screening_pathwaystate``, kept by services.pathway_state) in
the queue's order, the page's couples with their current screening, and the rows a date made stale.
"""
import datetime

from django.conf import settings
from django.utils import timezone

PAGE = 25


def capped(select: str) -> str:
    return f"SELECT count(*) FROM ({select} LIMIT 1001) s"


# --- the pathway queue --------------------------------------------------------------------------
QUEUE = """SELECT p.couple_id AS id, p.step, p.due_on AS due, p.high_risk AS high, p.rank
    FROM screening_pathwaystate p WHERE true {where}"""
PAGE_OF_COUPLES = """SELECT page.*, w.name, w.id_number, m.name, h.phone, v.name, t.name, s.id, s.status,
    s.risk_level, s.exam_date, s.pregnancy_lmp, s.early_result, s.outcome_result, s.prenatal_high_since
    FROM page JOIN households_couple c ON c.id = page.id
    JOIN households_person w ON w.id = c.wife_id JOIN households_person m ON m.id = c.husband_id
    JOIN households_household h ON h.id = c.household_id JOIN accounts_village v ON v.id = h.village_id
    JOIN accounts_township t ON t.id = c.township_id
    LEFT JOIN screening_screening s ON s.couple_id = c.id AND s.is_current"""
STALE = """SELECT p.couple_id FROM screening_pathwaystate p WHERE (p.valid_until <= %(today)s
    OR (p.rank >= 2 AND p.due_on < %(today)s) OR p.computed_on > %(today)s) {where}"""


def _queue_floor(username: str, *, last: bool = False):
    d, nulls = ("DESC", "FIRST") if last else ("ASC", "LAST")

    def floor(ctx):
        p = {"today": timezone.localdate()}
        where = ""
        if username != "clinic":
            p["t"] = ctx.township_id(username)
            where = "AND p.township_id = %(t)s"
        queue = QUEUE.format(where=where)
        order = f"p.rank {d}, p.due_on {d} NULLS {nulls}, p.couple_id {d}"
        return [(STALE.format(where=where), p),
                (f"WITH page AS ({queue} ORDER BY {order} LIMIT {PAGE}) {PAGE_OF_COUPLES}", p),
                (capped(queue), p)]
    return floor


# --- screenings -----------------------------------------------------------------------------------
SCREENING_PAGE = """SELECT page.id, page.exam_date, page.status, page.risk_level, w.name, w.id_number, m.name,
    v.name, t.name FROM page JOIN households_couple c ON c.id = page.couple_id
    JOIN households_person w ON w.id = c.wife_id JOIN households_person m ON m.id = c.husband_id
    JOIN households_household h ON h.id = c.household_id JOIN accounts_village v ON v.id = h.village_id
    JOIN accounts_township t ON t.id = page.township_id"""
NAMED = """SELECT id FROM households_person WHERE string_to_array(lower(name), NULL) @> %(chars)s::text[]
    AND lower(name) LIKE %(like)s"""
COUPLES_NAMED = f"""SELECT id FROM households_couple WHERE wife_id IN ({NAMED})
    UNION SELECT id FROM households_couple WHERE husband_id IN ({NAMED})"""


def _terms(term: str) -> dict:
    return {"like": f"%{term.lower()}%", "chars": sorted(set(term.lower()))}


def _screenings_floor(where: str = "true", *, last: bool = False, params=None):
    d = "ASC" if last else "DESC"

    def floor(ctx):
        p = params or {}
        base = f"SELECT s.id, s.couple_id, s.township_id, s.exam_date, s.status, s.risk_level " \
               f"FROM screening_screening s WHERE NOT s.is_void AND {where}"
        return [(f"WITH page AS ({base} ORDER BY s.exam_date {d}, s.id {d} LIMIT {PAGE}) {SCREENING_PAGE}", p),
                (capped(base), p)]
    return floor


def _find_floor(ctx):
    p = _terms("秀英")
    return [(f"""SELECT c.id, w.name, w.id_number, m.name, m.id_number, v.name, t.name, s.status, s.risk_level
        FROM households_couple c JOIN households_person w ON w.id = c.wife_id
        JOIN households_person m ON m.id = c.husband_id JOIN households_household h ON h.id = c.household_id
        JOIN accounts_village v ON v.id = h.village_id JOIN accounts_township t ON t.id = c.township_id
        LEFT JOIN screening_screening s ON s.couple_id = c.id AND s.is_current
        WHERE NOT c.is_void AND c.id IN ({COUPLES_NAMED}) ORDER BY t.sort_order, v.code, c.id LIMIT 30""", p)]


def _screening_id(ctx):
    return ctx.value("SELECT id FROM screening_screening WHERE outcome_result = '1' AND prenatal_done "
                     "AND risk_level = 'high' ORDER BY id OFFSET 20 LIMIT 1")


def _couple_id(ctx):
    return ctx.value("SELECT s.couple_id FROM screening_screening s WHERE s.is_current AND s.outcome_result = '1' "
                     "AND s.township_id = %s ORDER BY s.id OFFSET 20 LIMIT 1", [ctx.township_id("clerk1")])


# --- rates ----------------------------------------------------------------------------------------
def _period():
    today = timezone.localdate()
    return today.replace(month=1, day=1), today + datetime.timedelta(days=1)


def _rates_floor(ctx):
    return rates_floor(*_period()) + [
        ("SELECT id, name FROM accounts_township WHERE is_active ORDER BY sort_order, code", {})]


def rates_floor(start: datetime.date, end: datetime.date) -> list:
    """Every rate of ``[start, end)`` per township by hand: two statements (couples, screenings).
    Also part of assessment's scorecard and weekly-build floors (bench/assessment/pages.py)."""
    w = settings.SCREENING_WINDOWS
    edd = 280 + w["outcome_after_edd"]
    p = {"start": start, "end": end, "e_s": start - datetime.timedelta(days=w["early_first"]),
         "e_e": end - datetime.timedelta(days=w["early_first"]), "o_s": start - datetime.timedelta(days=edd),
         "o_e": end - datetime.timedelta(days=edd), "p_s": start - datetime.timedelta(days=w["serum_to"]),
         "p_e": end - datetime.timedelta(days=w["serum_to"])}
    couples = """WITH sc AS (SELECT couple_id, bool_or(exam_date >= %(start)s) AS inp, bool_or(exam_date < %(start)s)
            AS before FROM screening_screening WHERE NOT is_void AND status IN ('complete', 'assessed')
            AND exam_date < %(end)s GROUP BY couple_id)
        SELECT c.township_id, count(*) FILTER (WHERE (c.in_register AND c.planned_timing = '1'
            AND sc.before IS NOT TRUE) OR sc.inp), count(*) FILTER (WHERE sc.inp)
        FROM households_couple c LEFT JOIN sc ON sc.couple_id = c.id WHERE NOT c.is_void GROUP BY 1"""
    screenings = """WITH e AS (SELECT DISTINCT screening_id FROM screening_earlypregnancyfollowup
            WHERE NOT is_void AND followed_on < %(end)s AND result IN ('1', '2')),
        o AS (SELECT DISTINCT screening_id FROM screening_outcomefollowup
            WHERE NOT is_void AND followed_on < %(end)s AND result IN ('1', '3')),
        n AS (SELECT DISTINCT screening_id FROM screening_prenatalscreening WHERE NOT is_void AND tested_on < %(end)s)
        SELECT s.township_id,
            count(*) FILTER (WHERE s.exam_date >= %(start)s AND s.exam_date < %(end)s AND s.status = 'assessed'),
            count(*) FILTER (WHERE s.exam_date >= %(start)s AND s.exam_date < %(end)s AND s.status = 'assessed'
                AND s.risk_level = 'high'),
            count(*) FILTER (WHERE s.status = 'assessed' AND s.exam_date >= %(e_s)s AND s.exam_date < %(e_e)s),
            count(e.screening_id) FILTER (WHERE s.status = 'assessed' AND s.exam_date >= %(e_s)s
                AND s.exam_date < %(e_e)s),
            count(*) FILTER (WHERE s.pregnancy_lmp >= %(o_s)s AND s.pregnancy_lmp < %(o_e)s),
            count(o.screening_id) FILTER (WHERE s.pregnancy_lmp >= %(o_s)s AND s.pregnancy_lmp < %(o_e)s),
            count(*) FILTER (WHERE s.pregnancy_lmp >= %(p_s)s AND s.pregnancy_lmp < %(p_e)s),
            count(n.screening_id) FILTER (WHERE s.pregnancy_lmp >= %(p_s)s AND s.pregnancy_lmp < %(p_e)s),
            count(*) FILTER (WHERE s.exam_date >= %(start)s AND s.exam_date < %(end)s
                AND s.status IN ('complete', 'assessed'))
        FROM screening_screening s LEFT JOIN e ON e.screening_id = s.id LEFT JOIN o ON o.screening_id = s.id
        LEFT JOIN n ON n.screening_id = s.id WHERE NOT s.is_void GROUP BY 1"""
    return [(couples, p), (screenings, p)]


def _rate_list_path(key: str, *, last: bool = False) -> str:
    start, end = _period()
    return f"/screening/rates/{key}/?start={start}&end={end}" + ("&page=last" if last else "")


def _high_found_floor(*, last: bool = False):
    start, end = _period()
    return _screenings_floor("s.exam_date >= %(start)s AND s.exam_date < %(end)s AND s.status = 'assessed' "
                             "AND s.risk_level = 'high'", last=last, params={"start": start, "end": end})


SEARCH = "s.couple_id IN (" + COUPLES_NAMED + ")"

PAGES = [
    dict(name="screening queue (clinician) p1", user="clinic", path="/screening/", kind="list",
         floor=_queue_floor("clinic")),
    dict(name="screening queue (clinician) last page", user="clinic", path="/screening/?page=last", kind="deep",
         first="screening queue (clinician) p1", floor=_queue_floor("clinic", last=True)),
    dict(name="screening queue (clerk) p1", user="clerk1", path="/screening/", kind="list",
         floor=_queue_floor("clerk1")),
    dict(name="screening queue (clerk) last page", user="clerk1", path="/screening/?page=last", kind="deep",
         first="screening queue (clerk) p1", floor=_queue_floor("clerk1", last=True)),
    dict(name="screening list p1", user="clinic", path="/screening/screenings/", kind="list",
         floor=_screenings_floor()),
    dict(name="screening list last page", user="clinic", path="/screening/screenings/?page=last", kind="deep",
         first="screening list p1", floor=_screenings_floor(last=True)),
    dict(name="screening list search 秀英", user="clinic", path="/screening/screenings/?q=秀英", kind="search",
         floor=_screenings_floor(SEARCH, params=_terms("秀英"))),
    dict(name="screening find couple 秀英", user="clinic", path="/screening/find/?q=秀英", kind="search",
         floor=_find_floor),
    dict(name="screening detail", user="clinic", path=lambda ctx: f"/screening/screenings/{_screening_id(ctx)}/",
         kind="detail"),
    dict(name="screening couple pathway (clerk)", user="clerk1",
         path=lambda ctx: f"/screening/couples/{_couple_id(ctx)}/", kind="detail"),
    dict(name="screening rates (leader)", user="leader", path="/screening/rates/", kind="stats", floor=_rates_floor),
    dict(name="screening rate list p1 (high risk found)", user="leader", path=_rate_list_path("high_found"),
         kind="list", floor=_high_found_floor()),
    dict(name="screening rate list last page (high risk found)", user="leader",
         path=_rate_list_path("high_found", last=True), kind="deep",
         first="screening rate list p1 (high risk found)", floor=_high_found_floor(last=True)),
]


# --- exports: the county through the worker's code (bench/export_jobs.py) ----------------------
# The floors: the same rows in the same order, hand-written, no masking, labels or sentences.
EXPORT_QUEUE_FLOOR = """
    SELECT t.name, v.name, w.name, w.id_number, m.name, h.phone, s.exam_date, p.step, p.high_risk, p.due_on,
           p.rank, s.status, s.risk_level, s.pregnancy_lmp, s.early_result, s.outcome_result
    FROM screening_pathwaystate p JOIN households_couple c ON c.id = p.couple_id
    JOIN households_person w ON w.id = c.wife_id JOIN households_person m ON m.id = c.husband_id
    JOIN households_household h ON h.id = c.household_id JOIN accounts_village v ON v.id = h.village_id
    JOIN accounts_township t ON t.id = c.township_id
    LEFT JOIN screening_screening s ON s.couple_id = c.id AND s.is_current
    WHERE NOT c.is_void ORDER BY p.rank, p.due_on NULLS LAST, c.id"""
EXPORT_SCREENINGS_FLOOR = """
    SELECT s.exam_date, t.name, v.name, w.name, w.id_number, m.name, m.id_number, s.planned_child_order, s.status,
           s.risk_level,
           (SELECT string_agg(r.subject || f.name || ' ' || coalesce(r.value_number::text, r.value_choice,
                                                                     r.value_text) || r.unit, '；')
            FROM screening_screeningresult r JOIN screening_resultfield f ON f.id = r.field_id
            WHERE r.screening_id = s.id AND r.is_abnormal),
           s.advised_on
    FROM screening_screening s JOIN accounts_township t ON t.id = s.township_id
    JOIN households_couple c ON c.id = s.couple_id JOIN households_person w ON w.id = c.wife_id
    JOIN households_person m ON m.id = c.husband_id JOIN households_household h ON h.id = c.household_id
    JOIN accounts_village v ON v.id = h.village_id
    WHERE NOT s.is_void ORDER BY s.exam_date DESC, s.id DESC"""

EXPORTS = [
    dict(name="screenings with findings, county (clinic)", user="clinic", export="screening.screenings",
         floor=lambda ctx: (EXPORT_SCREENINGS_FLOOR, []), same=(0, 1, 2, 3, 5)),
    dict(name="pathway queue, county (clinic)", user="clinic", export="screening.queue",
         floor=lambda ctx: (EXPORT_QUEUE_FLOOR, []), same=(0, 1, 2, 4, 5, 6)),
]
