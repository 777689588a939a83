"""Enforcement pages timed by ``make bench``, each with its SQL floor (contract: bench/README.md).

Enforcement is county-wide work: every page is read as ``inspector`` over all sixteen townships
(~500 facilities, ~800 devices, ~2,000 tips, ~1,000 cases, ~3,000 inspections). The floors are the
smallest SQL a person would write by hand for what the page shows — the page's rows with what
each row displays, and the total it prints (counted up to 1,000, as the lists do).
"""
import datetime

from django.conf import settings
from django.utils import timezone

PAGE = 25
USER = "inspector"
TERMINAL = "('closed', 'not_filed')"


def capped(select: str) -> str:
    return f"SELECT count(*) FROM ({select} LIMIT 1001) s"


def _last(path: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}page=last"


def _today():
    return timezone.localdate()


# --- 定点机构 ------------------------------------------------------------------------------------
FACILITY_ROW = """f.id, f.name, f.kind, f.licence_number, f.licence_valid_until, f.is_active, f.des_pregnancy_check,
    f.des_termination_surgery, f.des_delivery, f.des_ultrasound, f.des_termination_drugs,
    f.des_contraceptive_surgery, t.name,
    (SELECT count(*) FROM enforcement_ultrasounddevice d WHERE d.facility_id = f.id AND d.is_active)"""


def _facilities_floor(where: str = "true", *, order="t.sort_order {d}, f.name {d}, f.id {d}", last=False,
                      params=None):
    d = "DESC" if last else "ASC"

    def floor(ctx):
        p = {"today": _today(), **(params(ctx) if params else {})}
        base = f"FROM enforcement_facility f JOIN accounts_township t ON t.id = f.township_id WHERE f.is_active AND {where}"
        return [(f"SELECT {FACILITY_ROW} {base} ORDER BY {order.format(d=d)} LIMIT {PAGE}", p),
                (capped(f"SELECT 1 {base}"), p)]
    return floor


EXPIRING = ("f.licence_valid_until BETWEEN %(today)s AND %(today)s + "
            f"{settings.ENFORCEMENT_LICENCE_WARNING_DAYS}")
FACILITY_SEARCH = """f.id IN (SELECT id FROM enforcement_facility WHERE {name}
    UNION SELECT id FROM enforcement_facility WHERE upper(licence_number) LIKE upper(%(like)s)
    UNION SELECT id FROM enforcement_facility WHERE {address})"""

# --- B超机 ---------------------------------------------------------------------------------------
DEVICE_ROW = """d.id, d.model_name, d.serial_number, d.room, d.operators, d.filed_on, d.is_active, f.name,
    f.des_ultrasound, t.name"""


def _devices_floor(ctx):
    base = ("FROM enforcement_ultrasounddevice d JOIN enforcement_facility f ON f.id = d.facility_id "
            "JOIN accounts_township t ON t.id = d.township_id WHERE d.is_active")
    return [(f"SELECT {DEVICE_ROW} {base} ORDER BY t.sort_order, f.name, d.id LIMIT {PAGE}", {}),
            (capped("SELECT 1 FROM enforcement_ultrasounddevice d WHERE d.is_active"), {})]


# --- 举报线索 ------------------------------------------------------------------------------------
def _tips_floor(last=False):
    d = "ASC" if last else "DESC"

    def floor(ctx):
        return [(f"""SELECT x.id, x.year, x.seq, x.received_on, x.channel, x.content, x.status, t.name, c.year, c.seq
            FROM (SELECT id, year, seq, received_on, channel, content, status, township_id FROM enforcement_tip
                ORDER BY received_on {d}, id {d} LIMIT {PAGE}) x
            JOIN accounts_township t ON t.id = x.township_id LEFT JOIN enforcement_case c ON c.tip_id = x.id
            ORDER BY x.received_on {d}, x.id {d}""", {}),
                (capped("SELECT 1 FROM enforcement_tip"), {})]
    return floor


# --- 两非案件 ------------------------------------------------------------------------------------
def _cases_floor(where="true", *, last=False, params=None):
    d = "ASC" if last else "DESC"

    def floor(ctx):
        p = {"today": _today(), **(params(ctx) if params else {})}
        page = (f"SELECT c.id, c.year, c.seq, c.title, c.source, c.status, c.stage_due_on, c.township_id "
                f"FROM enforcement_case c WHERE {where} ORDER BY c.year {d}, c.seq {d} LIMIT {PAGE}")
        return [(f"""WITH page AS ({page}) SELECT page.*, t.name, p.kind, p.name, p.id_number, pf.name
            FROM page JOIN accounts_township t ON t.id = page.township_id
            LEFT JOIN enforcement_caseparty p ON p.case_id = page.id
            LEFT JOIN enforcement_facility pf ON pf.id = p.facility_id
            ORDER BY page.year {d}, page.seq {d}, p.id""", p),
                (capped(f"SELECT 1 FROM enforcement_case c WHERE {where}"), p)]
    return floor


# Titles, person parties and facility parties matching the term, each by its characters' GIN index
# and rechecked with LIKE (core/search.py; the indexes of migration 0002).
CHARS = "(string_to_array(lower({c}), NULL) @> %(chars)s::text[] AND lower({c}) LIKE %(like)s)"
CASE_SEARCH = f"""c.id IN (SELECT id FROM enforcement_case WHERE {CHARS.format(c='title')}
    UNION SELECT case_id FROM enforcement_caseparty WHERE {CHARS.format(c='name')}
    UNION SELECT p.case_id FROM enforcement_caseparty p JOIN enforcement_facility pf ON pf.id = p.facility_id
        WHERE {CHARS.format(c='pf.name')})"""
OVERDUE = f"c.stage_due_on < %(today)s AND c.status NOT IN {TERMINAL}"


def _case_id(ctx):
    """An open case with a long history (the 200th by id among those with five events or more;
    the middle one where there are fewer, as in tests/bench's small county)."""
    long = "SELECT case_id FROM enforcement_caseevent GROUP BY case_id HAVING count(*) >= 5"
    offset = min(200, ctx.value(f"SELECT count(*) FROM ({long}) c") // 2)
    return ctx.value(f"{long} ORDER BY case_id OFFSET %s LIMIT 1", [offset])


def _case_detail_floor(ctx):
    p = {"id": _case_id(ctx)}
    return [("SELECT c.*, t.name FROM enforcement_case c JOIN accounts_township t ON t.id = c.township_id "
             "WHERE c.id = %(id)s", p),
            ("SELECT p.*, f.name FROM enforcement_caseparty p LEFT JOIN enforcement_facility f ON f.id = p.facility_id "
             "WHERE p.case_id = %(id)s ORDER BY p.id", p),
            ("SELECT e.*, u.name FROM enforcement_caseevent e JOIN accounts_user u ON u.id = e.by_id "
             "WHERE e.case_id = %(id)s ORDER BY e.at, e.id", p),
            ("SELECT * FROM enforcement_evidence WHERE case_id = %(id)s ORDER BY uploaded_at, id", p)]


# --- 执法检查 ------------------------------------------------------------------------------------
def _inspections_floor(ctx):
    return [(f"""WITH page AS (SELECT i.id, i.inspected_on, i.problems_found, i.checked_ultrasound_register,
            i.checked_termination_register, i.checked_drug_ledger, f.name AS facility, t.name AS township
            FROM enforcement_inspection i JOIN enforcement_facility f ON f.id = i.facility_id
            JOIN accounts_township t ON t.id = i.township_id ORDER BY i.inspected_on DESC, i.id DESC LIMIT {PAGE})
        SELECT page.*, u.name FROM page JOIN enforcement_inspection_inspectors x ON x.inspection_id = page.id
        JOIN accounts_user u ON u.id = x.user_id ORDER BY page.inspected_on DESC, page.id DESC, u.name""", {}),
            (capped("SELECT 1 FROM enforcement_inspection"), {})]


# --- figures ---------------------------------------------------------------------------------------
def _figures_floor(ctx):
    today = _today()
    p = {"start": today.replace(month=1, day=1), "end": today + datetime.timedelta(days=1),
         "tip_days": settings.ENFORCEMENT_TIP_HANDLE_DAYS}
    return [("""WITH tips AS (SELECT township_id,
            count(*) FILTER (WHERE received_on >= %(start)s AND received_on < %(end)s) AS received,
            count(*) FILTER (WHERE received_on < %(end)s::date - %(tip_days)s
                AND (handled_on IS NULL OR handled_on > received_on + %(tip_days)s)
                AND (handled_on IS NULL OR handled_on >= %(start)s)) AS overdue
            FROM enforcement_tip GROUP BY 1),
        cases AS (SELECT township_id,
            count(*) FILTER (WHERE registered_on >= %(start)s AND registered_on < %(end)s) AS opened,
            count(*) FILTER (WHERE filed_on >= %(start)s AND filed_on < %(end)s) AS filed,
            count(*) FILTER (WHERE filed_on >= %(start)s AND filed_on < %(end)s AND closed_on < %(end)s) AS filed_closed,
            count(*) FILTER (WHERE closed_on >= %(start)s AND closed_on < %(end)s) AS closed,
            sum(closed_on - filed_on) FILTER (WHERE closed_on >= %(start)s AND closed_on < %(end)s) AS days,
            count(*) FILTER (WHERE decided_on >= %(start)s AND decided_on < %(end)s AND outcome_warning) AS warnings,
            count(*) FILTER (WHERE decided_on >= %(start)s AND decided_on < %(end)s AND confiscated_amount > 0) AS conf,
            sum(confiscated_amount) FILTER (WHERE decided_on >= %(start)s AND decided_on < %(end)s) AS conf_sum,
            count(*) FILTER (WHERE decided_on >= %(start)s AND decided_on < %(end)s AND fine_amount > 0) AS fines,
            sum(fine_amount) FILTER (WHERE decided_on >= %(start)s AND decided_on < %(end)s) AS fine_sum,
            count(*) FILTER (WHERE decided_on >= %(start)s AND decided_on < %(end)s AND licence_revoked) AS revoked,
            count(*) FILTER (WHERE referred_on >= %(start)s AND referred_on < %(end)s) AS referrals
            FROM enforcement_case GROUP BY 1)
        SELECT t.id, t.name, tips.*, cases.* FROM accounts_township t LEFT JOIN tips ON tips.township_id = t.id
        LEFT JOIN cases ON cases.township_id = t.id WHERE t.is_active ORDER BY t.sort_order, t.code""", p)]


def _like(term):
    return lambda ctx: {"like": f"%{term.lower()}%", "chars": sorted(set(term.lower()))}


PAGES = [
    dict(name="enf facility list p1", user=USER, path="/enforcement/facilities/", kind="list",
         floor=_facilities_floor()),
    dict(name="enf facility list last page", user=USER, path=_last("/enforcement/facilities/"), kind="deep",
         first="enf facility list p1", floor=_facilities_floor(last=True)),
    dict(name="enf facility search 仁和", user=USER, path="/enforcement/facilities/?q=仁和", kind="search",
         floor=_facilities_floor(FACILITY_SEARCH.format(name=CHARS.format(c="name"), address=CHARS.format(c="address")),
                                 params=_like("仁和"))),
    dict(name="enf licences expiring in 30 days", user=USER, path="/enforcement/facilities/?licence=expiring",
         kind="list", floor=_facilities_floor(EXPIRING, order="f.licence_valid_until {d}, f.id {d}")),
    dict(name="enf device list p1", user=USER, path="/enforcement/devices/", kind="list", floor=_devices_floor),
    dict(name="enf tip list p1", user=USER, path="/enforcement/tips/", kind="list", floor=_tips_floor()),
    dict(name="enf tip list last page", user=USER, path=_last("/enforcement/tips/"), kind="deep",
         first="enf tip list p1", floor=_tips_floor(last=True)),
    dict(name="enf case list p1", user=USER, path="/enforcement/", kind="list", floor=_cases_floor()),
    dict(name="enf case list last page", user=USER, path=_last("/enforcement/"), kind="deep",
         first="enf case list p1", floor=_cases_floor(last=True)),
    dict(name="enf case search 王", user=USER, path="/enforcement/?q=王", kind="search",
         floor=_cases_floor(CASE_SEARCH, params=_like("王"))),
    dict(name="enf overdue cases", user=USER, path="/enforcement/?overdue=1", kind="list",
         floor=_cases_floor(OVERDUE)),
    dict(name="enf case detail", user=USER, path=lambda ctx: f"/enforcement/cases/{_case_id(ctx)}/", kind="detail",
         floor=_case_detail_floor),
    dict(name="enf inspection list p1", user=USER, path="/enforcement/inspections/", kind="list",
         floor=_inspections_floor),
    # Interactive, not "stats": the figures read ~3,000 rows and their floor is a few ms, so the
    # target is the interactive one (≤ 100 ms; ≤ 3× the floor once the floor is above 10 ms).
    dict(name="enf figures per township", user=USER, path="/enforcement/figures/", kind="page",
         floor=_figures_floor),
]


# --- exports: the county through the worker's code (bench/export_jobs.py) ----------------------
# The floors: the same rows in the same order, hand-written, no masking or labels.
EXPORT_CASES_FLOOR = """
    SELECT c.year || '-' || lpad(c.seq::text, 3, '0'), c.registered_on, t.name, c.source, c.title,
           (SELECT string_agg(coalesce(nullif(p.name, ''), pf.name, '') || p.id_number, '；' ORDER BY p.id)
            FROM enforcement_caseparty p LEFT JOIN enforcement_facility pf ON pf.id = p.facility_id
            WHERE p.case_id = c.id),
           c.violation_types::text, c.departments::text, c.status, c.stage_due_on, c.filed_on, c.closed_on,
           c.outcome_warning, c.confiscated_amount, c.fine_amount, c.licence_revoked, c.referred_to_police,
           c.referred_to_discipline
    FROM enforcement_case c JOIN accounts_township t ON t.id = c.township_id
    ORDER BY c.year DESC, c.seq DESC, c.id DESC"""
EXPORT_INSPECTIONS_FLOOR = """
    SELECT i.inspected_on, t.name, f.name,
           (SELECT string_agg(u.name, '、' ORDER BY u.name, u.id) FROM enforcement_inspection_inspectors x
            JOIN accounts_user u ON u.id = x.user_id WHERE x.inspection_id = i.id),
           i.checked_ultrasound_register, i.checked_termination_register, i.checked_drug_ledger, i.problems_found,
           i.findings
    FROM enforcement_inspection i JOIN enforcement_facility f ON f.id = i.facility_id
    JOIN accounts_township t ON t.id = i.township_id ORDER BY i.inspected_on DESC, i.id DESC"""

EXPORTS = [
    dict(name="cases with parties, county (inspector)", user=USER, export="enforcement.cases",
         floor=lambda ctx: (EXPORT_CASES_FLOOR, []), same=(0, 1, 2, 4)),
    dict(name="inspections with inspectors, county (inspector)", user=USER, export="enforcement.inspections",
         floor=lambda ctx: (EXPORT_INSPECTIONS_FLOOR, []), same=(0, 1, 2, 3)),
]
