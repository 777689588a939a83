"""Full-county data for two-non enforcement (bench/fullscale.py): designated facilities and their
licences, filed ultrasound devices, two years of tips, inspections and cases with their parties,
event history and outcomes.

Scale (200,000 households): ~500 facilities, ~800 devices, ~2,000 tips, ~3,000 inspections and
~1,000 cases with ~5,000 events. Smaller counties scale down with ``ctx.factor``, never below a
few dozen of each (the test county of 300 households still has every kind of row).

The rules the services keep, checked by ``CHECKS``:

* numbers (case ``2026-001``, tip ``JB2026-0001``): per year of registration / receipt,
  consecutive from 1 in the order the records were entered, and ``NumberSequence`` at the last;
* a case's stage is its last event's; the events start with "→ 线索登记", each step is one the
  workflow allows, their times increase; ``stage_entered_at`` is the last event's time,
  ``stage_due_on`` its date plus the stage's deadline (none when closed or not filed); the
  milestone dates (立案, 移送, 处理决定, 结案, 不予立案) are the dates of those events;
  ``version`` counts the events;
* a tip turned into a case is 已转案件, handled the day the case was registered by the inspector
  who registered it; a dismissed tip has a reason; rewards only on tips that became cases;
* a case from an inspection: the inspection found a problem, the source is a register it
  checked, its facility is a party; devices and inspections carry their facility's township;
* an inspection has at least two inspectors, among them the one who recorded it.

Some licences run out within 30 days and some have lapsed; a few devices stand at facilities
without the ultrasound designation; some tips are pending past their deadline and some open cases
are past their stage's deadline (the overdue lists). No evidence rows: ``Evidence`` rows stand for
files in storage whose SHA-256 is checked on download, and the generator writes no files (a row
without its file would be shown as tampered).

Inspectors: the county's ``inspector`` plus ``inspector2`` … ``inspector8`` (demo password).
"""
import datetime
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from accounts.demo import DEMO_PASSWORD, demo_name
from accounts.models import Township, User
from accounts.roles import Role
from accounts.validators import CHECK_CHARS, WEIGHTS

from enforcement.models import TERMINAL, TRANSITIONS, CaseStatus
from enforcement.models.cases import stage_deadline_days

S = CaseStatus
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
EXTRA_INSPECTORS = 7

TABLES = ["enforcement_facility", "enforcement_ultrasounddevice", "enforcement_inspection",
          "enforcement_inspection_inspectors", "enforcement_tip", "enforcement_case", "enforcement_caseparty",
          "enforcement_caseevent", "enforcement_evidence", "enforcement_numbersequence"]
FACILITY_COLUMNS = ["id", "version", "created_at", "created_by_id", "updated_at", "township_id", "name", "kind",
                    "address", "contact_person", "phone", "licence_number", "licence_valid_from", "licence_valid_until",
                    "des_pregnancy_check", "des_termination_surgery", "des_delivery", "des_ultrasound",
                    "des_termination_drugs", "des_contraceptive_surgery", "is_active", "closed_reason", "notes"]
DEVICE_COLUMNS = ["id", "version", "created_at", "created_by_id", "updated_at", "township_id", "facility_id",
                  "model_name", "serial_number", "room", "operators", "purchased_on", "filed_on", "is_active",
                  "retired_reason"]
INSPECTION_COLUMNS = ["id", "created_at", "created_by_id", "updated_at", "township_id", "facility_id", "inspected_on",
                      "checked_ultrasound_register", "checked_termination_register", "checked_drug_ledger",
                      "problems_found", "findings"]
TIP_COLUMNS = ["id", "version", "created_at", "created_by_id", "updated_at", "year", "seq", "township_id", "channel",
               "received_on", "content", "reporter_name", "reporter_contact", "status", "handled_on", "handled_by_id",
               "dismissal_reason", "reward_amount", "reward_paid_on", "reward_note"]
CASE_COLUMNS = ["id", "version", "created_at", "created_by_id", "updated_at", "year", "seq", "township_id", "source",
                "tip_id", "inspection_id", "title", "description", "violation_types", "departments", "status",
                "stage_entered_at", "stage_due_on", "registered_on", "filed_on", "referred_on", "decided_on",
                "closed_on", "dismissed_on", "decision_number", "outcome_warning", "confiscated_amount", "fine_amount",
                "licence_revoked", "referred_to_police", "referred_to_discipline", "outcome_notes"]
PARTY_COLUMNS = ["id", "created_at", "created_by_id", "updated_at", "case_id", "kind", "facility_id", "name",
                 "id_number", "role", "phone", "address"]
EVENT_COLUMNS = ["id", "case_id", "from_status", "to_status", "by_id", "at", "reason"]

WINDOW = 730  # two years of tips, inspections and cases
FACILITY_WORDS = ["仁和", "康泰", "济民", "惠民", "安康", "博爱", "同济", "益生", "华康", "德仁", "百姓", "长寿", "永康",
                  "福寿", "瑞康", "健民", "广济", "协和", "爱民", "新华", "宏达", "普济", "万康", "怡康"]
KIND_SUFFIX = {"township_hc": "卫生院", "clinic": "诊所", "private": "医院", "community_hc": "社区卫生服务中心",
               "hospital": "人民医院", "mch": "妇幼保健院", "other": "门诊部"}
STREETS = ["人民路", "建设路", "中心街", "新华街", "解放路", "文化路", "和平街", "光明街"]
MODELS = ["迈瑞 DC-30", "开立 S20", "GE LOGIQ P9", "飞利浦 ClearVue 550", "三星 HS40", "理邦 Acclarix AX8",
          "东软 NeuSight", "汕头超声 CTS-8800"]
ROOMS = ["B超室", "二楼彩超室", "妇科诊室", "检验科", "一楼 103 室", "体检中心"]
TIP_CONTENTS = [
    "听说{f}有人私下给孕妇做B超看男女，收费 500 元。", "有中介在{t}集市上介绍孕妇去外地鉴定胎儿性别。",
    "{f}晚上有陌生人进出，可能在做引产手术。", "{t}某药店在卖打胎药，不要处方。",
    "微信群里有人发广告，说能验血查男女，联系人在{t}。", "{f}的医生给熟人看胎儿性别。",
    "{t}有人开车接送孕妇去外地做B超，一次收费 2000 元。", "{f}私自给孕妇开米非司酮。",
]
FINDINGS = [
    "B超检查登记完整，孕检登记与身份证件核对一致。", "引流产登记缺 3 例的医学需要证明，已责令整改。",
    "终止妊娠药品台账记录完整，购进与使用数量一致。", "B超室未张贴“禁止非医学需要的胎儿性别鉴定”警示牌，已当场整改。",
    "药品台账缺少 2 笔米非司酮使用记录，需进一步调查。", "B超机操作人员与备案不一致，已要求补充备案。",
    "各项登记齐全，未发现问题。", "引流产登记与病历核对一致，医学需要证明齐全。",
]
DISMISSALS = ["经核查，举报内容与事实不符。", "举报信息不全，无法核实，已存档。", "经核查，系正常医疗行为。",
              "该线索已并入其他线索处理。"]
VIOLATION_TITLES = {"sex_determination": "涉嫌非医学需要鉴定胎儿性别", "sex_selective_termination": "涉嫌非医学需要选择性别终止妊娠",
                    "arranging": "涉嫌介绍、组织“两非”", "illegal_drugs": "涉嫌违规销售、使用终止妊娠药品",
                    "other": "涉嫌其他违法行为"}
OTHER_SOURCES = ["termination_register", "drug_ledger", "pregnancy_followup", "referral", "ultrasound_register"]
PERSON_ROLES = ["intermediary", "performer", "drug_seller", "accomplice", "responsible"]
# Routes through the workflow (docs/domain.md, Codes: case stages) and how often a case takes each.
ROUTES = [
    ([S.PRELIMINARY, S.NOT_FILED], 15),
    ([S.NOT_FILED], 3),
    ([S.PRELIMINARY, S.FILED, S.INVESTIGATING, S.DECIDED, S.ENFORCED, S.CLOSED], 55),
    ([S.PRELIMINARY, S.FILED, S.INVESTIGATING, S.REFERRED, S.CLOSED], 15),
    ([S.PRELIMINARY, S.FILED, S.INVESTIGATING, S.REFERRED, S.DECIDED, S.ENFORCED, S.CLOSED], 12),
]
REASONS = {S.NOT_FILED: ["经初查，线索不实，不予立案。", "证据不足，不予立案。", "系正常医疗行为，不予立案。"],
           S.REFERRED: ["涉嫌非法行医罪，移送公安机关。", "涉及公职人员，移送纪检监察机关。"],
           S.CLOSED: ["处罚已执行完毕，结案。", "公安机关已立案侦查，本案结案。"]}


def _scaled(ctx, full: int, minimum: int) -> int:
    return max(minimum, round(full * ctx.factor))


def _at(day: datetime.date, seconds: int) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI) + datetime.timedelta(seconds=seconds)


def _id_number(r) -> str:
    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=r.randrange(40 * 365))
    body = f"411099{birth:%Y%m%d}{r.randrange(1000):03d}"
    return body + CHECK_CHARS[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


class _Builder:
    def __init__(self, ctx, inspectors):
        self.ctx, self.r = ctx, ctx.rng("enforcement")
        self.today = ctx.today
        self.yesterday = ctx.today - datetime.timedelta(days=1)
        self.inspectors = inspectors
        names = dict(Township.objects.values_list("id", "name"))
        self.townships = [(t["id"], names[t["id"]], t["code"], t["households"]) for t in ctx.data["townships"]]
        self.facilities, self.devices, self.inspections, self.inspectors_rows = [], [], [], []
        self.tips, self.cases, self.parties, self.events = [], [], [], []
        self.by_township: dict[int, list[tuple]] = {}

    def day(self, k: int) -> datetime.date:
        return self.today - datetime.timedelta(days=k)

    def township(self):
        r = self.r
        return r.choices(self.townships, weights=[t[3] for t in self.townships])[0]

    # --- 定点机构, B超机 ---
    def build_facilities(self):
        r, today = self.r, self.today
        total = _scaled(self.ctx, 500, 40)
        households = sum(t[3] for t in self.townships)
        for index, (tid, tname, code, size) in enumerate(self.townships):
            count = max(2, round(total * size / households))
            kinds = ["township_hc"] + (["hospital", "hospital", "mch"] if index == 0 else [])
            kinds += r.choices(["clinic", "private", "community_hc", "other"], weights=[55, 20, 12, 13],
                               k=max(0, count - len(kinds)))
            for i, kind in enumerate(kinds):
                fid = len(self.facilities) + 1
                if kind == "township_hc":
                    name = f"{tname[:-1]}卫生院" if tname.endswith("镇") else f"{tname}社区卫生服务中心"
                elif kind == "hospital":
                    name = f"{tname[:2]}{['人民医院', '中医院', '第二人民医院'][i % 3]}"
                elif kind == "clinic":
                    name = f"{tname[:2]}{demo_name(r)}诊所"
                else:
                    name = f"{tname[:2]}{r.choice(FACILITY_WORDS)}{KIND_SUFFIX[kind]}"
                # Licences: most valid for years; ~4 % run out within 30 days, ~6 % have lapsed.
                x = r.random()
                until_k = -r.randint(0, 30) if x < 0.04 else r.randint(1, 400) if x < 0.10 else -r.randint(31, 1800)
                until = today - datetime.timedelta(days=until_k)
                ultrasound = kind in ("township_hc", "hospital", "mch", "private") or (
                    kind in ("community_hc", "other") and r.random() < 0.45)
                inactive = kind in ("clinic", "private", "other") and r.random() < 0.06
                created_k = r.randint(WINDOW + 10, 1500)
                created = _at(self.day(created_k), 9 * 3600 + fid % 8 * 3600)
                updated = _at(self.day(r.randint(1, 300)), 15 * 3600) if inactive else created
                self.facilities.append((
                    fid, 2 if inactive else 1, created, r.choice(self.inspectors), updated, tid, name, kind,
                    f"{tname}{r.choice(STREETS)}{r.randint(1, 300)}号", demo_name(r),
                    f"0396-{r.randint(2000000, 8999999)}", f"PDY{code}{i + 1:03d}",
                    until - datetime.timedelta(days=5 * 365), until, kind != "clinic", kind in ("hospital", "mch"),
                    kind in ("township_hc", "hospital", "mch"), ultrasound, kind in ("hospital", "mch", "township_hc"),
                    kind in ("township_hc", "hospital", "mch", "community_hc"), not inactive,
                    r.choice(["停业", "撤销定点资质", "执业许可证注销"]) if inactive else "", ""))
                self.by_township.setdefault(tid, []).append(self.facilities[-1])

    def build_devices(self):
        r = self.r
        for f in self.facilities:
            fid, kind, licence, ultrasound, active = f[0], f[7], f[11], f[17], f[20]
            if ultrasound:
                count = r.randint(*{"hospital": (8, 15), "mch": (8, 15), "township_hc": (3, 8),
                                    "private": (3, 7)}.get(kind, (1, 4)))
            else:  # a few devices stand where the designation is missing: what the flag is for
                count = 1 if r.random() < 0.08 or licence.endswith("003") else 0
            for k in range(count):
                did = len(self.devices) + 1
                filed = self.day(r.randint(1, 1400))
                retired = not active or r.random() < 0.06
                created = _at(filed, 10 * 3600 + did % 6 * 3600)
                updated = _at(self.day(r.randint(0, (self.today - filed).days)), 16 * 3600) if retired else created
                self.devices.append((
                    did, 2 if retired else 1, created, r.choice(self.inspectors), max(created, updated), f[5], fid,
                    r.choice(MODELS), f"{licence[-6:]}-{k + 1:02d}{r.randint(1000, 9999)}", r.choice(ROOMS),
                    "、".join(demo_name(r) for _ in range(r.randint(1, 3))),
                    filed - datetime.timedelta(days=r.randint(5, 25)), filed, not retired,
                    r.choice(["设备报废", "机构停业", "转让他处，已注销备案"]) if retired else ""))

    # --- 执法检查 ---
    def build_inspections(self):
        r = self.r
        active = [f for f in self.facilities if f[20]]
        rows = []
        for _ in range(_scaled(self.ctx, 3000, 60)):
            f = r.choice(active)
            k = int(WINDOW * r.random() ** 1.2)
            team = r.sample(self.inspectors, r.choice((2, 2, 2, 3)))
            checks = [True, r.random() < 0.7, r.random() < 0.6] if f[17] else [r.random() < 0.3, True, r.random() < 0.6]
            problems = r.random() < 0.2
            findings = r.choice(FINDINGS[1:2] + FINDINGS[3:6]) if problems else r.choice(
                FINDINGS[0:1] + FINDINGS[2:3] + FINDINGS[6:])
            rows.append((k, f, team, checks, problems, findings, r.randrange(8 * 3600, 17 * 3600)))
        rows.sort(key=lambda x: (-x[0], x[6]))
        for iid, (k, f, team, checks, problems, findings, secs) in enumerate(rows, start=1):
            at = _at(self.day(k), secs)
            self.inspections.append((iid, at, team[0], at, f[5], f[0], self.day(k), *checks, problems, findings))
            for user in team:
                self.inspectors_rows.append((len(self.inspectors_rows) + 1, iid, user))

    # --- 举报线索 ---
    def build_tips(self):
        r = self.r
        rows = []
        for _ in range(_scaled(self.ctx, 2000, 60)):
            tid, tname, _code, _size = self.township()
            k = int(WINDOW * r.random() ** 1.15)
            delay = r.randint(1, 12) if r.random() < 0.85 else r.randint(13, 40)
            x = r.random()
            if k - delay < 1 or x < 0.03:  # not handled yet (a few of them long past the deadline)
                status = "pending"
            else:
                status = "case_opened" if x < 0.33 else "dismissed"
            f = r.choice(self.by_township[tid])
            anonymous = r.random() < 0.4
            rows.append(dict(k=k, secs=r.randrange(8 * 3600, 18 * 3600), township=tid, status=status,
                             channel=r.choice(["phone", "phone", "phone", "letter", "visit", "online", "online"]),
                             content=r.choice(TIP_CONTENTS).format(f=f[6], t=tname),
                             reporter="" if anonymous else demo_name(r),
                             contact="" if anonymous else f"13{r.randrange(10**9):09d}",
                             handled_k=None if status == "pending" else k - delay,
                             by=r.choice(self.inspectors)))
        rows.sort(key=lambda t: (-t["k"], t["secs"]))
        seqs = {}
        for tip_id, t in enumerate(rows, start=1):
            t["id"] = tip_id
            received = self.day(t["k"])
            seqs[received.year] = seqs.get(received.year, 0) + 1
            t["year"], t["seq"], t["received"] = received.year, seqs[received.year], received
        self.tip_seqs = seqs
        self.tip_rows = rows

    # --- 两非案件 ---
    def build_cases(self):
        r = self.r
        opened = []  # (registered day k, seconds, kind, source record)
        for t in self.tip_rows:
            if t["status"] == "case_opened":
                opened.append((t["handled_k"], r.randrange(9 * 3600, 17 * 3600), "tip", t))
        with_problems = [i for i in self.inspections if i[10] and i[6] < self.today]
        for i in with_problems:
            if r.random() < 0.25:
                k = max(1, (self.today - i[6]).days - r.randint(0, 5))
                opened.append((k, r.randrange(9 * 3600, 17 * 3600), "inspection", i))
        for _ in range(max(0, _scaled(self.ctx, 1000, 40) - len(opened))):
            opened.append((max(1, int(WINDOW * r.random() ** 1.2)), r.randrange(9 * 3600, 17 * 3600), "other", None))
        opened.sort(key=lambda c: (-c[0], c[1]))
        seqs, decisions = {}, {}
        tip_case = {}
        for case_id, (k, secs, origin, record) in enumerate(opened, start=1):
            registered = self.day(k)
            seqs[registered.year] = seqs.get(registered.year, 0) + 1
            self.case(case_id, registered, secs, origin, record, registered.year, seqs[registered.year], decisions,
                      tip_case)
        self.case_seqs = seqs
        self.tip_case = tip_case

    def case(self, case_id, registered, secs, origin, record, year, seq, decisions, tip_case):
        r = self.r
        by = r.choice(self.inspectors)
        tip_id = inspection_id = None
        first_reason = ""
        if origin == "tip":
            tip = record
            township, source, tip_id = tip["township"], "tip", tip["id"]
            tip["by"] = by  # the inspector who turned the tip into the case handled it
            first_reason = f"由举报线索 JB{tip['year']}-{tip['seq']:04d} 转入"
            facility = r.choice(self.by_township[township])
        elif origin == "inspection":
            inspection_id, township = record[0], record[4]
            facility = next(f for f in self.by_township[township] if f[0] == record[5])
            checked = [s for s, c in zip(("ultrasound_register", "termination_register", "drug_ledger"),
                                         record[7:10], strict=True) if c]
            source = r.choice(checked)
        else:
            township = self.township()[0]
            source = r.choice(OTHER_SOURCES)
            facility = r.choice(self.by_township[township])
        violations = r.sample(["sex_determination", "sex_selective_termination", "arranging", "illegal_drugs",
                               "other"], r.choice((1, 1, 1, 2)))
        if source == "drug_ledger" and "illegal_drugs" not in violations:
            violations = ["illegal_drugs"]
        departments = ["health"] + (["market"] if "illegal_drugs" in violations and r.random() < 0.5 else [])
        route = r.choices([x[0] for x in ROUTES], weights=[x[1] for x in ROUTES])[0]
        stalled_at = r.randrange(len(route)) if r.random() < 0.04 else None
        referral = "police" if r.random() < 0.8 else "discipline"
        # Walk the route: each stage lasts a while (mostly within its deadline); a step that would
        # land after yesterday has not happened yet, and the case stays where it is.
        created = _at(registered, secs)
        events = [("", S.RECEIVED, created, by, first_reason)]
        status, at = S.RECEIVED, created
        for step_index, step in enumerate(route):
            if stalled_at == step_index:
                break
            deadline = stage_deadline_days(status) or 30
            x = r.random()
            days = max(1, int(deadline * (r.uniform(0.1, 0.9) if x < 0.88 else r.uniform(1.05, 2.5))))
            day = at.date() + datetime.timedelta(days=days)
            if day > self.yesterday:
                break
            at = _at(day, r.randrange(8 * 3600, 18 * 3600))
            reason = r.choice(REASONS[step]) if step in REASONS else ""
            if step == S.REFERRED:
                reason = REASONS[step][0 if referral == "police" else 1]
            events.append((status, step, at, r.choice(self.inspectors), reason))
            status = step
        dates = {to: e_at.date() for _f, to, e_at, _b, _r in events}
        police = discipline = False
        if S.REFERRED in dates:
            police = referral == "police"
            discipline = not police
            departments.append(referral)
        decided = S.DECIDED in dates
        warning = fine = confiscated = None
        revoked, notes, number = False, "", ""
        if decided:
            d_year = dates[S.DECIDED].year
            decisions[d_year] = decisions.get(d_year, 0) + 1
            number = f"卫健罚〔{d_year}〕{decisions[d_year]}号"
            warning = r.random() < 0.6
            fine = Decimal(r.choice([5000, 10000, 15000, 20000, 30000, 50000])) if r.random() < 0.55 else None
            confiscated = Decimal(r.choice([800, 2000, 4500, 8000, 12000])) if r.random() < 0.3 else None
            revoked = r.random() < 0.08
            outcome_police = r.random() < 0.04
            police = police or outcome_police
            if not (warning or fine or confiscated or revoked or outcome_police):
                notes = "情节轻微并及时纠正，不予行政处罚。"
        last_from, last_to, last_at, _b, _r = events[-1]
        terminal = status in TERMINAL
        due = None if terminal else last_at.date() + datetime.timedelta(days=stage_deadline_days(status))
        subject = facility[6]
        self.cases.append((
            case_id, len(events), created, by, last_at, year, seq, township, source, tip_id, inspection_id,
            f"{subject}{VIOLATION_TITLES[violations[0]]}", "根据线索，执法人员对当事人进行了调查。", violations,
            departments, status, last_at, due, registered, dates.get(S.FILED), dates.get(S.REFERRED),
            dates.get(S.DECIDED), dates.get(S.CLOSED), dates.get(S.NOT_FILED), number, bool(warning), confiscated,
            fine, revoked, police, discipline, notes))
        if tip_id:
            tip_case[tip_id] = (case_id, registered, by, dates.get(S.DECIDED))
        for from_status, to_status, e_at, e_by, reason in events:
            self.events.append((len(self.events) + 1, case_id, from_status, to_status, e_by, e_at, reason))
        # Parties: added at registration (before any later step), the facility first.
        party_at = created + datetime.timedelta(minutes=10)
        with_facility = origin == "inspection" or r.random() < 0.75
        if with_facility:
            self.parties.append((len(self.parties) + 1, party_at, by, party_at, case_id, "facility", facility[0], "",
                                 "", "performer", "", ""))
        if r.random() < 0.45 or not with_facility:
            self.parties.append((len(self.parties) + 1, party_at, by, party_at, case_id, "person", None,
                                 demo_name(r), _id_number(r) if r.random() < 0.4 else "", r.choice(PERSON_ROLES),
                                 f"13{r.randrange(10**9):09d}" if r.random() < 0.6 else "",
                                 f"{self.township_name(township)}{r.choice(STREETS)}{r.randint(1, 300)}号"))

    def township_name(self, tid):
        return next(t[1] for t in self.townships if t[0] == tid)

    def tip_lines(self):
        r = self.r
        for t in self.tip_rows:
            created = _at(t["received"], t["secs"])
            handled = self.day(t["handled_k"]) if t["handled_k"] is not None else None
            version, updated = 1, created
            reward = paid = None
            note = ""
            if t["status"] == "case_opened":
                _case_id, registered, by, decided_on = self.tip_case[t["id"]]
                handled = registered
                if decided_on and r.random() < 0.4:
                    paid = min(decided_on + datetime.timedelta(days=r.randint(5, 60)), self.today)
                    reward, note = Decimal(r.choice([500, 1000, 2000, 5000])), "按县举报奖励办法发放"
            else:
                by = t["by"]
            if handled:
                version, updated = 2, max(created, _at(handled, 17 * 3600))
            if paid:
                version, updated = 3, max(updated, _at(paid, 11 * 3600))
            yield (t["id"], version, created, t["by"], updated, t["year"], t["seq"], t["township"], t["channel"],
                   t["received"], t["content"], t["reporter"], t["contact"], t["status"], handled,
                   by if handled else None, r.choice(DISMISSALS) if t["status"] == "dismissed" else "", reward, paid,
                   note)


def _inspectors(ctx) -> list[int]:
    """The county's inspector and colleagues (inspections are done in pairs)."""
    users = ctx.data["users"]
    password = make_password(DEMO_PASSWORD)
    r = ctx.rng("enforcement.inspectors")
    extra = [User(username=f"inspector{k}", name=demo_name(r), role=Role.INSPECTOR, password=password)
             for k in range(2, EXTRA_INSPECTORS + 2)]
    User.objects.bulk_create(extra)
    for user in extra:
        users[user.username] = user.pk
    return [users["inspector"]] + [u.pk for u in extra]


def generate(ctx) -> None:
    inspectors = _inspectors(ctx)
    b = _Builder(ctx, inspectors)
    b.build_facilities()
    b.build_devices()
    b.build_inspections()
    b.build_tips()
    b.build_cases()
    tips = list(b.tip_lines())
    sequences = [(i, kind, year, last) for i, (kind, year, last) in enumerate(
        [("tip", y, n) for y, n in sorted(b.tip_seqs.items())] + [("case", y, n) for y, n in sorted(b.case_seqs.items())],
        start=1)]
    with ctx.fresh_tables(*TABLES):
        ctx.load("enforcement_facility", FACILITY_COLUMNS, b.facilities)
        ctx.load("enforcement_ultrasounddevice", DEVICE_COLUMNS, b.devices)
        ctx.load("enforcement_inspection", INSPECTION_COLUMNS, b.inspections)
        ctx.load("enforcement_inspection_inspectors", ["id", "inspection_id", "user_id"], b.inspectors_rows)
        ctx.load("enforcement_tip", TIP_COLUMNS, tips)
        ctx.load("enforcement_case", CASE_COLUMNS, b.cases)
        ctx.load("enforcement_caseparty", PARTY_COLUMNS, b.parties)
        ctx.load("enforcement_caseevent", EVENT_COLUMNS, b.events)
        ctx.load("enforcement_numbersequence", ["id", "kind", "year", "last"], sequences)
    ctx.say(f"  {len(b.facilities)} facilities, {len(b.devices)} devices, {len(b.inspections)} inspections, "
            f"{len(tips)} tips, {len(b.cases)} cases, {len(b.parties)} parties, {len(b.events)} case events")
    ctx.data["inspectors"] = inspectors
    for object_type, rows, township_at, weight, actions in (
            ("enforcement.facility", b.facilities, 5, 0.004, {"view": 8, "update": 1}),
            ("enforcement.tip", tips, 7, 0.004, {"view": 6, "update": 2, "create": 1}),
            ("enforcement.case", b.cases, 7, 0.008, {"view": 10, "update": 4, "create": 1}),
            ("enforcement.inspection", b.inspections, 4, 0.003, {"view": 4, "create": 1})):
        ctx.add_audit_objects(object_type=object_type, ids=[row[0] for row in rows],
                              township_ids=[row[township_at] for row in rows], weight=weight, actions=actions,
                              users=inspectors)


# --- rules the services keep, as queries for violations (bench/check_data.py) -----------------------
_ALLOWED = ", ".join(f"('{a}', '{b}')" for a, targets in TRANSITIONS.items() for b in targets)
_DEADLINES = "CASE c.status " + " ".join(
    f"WHEN '{s}' THEN {stage_deadline_days(s)}" for s in S.values if stage_deadline_days(s) is not None) + " END"
_TERMINAL = ", ".join(f"'{s}'" for s in sorted(TERMINAL))
_LOCAL = "AT TIME ZONE 'Asia/Shanghai'"
_TODAY = f"(now() {_LOCAL})::date"


def _numbering(table: str, date: str, kind: str) -> str:
    """Numbers per year of ``date``, consecutive from 1 in the order the records were entered
    (ids follow entry), and the year's counter at the last one."""
    return f"""SELECT count(*) FROM (SELECT year, seq, extract(year FROM {date}) AS y,
            row_number() OVER (PARTITION BY year ORDER BY id) AS n,
            count(*) OVER (PARTITION BY year) AS total FROM {table}) s
        LEFT JOIN enforcement_numbersequence q ON q.kind = '{kind}' AND q.year = s.year
        WHERE s.seq <> s.n OR s.year <> s.y OR q.last IS DISTINCT FROM s.total::int"""


CHECKS = {
    "device or inspection township is not its facility's": """SELECT
        (SELECT count(*) FROM enforcement_ultrasounddevice d JOIN enforcement_facility f ON f.id = d.facility_id
            WHERE d.township_id <> f.township_id)
        + (SELECT count(*) FROM enforcement_inspection i JOIN enforcement_facility f ON f.id = i.facility_id
            WHERE i.township_id <> f.township_id)""",
    "facility or device stopped without a reason (or active with one), or a device filed before it was bought": f"""
        SELECT (SELECT count(*) FROM enforcement_facility WHERE is_active = (closed_reason <> ''))
        + (SELECT count(*) FROM enforcement_ultrasounddevice WHERE is_active = (retired_reason <> '')
            OR purchased_on > filed_on OR filed_on > {_TODAY})""",
    "inspection with fewer than two inspectors, not by one of them, by a non-inspector, or checking nothing": f"""
        SELECT count(*) FROM enforcement_inspection i WHERE findings = '' OR inspected_on > {_TODAY}
        OR NOT (checked_ultrasound_register OR checked_termination_register OR checked_drug_ledger)
        OR (SELECT count(*) FROM enforcement_inspection_inspectors x JOIN accounts_user u ON u.id = x.user_id
            WHERE x.inspection_id = i.id AND u.role = 'inspector') < 2
        OR NOT EXISTS (SELECT 1 FROM enforcement_inspection_inspectors x
            WHERE x.inspection_id = i.id AND x.user_id = i.created_by_id)""",
    "tip numbers not consecutive per year of receipt in entry order, or the counter not at the last": _numbering(
        "enforcement_tip", "received_on", "tip"),
    "case numbers not consecutive per year of registration in entry order, or the counter not at the last": _numbering(
        "enforcement_case", "registered_on", "case"),
    "tip whose status, handling, reason, reward or version disagree": f"""SELECT count(*) FROM enforcement_tip t
        LEFT JOIN enforcement_case c ON c.tip_id = t.id
        WHERE (t.status = 'pending') <> (t.handled_on IS NULL) OR (t.handled_on IS NULL) <> (t.handled_by_id IS NULL)
        OR t.handled_on < t.received_on OR t.received_on > {_TODAY}
        OR (t.status = 'dismissed') <> (t.dismissal_reason <> '')
        OR (t.status = 'case_opened') <> (c.id IS NOT NULL)
        OR (c.id IS NOT NULL AND (c.registered_on <> t.handled_on OR c.created_by_id <> t.handled_by_id
            OR c.township_id <> t.township_id OR c.source <> 'tip'))
        OR (t.reward_amount IS NOT NULL AND (t.status <> 'case_opened' OR t.reward_amount <= 0
            OR t.reward_paid_on < t.handled_on OR t.reward_paid_on > {_TODAY}))
        OR t.version <> 1 + (t.status <> 'pending')::int + (t.reward_amount IS NOT NULL)::int""",
    "case whose stage, stage dates or version are not its event history's": f"""SELECT count(*)
        FROM enforcement_case c JOIN LATERAL (SELECT count(*) AS n, min(at) AS first_at, max(at) AS last_at,
            (array_agg(to_status ORDER BY at DESC, id DESC))[1] AS last_to,
            max((at {_LOCAL})::date) FILTER (WHERE to_status = 'filed') AS filed,
            max((at {_LOCAL})::date) FILTER (WHERE to_status = 'referred') AS referred,
            max((at {_LOCAL})::date) FILTER (WHERE to_status = 'decided') AS decided,
            max((at {_LOCAL})::date) FILTER (WHERE to_status = 'closed') AS closed,
            max((at {_LOCAL})::date) FILTER (WHERE to_status = 'not_filed') AS dismissed
            FROM enforcement_caseevent e WHERE e.case_id = c.id) e ON true
        WHERE c.status <> e.last_to OR c.stage_entered_at <> e.last_at OR c.created_at <> e.first_at
        OR c.registered_on <> (e.first_at {_LOCAL})::date OR c.version <> e.n
        OR c.filed_on IS DISTINCT FROM e.filed OR c.referred_on IS DISTINCT FROM e.referred
        OR c.decided_on IS DISTINCT FROM e.decided OR c.closed_on IS DISTINCT FROM e.closed
        OR c.dismissed_on IS DISTINCT FROM e.dismissed OR e.last_at > now()
        OR c.stage_due_on IS DISTINCT FROM (CASE WHEN c.status IN ({_TERMINAL}) THEN NULL
            ELSE (c.stage_entered_at {_LOCAL})::date + {_DEADLINES} END)""",
    "case event that is not a step the workflow allows, out of time order, or without a required reason": f"""
        SELECT count(*) FROM (SELECT e.*, lag(to_status) OVER w AS prev_to, lag(at) OVER w AS prev_at,
            row_number() OVER w AS n FROM enforcement_caseevent e WINDOW w AS (PARTITION BY case_id ORDER BY at, id)) e
        WHERE (n = 1 AND (from_status <> '' OR to_status <> 'received'))
        OR (n > 1 AND (from_status <> prev_to OR at <= prev_at
            OR (from_status, to_status) NOT IN (VALUES {_ALLOWED})))
        OR (to_status IN ('not_filed', 'referred') AND reason = '')""",
    "case whose outcome or referral columns disagree with its decision and referral": """SELECT count(*)
        FROM enforcement_case WHERE (decided_on IS NULL) <> (decision_number = '')
        OR (decided_on IS NULL AND (outcome_warning OR fine_amount IS NOT NULL OR confiscated_amount IS NOT NULL
            OR licence_revoked OR outcome_notes <> ''))
        OR (decided_on IS NOT NULL AND NOT (outcome_warning OR fine_amount > 0 OR confiscated_amount > 0
            OR licence_revoked OR referred_to_police) AND outcome_notes = '')
        OR (referred_on IS NOT NULL AND NOT (referred_to_police OR referred_to_discipline))
        OR (referred_to_discipline AND (referred_on IS NULL OR NOT departments ? 'discipline'))
        OR (referred_to_police AND referred_on IS NULL AND decided_on IS NULL)
        OR jsonb_array_length(violation_types) = 0 OR NOT departments ? 'health'""",
    "case from an inspection without a problem found, a register it checked, its facility as a party": """
        SELECT count(*) FROM enforcement_case c JOIN enforcement_inspection i ON i.id = c.inspection_id
        WHERE NOT i.problems_found OR c.registered_on < i.inspected_on OR c.township_id <> i.township_id
        OR NOT (c.source = 'ultrasound_register' AND i.checked_ultrasound_register
            OR c.source = 'termination_register' AND i.checked_termination_register
            OR c.source = 'drug_ledger' AND i.checked_drug_ledger)
        OR NOT EXISTS (SELECT 1 FROM enforcement_caseparty p WHERE p.case_id = c.id AND p.facility_id = i.facility_id)""",
    "case source 'tip' without a tip, or a tip on another source": """SELECT count(*) FROM enforcement_case
        WHERE (source = 'tip') <> (tip_id IS NOT NULL)""",
    "party added outside its case's open life, or with an ID number with a wrong check character": f"""
        SELECT count(*) FROM enforcement_caseparty p JOIN enforcement_case c ON c.id = p.case_id
        WHERE p.created_at < c.created_at
        OR (c.status IN ({_TERMINAL}) AND p.created_at > c.stage_entered_at)
        OR (p.id_number <> '' AND (length(p.id_number) <> 18 OR (SELECT substr('{CHECK_CHARS}',
            (1 + sum(substr(p.id_number, i::int, 1)::int * w) % 11)::int, 1)
            FROM unnest('{{{",".join(map(str, WEIGHTS))}}}'::int[]) WITH ORDINALITY AS t(w, i))
            <> right(p.id_number, 1)))""",
}
