"""Full-county data for the register (bench/fullscale.py): households, people, couples, surveys,
专人 assignments, two years of follow-up visits, work groups and their outreach visits.

Scale (200,000 households): ~600,000 people, ~170,000 couples of which ~100,000 in the register,
~1,000,000 visits busier in recent months (the register grew and visits got more regular), ~30,000
outreach visits. Townships are interleaved in id order, as records entered over years are.

The denormalised columns follow the services' rules, checked by ``CHECKS``: a couple's register
status is its latest survey's; its pregnancy status, last visit and next due date are its latest
active visit's (without one: not pregnant, due one interval after the survey); its 专人 is its open
assignment's clerk; every row's township is its parent's.

Rows are built as COPY lines, with "days ago" integers turned into dates through one lookup
table: formatting a million dates one by one would cost more than generating them.
"""
import bisect
import datetime
from array import array

from django.conf import settings

from accounts.demo import FEMALE_CHARS, MALE_CHARS, SURNAMES
from accounts.validators import WEIGHTS, CHECK_CHARS

from accounts.models import Village

from households.models import WorkGroup

BIRTH_AREA_CODES = ["411099", "411099", "411099", "411002", "410102", "411521", "411099", "411099"]
GROUP_NAMES = ["一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组"]
STREETS = ["人民路", "建设路", "文化路", "和平街", "解放路", "新华街", "中山路", "光明街"]
NOTES = [
    "已宣传免费孕前优生健康检查政策，夫妇表示近期去服务站检查。", "已发放叶酸，讲解孕前保健知识。",
    "丈夫外出务工，电话随访妻子，情况稳定。", "已告知产前筛查时间，建议按时产检。", "", "", "",
]
SERVICES = ['["health_education"]', '["screening_referral"]', '["screening_referral", "health_education"]',
            '["prenatal_care"]', '[]']
OUTREACH_CONTENT = ["宣传生育支持政策和免费孕前检查", "了解家庭生育意愿和服务需求", "走访慰问，登记托育服务需求"]
OUTREACH_NEEDS = ["", "", "希望提供托育服务信息", "咨询生育登记办理流程"]
REGISTER_START = 3 * 365 + 40  # days ago: the townships' sheets were imported then
VISIT_WINDOW = 730  # two years of visits

HOUSEHOLD_COLUMNS = ["id", "is_void", "void_reason", "voided_at", "voided_by_id", "version", "created_at",
                     "created_by_id", "updated_at", "township_id", "village_id", "code", "address", "head_name",
                     "phone", "hukou_type", "merged_into_id"]
PERSON_COLUMNS = ["id", "is_void", "void_reason", "voided_at", "voided_by_id", "version", "created_at",
                  "created_by_id", "updated_at", "township_id", "household_id", "name", "id_number", "sex", "birth_date",
                  "relation", "marital_status", "phone"]
COUPLE_COLUMNS = ["id", "is_void", "void_reason", "voided_at", "voided_by_id", "version", "created_at",
                  "created_by_id", "updated_at", "township_id", "household_id", "wife_id", "husband_id",
                  "marriage_date", "boys", "girls", "in_register", "planned_timing", "pregnancy_status",
                  "last_visit_date", "next_visit_due", "responsible_id"]
SURVEY_COLUMNS = ["id", "created_at", "created_by_id", "updated_at", "couple_id", "surveyed_on", "surveyor_id",
                  "planned_timing", "next_child_order", "family_situation", "reasons", "services_wanted", "notes"]
ASSIGNMENT_COLUMNS = ["id", "couple_id", "staff_id", "started_at", "ended_at", "assigned_by_id", "reason"]
VISIT_COLUMNS = ["id", "is_void", "void_reason", "voided_at", "voided_by_id", "created_at", "created_by_id",
                 "updated_at", "township_id", "couple_id", "visit_date", "visitor_id", "pregnancy_status",
                 "last_menstrual_period", "services", "notes", "next_due"]
OUTREACH_COLUMNS = ["id", "created_at", "created_by_id", "updated_at", "township_id", "household_id", "visitor_id",
                    "visit_date", "content", "needs"]
TABLES = ["households_household", "households_person", "households_couple", "households_intentionsurvey",
          "households_assignment", "households_followupvisit", "households_outreachvisit"]


class Days:
    """Dates as "days ago" (negative: in the future) → ISO strings, from a table built once."""

    def __init__(self, today: datetime.date, past: int = 110 * 366, future: int = 400):
        self.future = future
        first = today + datetime.timedelta(days=future)
        self.iso = [(first - datetime.timedelta(days=i)).isoformat() for i in range(past + future)]

    def __call__(self, days_ago: int) -> str:
        return self.iso[days_ago + self.future]

    def compact(self, days_ago: int) -> str:
        return self.iso[days_ago + self.future].replace("-", "")

    def at(self, days_ago: int, seconds: int) -> str:
        return f"{self(days_ago)} {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}+08"


def id_number(area: str, birth: str, sequence: int) -> str:
    first17 = f"{area}{birth}{sequence:03d}"
    return first17 + CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


class _Builder:
    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.rng("households")
        self.days = Days(ctx.today)
        self.clerks = ctx.data["clerks"]
        self.intervals = settings.HOUSEHOLDS_VISIT_INTERVAL_DAYS
        self.used_ids: set[str] = set()
        self.households, self.people, self.couples, self.surveys = [], [], [], []
        self.assignments, self.visits = [], []
        self.household_township = array("l")
        self.village_households: dict[int, list[int]] = {}
        self.person_id = 0

    # --- people ---
    def name(self, sex: str, surname: str | None = None) -> str:
        r = self.rng
        chars = MALE_CHARS if sex == "1" else FEMALE_CHARS
        given = r.choice(chars) + (r.choice(chars) if r.random() < 0.7 else "")
        return (surname or r.choice(SURNAMES)) + given

    def new_id(self, birth_k: int, sex: str) -> str:
        r = self.rng
        birth = self.days.compact(birth_k)
        while True:
            number = id_number(r.choice(BIRTH_AREA_CODES), birth, r.randrange(500) * 2 + (sex == "1"))
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        return f"1{self.rng.choice('35789')}{self.rng.randrange(10**9):09d}"

    def person(self, hid, township, created, clerk, name, sex, birth_k, relation, marital, phone, void=False) -> int:
        self.person_id += 1
        void_cols = ("t", "迁出", created, str(clerk)) if void else ("f", "", "\\N", "\\N")
        self.people.append("\t".join((
            str(self.person_id), *void_cols, "1", created, str(clerk), created, str(township), str(hid), name,
            self.new_id(birth_k, sex), sex, self.days(birth_k), relation, marital, phone)))
        return self.person_id

    # --- households ---
    def build(self):
        ctx, r, days = self.ctx, self.rng, self.days
        townships = ctx.data["townships"]
        cum = []
        for t in townships:
            cum.append((cum[-1] if cum else 0) + t["households"])
        village_kind = {v["id"]: v["kind"] for v in ctx.data["villages"]}
        village_code = dict(Village.objects.values_list("id", "code"))
        village_cum = {}
        for t in townships:
            acc, weights = 0.0, []
            for v in t["villages"]:
                acc += r.uniform(0.4, 1.8) * (1.5 if village_kind[v] == "community" else 1.0)
                weights.append(acc)
            village_cum[t["id"]] = weights
        serial: dict[int, int] = {}
        n = ctx.households
        low, high = settings.HOUSEHOLDS_WIFE_AGE_RANGE
        for hid in range(1, n + 1):
            t = townships[bisect.bisect_right(cum, r.random() * cum[-1])]
            weights = village_cum[t["id"]]
            village = t["villages"][bisect.bisect_right(weights, r.random() * weights[-1])]
            serial[village] = serial.get(village, 0) + 1
            # 60% came with the sheets imported when the register began, the rest since, in id order.
            if hid <= n * 0.6:
                created_k = REGISTER_START - int(14 * hid / (n * 0.6))
            else:
                created_k = int((REGISTER_START - 15) * (n - hid) / (n * 0.4)) + 1
            created = days.at(created_k, 8 * 3600 + hid * 7 % (9 * 3600))
            clerk = r.choice(self.clerks[t["id"]])
            group = serial[village] % 6 + 1
            surname = r.choice(SURNAMES)
            husband_name = self.name("1", surname)
            phone = self.phone()
            if village_kind[village] == "community":
                address = f"{r.choice(STREETS)}{r.randint(1, 300)}号{r.randint(1, 6)}单元"
                hukou = r.choice("12")
            else:
                address = f"{GROUP_NAMES[group - 1]}{r.randint(1, 80)}号"
                hukou = "2"
            void = r.random() < 0.005
            void_cols = ("t", "重复登记", created, str(clerk)) if void else ("f", "", "\\N", "\\N")
            self.households.append("\t".join((
                str(hid), *void_cols, "1", created, str(clerk), created, str(t["id"]), str(village),
                f"{village_code[village]}{group:02d}{serial[village]:04d}", address, husband_name, phone, hukou,
                "\\N")))
            self.household_township.append(t["id"])
            self.village_households.setdefault(village, []).append(hid)
            # Members: the husband (head), the wife, children, sometimes a parent.
            wife_age = r.randint(20, 49) if r.random() < 0.88 else r.randint(50, 62)
            wife_k = wife_age * 365 + r.randrange(365)
            husband_k = wife_k + r.randint(-1, 5) * 365 + r.randrange(365)
            married_k = max(30, wife_k - r.randint(21, 27) * 365)
            husband = self.person(hid, t["id"], created, clerk, husband_name, "1", husband_k, "0", "21", phone)
            wife = self.person(hid, t["id"], created, clerk, self.name("2"), "2", wife_k, "1", "21", self.phone())
            boys = girls = 0
            child_k = married_k - r.randint(300, 900)
            for _child in range(r.choice((0, 1, 1, 1, 2, 2))):
                if child_k < 30:
                    break
                sex = r.choice("12")
                self.person(hid, t["id"], created, clerk, self.name(sex, surname), sex, child_k, "2" if sex == "1" else "3",
                            "10", "", void=r.random() < 0.004)
                boys += sex == "1"
                girls += sex == "2"
                child_k -= r.randint(700, 1800)
            if r.random() < 0.25 and husband_k + 26 * 365 < 95 * 365:
                self.person(hid, t["id"], created, clerk, surname + r.choice(MALE_CHARS) + r.choice(MALE_CHARS), "1",
                            husband_k + r.randint(23, 32) * 365, "5", "20", "", void=r.random() < 0.004)
            if void or not (low <= wife_age <= high) or r.random() < 0.05:
                continue
            self.couple(hid, t["id"], created_k, clerk, wife, husband, married_k, boys, girls)

    # --- couples, surveys, assignments, visits ---
    def couple(self, hid, township, created_k, clerk, wife, husband, married_k, boys, girls):
        r, days = self.rng, self.days
        cid = len(self.couples) + 1
        # Registered as a couple with the household or later (not in the future).
        couple_k = max(0, created_k - (0 if r.random() < 0.7 else r.randint(0, max(created_k - 1, 0))))
        created = days.at(couple_k, 9 * 3600 + cid * 13 % (8 * 3600))
        state = dict(in_register=False, timing="", status="not_pregnant", last="\\N", due="\\N", responsible="\\N")
        void = r.random() < 0.01
        if not void and r.random() < 0.9:
            self.survey_couple(cid, township, couple_k, clerk, boys + girls + 1, state)
        void_cols = ("t", "重复登记", created, str(clerk)) if void else ("f", "", "\\N", "\\N")
        self.couples.append("\t".join((
            str(cid), *void_cols, "1", created, str(clerk), created, str(township), str(hid), str(wife), str(husband),
            days(married_k), str(boys), str(girls), "t" if state["in_register"] else "f", state["timing"],
            state["status"], state["last"], state["due"], state["responsible"])))

    def survey(self, cid, k, surveyor, timing, order):
        r = self.rng
        at = self.days.at(k, 10 * 3600 + cid % 7 * 1800)
        self.surveys.append("\t".join((
            str(len(self.surveys) + 1), at, str(surveyor), at, str(cid), self.days(k), str(surveyor), timing,
            str(order), r.choice(("good", "average", "average", "difficult")),
            r.choice(('["lonely"]', '["both", "elders"]', '["old_age"]', '["lonely", "both"]')),
            r.choice(('["pre_pregnancy"]', '["prenatal", "guidance"]', '["childcare"]')), "")))

    def survey_couple(self, cid, township, couple_k, clerk, order, state):
        r = self.rng
        clerks = self.clerks[township]
        latest_k = max(0, min(couple_k, int(r.random() ** 0.7 * REGISTER_START)))
        if latest_k + 200 < couple_k and r.random() < 0.4:  # an earlier survey, a year or so before
            self.survey(cid, r.randint(latest_k + 150, couple_k), r.choice(clerks), r.choice("12345"), order)
        surveyor = r.choice(clerks)
        timing = r.choices("12345", weights=(24, 20, 14, 8, 34))[0]
        self.survey(cid, latest_k, surveyor, timing, order)
        state["timing"] = timing
        if timing == "5":
            return
        state["in_register"] = True
        responsible = surveyor
        # Some couples changed 专人 since (a clerk moved on); visits before that were the earlier one's.
        handover_k = r.randint(0, latest_k) if r.random() < 0.1 and latest_k > 30 else None
        if handover_k is not None:
            responsible = r.choice(clerks)
            self.assign(cid, surveyor, latest_k, handover_k, "摸底登记人")
            self.assign(cid, responsible, handover_k, None, "工作调整")
        else:
            self.assign(cid, surveyor, latest_k, None, "摸底登记人")
        state["responsible"] = str(responsible)
        self.visit_couple(cid, township, latest_k, surveyor, responsible, handover_k, state)

    def assign(self, cid, staff, start_k, end_k, reason):
        ended = self.days.at(end_k, 9 * 3600) if end_k is not None else "\\N"
        self.assignments.append("\t".join((
            str(len(self.assignments) + 1), str(cid), str(staff), self.days.at(start_k, 9 * 3600), ended, str(staff),
            reason)))

    def visit_couple(self, cid, township, entry_k, first_clerk, responsible, handover_k, state):
        r, days, intervals = self.rng, self.days, self.intervals
        status, lmp_k = "not_pregnant", None
        # A few couples stopped being visited at some point: they are the long-overdue ones.
        stop_k = r.randint(60, 400) if r.random() < 0.1 else -1
        # Most couples were on the townships' sheets before their latest (yearly) survey: their
        # visits began before it.
        start_k = entry_k + (r.randint(0, 400) if r.random() < 0.6 else 0)
        k = min(start_k - r.randint(10, 60), VISIT_WINDOW - r.randint(0, 60))
        last = None
        while k >= 0 and k > stop_k:
            if status == "pregnant":
                if lmp_k - k >= 275:
                    status = "delivered" if r.random() < 0.97 else "terminated"
            elif status in ("delivered", "terminated"):
                status = "not_pregnant"
            elif r.random() < 0.07:
                status, lmp_k = "pregnant", k + r.randint(35, 80)
            due_k = k - intervals[status]
            visitor = first_clerk if handover_k is not None and k > handover_k else responsible
            vid = len(self.visits) + 1
            at = days.at(k, 9 * 3600 + vid % 9 * 3600)
            lmp = days(lmp_k) if status == "pregnant" else "\\N"
            self.visits.append(f"{vid}\tf\t\t\\N\t\\N\t{at}\t{visitor}\t{at}\t{township}\t{cid}\t{days(k)}\t{visitor}\t"
                               f"{status}\t{lmp}\t{r.choice(SERVICES)}\t{r.choice(NOTES)}\t{days(due_k)}")
            if r.random() < 0.004:  # entered twice by mistake; the copy was voided
                vid += 1
                self.visits.append(f"{vid}\tt\t录入错误\t{at}\t{visitor}\t{at}\t{visitor}\t{at}\t{township}\t{cid}\t"
                                   f"{days(k)}\t{visitor}\t{status}\t{lmp}\t[]\t\t{days(due_k)}")
            last = (k, status, due_k)
            # Visits come around the due date; the older, the sparser (the programme grew).
            k -= max(7, int(intervals[status] * r.uniform(0.35, 0.9) * (1 + 0.5 * k / VISIT_WINDOW)))
        if last is None:
            state["due"] = days(entry_k - intervals["not_pregnant"])
        else:
            state["last"], state["status"], state["due"] = days(last[0]), last[1], days(last[2])

    # --- outreach ---
    def outreach(self, groups):
        r, days = self.rng, self.days
        rows = []
        count = int(30_000 * self.ctx.factor)
        for i in range(1, count + 1):
            members, village_ids = groups[r.randrange(len(groups))]
            village = r.choice(village_ids)
            hid = r.choice(self.village_households[village])
            k = int(VISIT_WINDOW * r.random() ** 1.4)
            visitor = r.choice(members)
            at = days.at(k, 9 * 3600 + i % 8 * 3600)
            rows.append((i, at, visitor, at, self.household_township[hid - 1], hid, visitor, days(k),
                         r.choice(OUTREACH_CONTENT), r.choice(OUTREACH_NEEDS)))
        return rows


def _work_groups(ctx, builder) -> list[tuple[list[int], list[int]]]:
    """Six groups of four bureau staff, each linked to eight villages; ``bureau`` is in the first,
    linked to villages of the first two townships, as in the small demo."""
    r = ctx.rng("households.groups")
    bureau = ctx.data["bureau"]
    townships = ctx.data["townships"]
    with_households = [v for t in townships for v in t["villages"] if v in builder.village_households]
    r.shuffle(with_households)
    first = [v for t in townships[:2] for v in t["villages"][:4] if v in builder.village_households]
    pool = [v for v in with_households if v not in first] or with_households
    groups = []
    for g in range(6):
        members = bureau[g * 4:(g + 1) * 4]
        # A small test county has fewer villages than groups × 8: groups then share villages.
        villages = first if g == 0 else sorted({pool[i % len(pool)] for i in range((g - 1) * 8, g * 8)})
        group = WorkGroup.objects.create(name=f"第{g + 1}工作组（包村联户）")
        group.members.set(members)
        group.villages.set(villages)
        groups.append((members, villages))
    return groups


def generate(ctx) -> None:
    builder = _Builder(ctx)
    builder.build()
    groups = _work_groups(ctx, builder)
    outreach = builder.outreach(groups)
    with ctx.fresh_tables(*TABLES):
        ctx.load("households_household", HOUSEHOLD_COLUMNS, builder.households)
        ctx.load("households_person", PERSON_COLUMNS, builder.people)
        ctx.load("households_couple", COUPLE_COLUMNS, builder.couples)
        ctx.load("households_intentionsurvey", SURVEY_COLUMNS, builder.surveys)
        ctx.load("households_assignment", ASSIGNMENT_COLUMNS, builder.assignments)
        ctx.load("households_followupvisit", VISIT_COLUMNS, builder.visits)
        ctx.load("households_outreachvisit", OUTREACH_COLUMNS, outreach)
    ctx.say(f"  {len(builder.households)} households, {len(builder.people)} people, {len(builder.couples)} couples, "
            f"{len(builder.surveys)} surveys, {len(builder.visits)} visits, {len(outreach)} outreach visits")
    township_of = builder.household_township
    ctx.add_audit_objects(object_type="households.household", ids=range(1, len(township_of) + 1),
                          township_ids=township_of, weight=0.55,
                          actions={"view": 80, "update": 12, "create": 5, "export": 1, "delete": 0.5})
    couple_townships = array("l", (int(line.split("\t", 10)[9]) for line in builder.couples))
    ctx.add_audit_objects(object_type="households.couple", ids=range(1, len(couple_townships) + 1),
                          township_ids=couple_townships, weight=0.45,
                          actions={"view": 60, "update": 15, "create": 20, "delete": 0.5})


# --- rules the services keep, as queries for violations (bench/check_data.py) -----------------------
_LATEST_SURVEY = """(SELECT DISTINCT ON (couple_id) couple_id, planned_timing, surveyed_on
    FROM households_intentionsurvey ORDER BY couple_id, surveyed_on DESC, id DESC)"""
_LATEST_VISIT = """(SELECT DISTINCT ON (couple_id) couple_id, pregnancy_status, visit_date, next_due
    FROM households_followupvisit WHERE NOT is_void ORDER BY couple_id, visit_date DESC, id DESC)"""
_ID_CHECK = """(SELECT substr('10X98765432', (1 + sum(substr(p.id_number, i::int, 1)::int * w) % 11)::int, 1)
    FROM unnest('{7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2}'::int[]) WITH ORDINALITY AS t(w, i))"""

CHECKS = {
    "household township is not its village's": """SELECT count(*) FROM households_household h
        JOIN accounts_village v ON v.id = h.village_id WHERE h.township_id <> v.township_id""",
    "person township is not its household's": """SELECT count(*) FROM households_person p
        JOIN households_household h ON h.id = p.household_id WHERE p.township_id <> h.township_id""",
    "ID number with a wrong check character, birth date or sex": f"""SELECT count(*) FROM households_person p
        WHERE p.id_number <> '' AND (length(p.id_number) <> 18 OR {_ID_CHECK} <> right(p.id_number, 1)
        OR to_date(substr(p.id_number, 7, 8), 'YYYYMMDD') <> p.birth_date
        OR (substr(p.id_number, 17, 1)::int % 2 = 1) <> (p.sex = '1'))""",
    "active household without exactly one head named as on the household": """SELECT count(*)
        FROM households_household h WHERE NOT h.is_void AND (SELECT count(*) FROM households_person p
        WHERE p.household_id = h.id AND NOT p.is_void AND p.relation = '0' AND p.name = h.head_name) <> 1""",
    "couple township is not its household's, or a spouse lives in another township": """SELECT count(*)
        FROM households_couple c JOIN households_household h ON h.id = c.household_id
        JOIN households_person w ON w.id = c.wife_id JOIN households_household wh ON wh.id = w.household_id
        JOIN households_person m ON m.id = c.husband_id JOIN households_household mh ON mh.id = m.household_id
        WHERE c.township_id <> h.township_id OR wh.township_id <> c.township_id
        OR mh.township_id <> c.township_id""",
    "couple with a wife not a woman of 15-49 when registered, or a husband not a man": """SELECT count(*)
        FROM households_couple c JOIN households_person w ON w.id = c.wife_id
        JOIN households_person m ON m.id = c.husband_id
        WHERE w.sex <> '2' OR m.sex <> '1'
        OR extract(year FROM age((c.created_at AT TIME ZONE 'Asia/Shanghai')::date, w.birth_date)) NOT BETWEEN 15 AND 49""",
    "man in two active couples": """SELECT count(*) FROM (SELECT husband_id FROM households_couple
        WHERE NOT is_void GROUP BY husband_id HAVING count(*) > 1) s""",
    "active couple in a void household or with a void spouse": """SELECT count(*) FROM households_couple c
        JOIN households_household h ON h.id = c.household_id JOIN households_person w ON w.id = c.wife_id
        JOIN households_person m ON m.id = c.husband_id
        WHERE NOT c.is_void AND (h.is_void OR w.is_void OR m.is_void)""",
    "register status or planned timing is not the latest survey's": f"""SELECT count(*)
        FROM households_couple c LEFT JOIN {_LATEST_SURVEY} s ON s.couple_id = c.id
        WHERE c.planned_timing <> COALESCE(s.planned_timing, '')
        OR c.in_register <> COALESCE(s.planned_timing IN ('1', '2', '3', '4'), false)""",
    "couple in the register whose visit columns are not its latest active visit's": f"""SELECT count(*)
        FROM households_couple c LEFT JOIN {_LATEST_VISIT} v ON v.couple_id = c.id
        LEFT JOIN {_LATEST_SURVEY} s ON s.couple_id = c.id
        WHERE c.in_register AND NOT c.is_void AND (CASE WHEN v.couple_id IS NULL THEN
            c.pregnancy_status <> 'not_pregnant' OR c.last_visit_date IS NOT NULL
            OR c.next_visit_due IS DISTINCT FROM s.surveyed_on + {settings.HOUSEHOLDS_VISIT_INTERVAL_DAYS['not_pregnant']}
        ELSE c.pregnancy_status <> v.pregnancy_status OR c.last_visit_date IS DISTINCT FROM v.visit_date
            OR c.next_visit_due IS DISTINCT FROM v.next_due END)""",
    "couple in the register whose 专人 is not its open assignment's active clerk of its township": """
        SELECT count(*) FROM households_couple c LEFT JOIN households_assignment a
        ON a.couple_id = c.id AND a.ended_at IS NULL LEFT JOIN accounts_user u ON u.id = c.responsible_id
        WHERE c.in_register AND NOT c.is_void AND (a.staff_id IS DISTINCT FROM c.responsible_id
        OR u.role <> 'clerk' OR u.township_id <> c.township_id OR NOT u.is_active)""",
    "void couple with an open assignment": """SELECT count(*) FROM households_couple c
        JOIN households_assignment a ON a.couple_id = c.id AND a.ended_at IS NULL WHERE c.is_void""",
    "visit township is not its couple's, or the couple is not in the register": """SELECT count(*)
        FROM households_followupvisit v JOIN households_couple c ON c.id = v.couple_id
        WHERE v.township_id <> c.township_id OR NOT c.in_register""",
    "visit in the future, pregnant without a last period, or a last period after the visit": """
        SELECT count(*) FROM households_followupvisit WHERE visit_date > (now() AT TIME ZONE 'Asia/Shanghai')::date
        OR (pregnancy_status = 'pregnant' AND (last_menstrual_period IS NULL
            OR last_menstrual_period > visit_date))
        OR (pregnancy_status <> 'pregnant' AND last_menstrual_period IS NOT NULL)""",
    "outreach township is not its household's, or its visitor is not linked to the village": """
        SELECT count(*) FROM households_outreachvisit o JOIN households_household h ON h.id = o.household_id
        WHERE o.township_id <> h.township_id OR NOT EXISTS (SELECT 1 FROM households_workgroup g
            JOIN households_workgroup_members gm ON gm.workgroup_id = g.id
            JOIN households_workgroup_villages gv ON gv.workgroup_id = g.id
            WHERE g.is_active AND gm.user_id = o.visitor_id AND gv.village_id = h.village_id)""",
}
