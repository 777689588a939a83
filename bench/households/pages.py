"""Pages of the register timed by ``make bench``, each with its SQL floor (contract: bench/README.md).

The floors are the smallest SQL a person would write by hand for what the page shows: the page's
rows with what each row displays, and the total the page prints. They use the same indexes the
product may use, so a page far above its floor is doing work the data does not require.
"""
import datetime

from django.utils import timezone

PAGE = 25
HH_ROW = """h.id, h.head_name, h.phone, h.hukou_type, h.is_void, h.address, v.name"""
MEMBERS = """SELECT p.household_id, p.name, p.relation, p.id_number FROM households_person p
    WHERE p.household_id IN (SELECT id FROM page) AND NOT p.is_void"""


def _township(ctx, username="clerk1"):
    return ctx.township_id(username)


def _households_floor(where: str, *, params=None, last: bool = False):
    """Household list: a page of households in village order with their active members, and the total."""
    d = "DESC" if last else "ASC"

    def floor(ctx):
        p = {"t": _township(ctx), **(params(ctx) if params else {})}
        page = (f"SELECT {HH_ROW} FROM households_household h JOIN accounts_village v ON v.id = h.village_id "
                f"WHERE h.township_id = %(t)s AND NOT h.is_void AND {where} "
                f"ORDER BY v.code {d}, h.address {d}, h.id {d} LIMIT {PAGE}")
        return [(f"WITH page AS ({page}) SELECT * FROM page LEFT JOIN ({MEMBERS}) m ON m.household_id = page.id", p),
                (capped(f"SELECT 1 FROM households_household h WHERE h.township_id = %(t)s AND NOT h.is_void "
                        f"AND {where}"), p)]
    return floor


def capped(select: str) -> str:
    """The page's total: counted up to 1,000 rows, as the lists show it ("1,000+")."""
    return f"SELECT count(*) FROM ({select} LIMIT 1001) s"


# People of the clerk's township matching a term, then their households. Names are matched on
# their characters' GIN index (core/search.py) and rechecked with LIKE.
PERSON_IN_TOWNSHIP = """SELECT p.household_id FROM households_person p
    WHERE p.township_id = %(t)s AND NOT p.is_void AND {match}"""
NAME = "(string_to_array(lower({c}), NULL) @> %(chars)s::text[] AND lower({c}) LIKE %(like)s)"
NAME_SEARCH = (f"h.id IN ({PERSON_IN_TOWNSHIP.format(match=NAME.format(c='p.name'))} UNION "
               f"SELECT id FROM households_household WHERE township_id = %(t)s AND {NAME.format(c='head_name')})")
ID_SEARCH = f"h.id IN ({PERSON_IN_TOWNSHIP.format(match='p.id_number = %(term)s')})"
TAIL_SEARCH = (f"h.id IN ({PERSON_IN_TOWNSHIP.format(match='right(p.id_number, 4) = %(term)s')} UNION "
               f"{PERSON_IN_TOWNSHIP.format(match='p.phone LIKE %(like)s')} UNION "
               "SELECT id FROM households_household WHERE township_id = %(t)s AND phone LIKE %(like)s)")
PHONE_SEARCH = (f"h.id IN ({PERSON_IN_TOWNSHIP.format(match='p.phone LIKE %(like)s')} UNION "
                "SELECT id FROM households_household WHERE township_id = %(t)s AND phone LIKE %(like)s)")


def _terms(term: str) -> dict:
    return {"like": f"%{term.lower()}%", "term": term, "chars": sorted(set(term.lower()))}


def _like(term):
    return lambda ctx: _terms(term)


def _sample(ctx, column: str) -> str:
    """A value of one person in clerk1's township, the same every run (the 2000th by id; the
    middle one in a township of fewer, as in tests/bench's small county)."""
    people = ("FROM households_person p JOIN households_household h ON h.id = p.household_id "
              "WHERE h.township_id = %s AND NOT p.is_void AND p.phone <> ''")
    offset = min(2000, ctx.value(f"SELECT count(*) {people}", [_township(ctx)]) // 2)
    return ctx.value(f"SELECT p.{column} {people} ORDER BY p.id OFFSET %s LIMIT 1", [_township(ctx), offset])


def _search(column, transform=lambda v: v):
    def path(ctx):
        return f"/households/?q={transform(_sample(ctx, column))}"
    return path


def _search_params(column, transform=lambda v: v):
    def params(ctx):
        return _terms(transform(_sample(ctx, column)))
    return params


def _last_page(base: str) -> str:
    return f"{base}{'&' if '?' in base else '?'}page=last"


# --- the register, visits and due lists ------------------------------------------------------------
COUPLE_ROW = """c.id, c.planned_timing, c.pregnancy_status, c.next_visit_due, w.name, w.id_number, m.name,
    m.id_number, hv.name, h.address, r.name"""
COUPLE_JOINS = """JOIN households_person w ON w.id = c.wife_id JOIN households_person m ON m.id = c.husband_id
    JOIN households_household h ON h.id = c.household_id JOIN accounts_village hv ON hv.id = h.village_id"""
PEOPLE_NAMED = f"""SELECT p.id FROM households_person p
    WHERE p.township_id = %(t)s AND NOT p.is_void AND {NAME.format(c='p.name')}"""
COUPLES_OF = f"""SELECT c2.id FROM households_couple c2 WHERE c2.township_id = %(t)s AND c2.wife_id IN ({PEOPLE_NAMED})
    UNION SELECT c2.id FROM households_couple c2 WHERE c2.township_id = %(t)s AND c2.husband_id IN ({PEOPLE_NAMED})"""


def _register_floor(where="true", *, params=None, last=False, order="c.next_visit_due {d}, c.id {d}"):
    d = "DESC" if last else "ASC"

    def floor(ctx):
        p = {"t": _township(ctx), **(params(ctx) if params else {})}
        where_all = f"c.township_id = %(t)s AND c.in_register AND NOT c.is_void AND {where}"
        return [(f"SELECT {COUPLE_ROW} FROM households_couple c {COUPLE_JOINS} "
                 f"LEFT JOIN accounts_user r ON r.id = c.responsible_id WHERE {where_all} "
                 f"ORDER BY {order.format(d=d)} LIMIT {PAGE}", p),
                (capped(f"SELECT 1 FROM households_couple c WHERE {where_all}"), p)]
    return floor


VISIT_ROW = """x.id, x.visit_date, x.pregnancy_status, x.last_menstrual_period, x.services, x.next_due,
    w.name, w.id_number, m.name, m.id_number, hv.name, vu.name"""


def _visits_floor(where="true", *, params=None, last=False):
    d = "ASC" if last else "DESC"

    def floor(ctx):
        p = {"t": _township(ctx), **(params(ctx) if params else {})}
        base = f"FROM households_followupvisit x WHERE x.township_id = %(t)s AND NOT x.is_void AND {where}"
        return [(f"SELECT {VISIT_ROW} FROM (SELECT x.* {base} ORDER BY x.visit_date {d}, x.id {d} LIMIT {PAGE}) x "
                 f"JOIN households_couple c ON c.id = x.couple_id {COUPLE_JOINS} "
                 f"JOIN accounts_user vu ON vu.id = x.visitor_id ORDER BY x.visit_date {d}, x.id {d}", p),
                (capped(f"SELECT 1 {base}"), p)]
    return floor


def _today(ctx):
    today = timezone.localdate()
    return {"week_end": today + datetime.timedelta(days=6 - today.weekday()), "me": ctx.user("clerk1").pk}


def _stats_floor(ctx):
    today = timezone.localdate()
    p = {"today": today, "month": today.replace(day=1)}
    return [("""WITH hh AS (SELECT township_id, count(*) AS n FROM households_household WHERE NOT is_void GROUP BY 1),
        c AS (SELECT township_id, count(*) AS n, count(*) FILTER (WHERE planned_timing = '1') AS t1,
            count(*) FILTER (WHERE planned_timing = '2') AS t2, count(*) FILTER (WHERE planned_timing = '3') AS t3,
            count(*) FILTER (WHERE planned_timing = '4') AS t4,
            count(*) FILTER (WHERE next_visit_due < %(today)s) AS overdue
            FROM households_couple WHERE in_register AND NOT is_void GROUP BY 1),
        v AS (SELECT township_id, count(*) AS n FROM households_followupvisit
            WHERE NOT is_void AND visit_date BETWEEN %(month)s AND %(today)s GROUP BY 1)
        SELECT t.id, t.name, hh.n, c.n, c.t1, c.t2, c.t3, c.t4, v.n, c.overdue FROM accounts_township t
        LEFT JOIN hh ON hh.township_id = t.id LEFT JOIN c ON c.township_id = t.id
        LEFT JOIN v ON v.township_id = t.id WHERE t.is_active ORDER BY t.sort_order, t.code""", p)]


def _household_id(ctx):
    return ctx.value("SELECT id FROM households_household WHERE township_id = %s AND NOT is_void ORDER BY id "
                     "OFFSET 3000 LIMIT 1", [_township(ctx)])


def _couple_id(ctx):
    return ctx.value("SELECT id FROM households_couple WHERE township_id = %s AND in_register AND NOT is_void "
                     "ORDER BY id OFFSET 3000 LIMIT 1", [_township(ctx)])


# --- exports: a whole township through the worker's code (bench/export_jobs.py) ------------------
# The floor: the same rows and columns in the same order, hand-written, no masking or labels.
EXPORT_HOUSEHOLDS_FLOOR = """
    SELECT v.name, h.code, h.address, h.head_name,
           (SELECT p.id_number FROM households_person p WHERE p.household_id = h.id AND NOT p.is_void
              AND p.relation = '0' AND p.name = h.head_name ORDER BY p.id LIMIT 1),
           h.phone, h.hukou_type,
           (SELECT count(*) FROM households_person p WHERE p.household_id = h.id AND NOT p.is_void),
           (SELECT count(*) FROM households_couple c WHERE c.household_id = h.id AND NOT c.is_void),
           h.created_at::date, h.is_void
    FROM households_household h JOIN accounts_village v ON v.id = h.village_id
    WHERE h.township_id = %s AND NOT h.is_void ORDER BY v.code, h.address, h.id"""
EXPORT_VISITS_FLOOR = """
    SELECT f.visit_date, v.name, h.address, w.name, w.id_number, m.name, f.pregnancy_status,
           f.last_menstrual_period, f.services::text, f.notes, f.next_due, u.name
    FROM households_followupvisit f JOIN households_couple c ON c.id = f.couple_id
    JOIN households_household h ON h.id = c.household_id JOIN accounts_village v ON v.id = h.village_id
    JOIN households_person w ON w.id = c.wife_id JOIN households_person m ON m.id = c.husband_id
    JOIN accounts_user u ON u.id = f.visitor_id
    WHERE f.township_id = %s AND NOT f.is_void ORDER BY f.visit_date DESC, f.id DESC"""


def _reset_export_jobs(ctx, username="clerk1"):
    """Before each timed request: none of the user's jobs queued, so the request queues a new one
    (an identical queued job would be returned at once, and three would refuse a fourth)."""
    from core.models import ExportJob

    ExportJob.objects.filter(owner=ctx.user(username)).delete()


EXPORTS = [
    dict(name="households, largest township (clerk1)", user="clerk1", export="households.households",
         floor=lambda ctx: (EXPORT_HOUSEHOLDS_FLOOR, [_township(ctx)]), same=(0, 1, 2, 3)),
    dict(name="follow-up visits, largest township (clerk1)", user="clerk1", export="households.visits",
         floor=lambda ctx: (EXPORT_VISITS_FLOOR, [_township(ctx)]), same=(0, 1, 2, 3, 5)),
]


DUE_WHERE = "c.next_visit_due <= %(week_end)s"
BUREAU_VILLAGES = """SELECT gv.village_id FROM households_workgroup_villages gv
    JOIN households_workgroup g ON g.id = gv.workgroup_id JOIN households_workgroup_members gm
    ON gm.workgroup_id = g.id JOIN accounts_user u ON u.id = gm.user_id WHERE g.is_active AND u.username = 'bureau'"""

PAGES = [
    dict(name="household list p1", user="clerk1", path="/households/", kind="list",
         floor=_households_floor("true")),
    dict(name="household list last page", user="clerk1", path=_last_page("/households/"), kind="deep",
         first="household list p1", floor=_households_floor("true", last=True)),
    dict(name="household search 王 (1 char)", user="clerk1", path="/households/?q=王", kind="search",
         floor=_households_floor(NAME_SEARCH, params=_like("王"))),
    dict(name="household search 秀英 (2 chars)", user="clerk1", path="/households/?q=秀英", kind="search",
         floor=_households_floor(NAME_SEARCH, params=_like("秀英"))),
    dict(name="household search full ID", user="clerk1", path=_search("id_number"), kind="search",
         floor=_households_floor(ID_SEARCH, params=_search_params("id_number"))),
    dict(name="household search last 4 of ID", user="clerk1", path=_search("id_number", lambda v: v[-4:]),
         kind="search", floor=_households_floor(TAIL_SEARCH, params=_search_params("id_number", lambda v: v[-4:]))),
    dict(name="household search phone (7 digits)", user="clerk1", path=_search("phone", lambda v: v[3:10]),
         kind="search", floor=_households_floor(PHONE_SEARCH, params=_search_params("phone", lambda v: v[3:10]))),
    dict(name="household detail", user="clerk1", path=lambda ctx: f"/households/{_household_id(ctx)}/",
         kind="detail"),
    dict(name="register p1", user="clerk1", path="/households/register/", kind="list", floor=_register_floor()),
    dict(name="register last page", user="clerk1", path=_last_page("/households/register/"),
         kind="deep", first="register p1", floor=_register_floor(last=True)),
    dict(name="register search 秀英", user="clerk1", path="/households/register/?q=秀英", kind="search",
         floor=_register_floor(f"c.id IN ({COUPLES_OF})", params=_like("秀英"))),
    dict(name="couple detail", user="clerk1", path=lambda ctx: f"/households/couples/{_couple_id(ctx)}/",
         kind="detail"),
    dict(name="visit list p1", user="clerk1", path="/households/visits/", kind="list", floor=_visits_floor()),
    dict(name="visit list last page", user="clerk1", path=_last_page("/households/visits/"),
         kind="deep", first="visit list p1", floor=_visits_floor(last=True)),
    dict(name="visit search 秀英", user="clerk1", path="/households/visits/?q=秀英", kind="search",
         floor=_visits_floor(f"x.couple_id IN ({COUPLES_OF})", params=_like("秀英"))),
    dict(name="visit list by visitor", user="clerk1",
         path=lambda ctx: f"/households/visits/?visitor={ctx.user('clerk1').pk}", kind="list",
         floor=_visits_floor("x.visitor_id = %(me)s", params=_today)),
    dict(name="due: mine", user="clerk1", path="/households/due/", kind="list",
         floor=_register_floor(f"{DUE_WHERE} AND c.responsible_id = %(me)s", params=_today)),
    dict(name="due: township p1", user="clerk1", path="/households/due/township/", kind="list",
         floor=_register_floor(DUE_WHERE, params=_today)),
    dict(name="outreach households (bureau)", user="bureau", path="/households/outreach/", kind="list",
         floor=lambda ctx: [(f"""WITH page AS (SELECT {HH_ROW} FROM households_household h
             JOIN accounts_village v ON v.id = h.village_id WHERE h.village_id IN ({BUREAU_VILLAGES})
             AND NOT h.is_void ORDER BY v.code, h.address, h.id LIMIT {PAGE})
             SELECT * FROM page LEFT JOIN ({MEMBERS} AND p.relation = '0') m ON m.household_id = page.id""", {}),
             (capped(f"SELECT 1 FROM households_household h WHERE h.village_id IN ({BUREAU_VILLAGES}) "
                     "AND NOT h.is_void"), {})]),
    dict(name="outreach visits (bureau)", user="bureau", path="/households/outreach/visits/", kind="list",
         floor=lambda ctx: [("""SELECT o.id, o.visit_date, o.content, o.needs, h.head_name, h.address, v.name, t.name
             FROM households_outreachvisit o JOIN households_household h ON h.id = o.household_id
             JOIN accounts_village v ON v.id = h.village_id JOIN accounts_township t ON t.id = o.township_id
             WHERE o.visitor_id = %(me)s ORDER BY o.visit_date DESC, o.id DESC LIMIT 25""",
                             {"me": ctx.user("bureau").pk}),
                            (capped("SELECT 1 FROM households_outreachvisit WHERE visitor_id = %(me)s"),
                             {"me": ctx.user("bureau").pk})]),
    dict(name="statistics (leader)", user="leader", path="/households/stats/", kind="stats", floor=_stats_floor),
    # The request that starts a whole township's export: it queues a job and redirects to its page
    # (302); the export itself is timed by bench/export_jobs.py (EXPORTS below).
    dict(name="household export: start (whole township)", user="clerk1", path="/households/export/households/",
         kind="start", before_each=_reset_export_jobs),
    dict(name="visit export: start (whole township)", user="clerk1", path="/households/export/visits/",
         kind="start", before_each=_reset_export_jobs),
]
