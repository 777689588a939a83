"""Full-county data for screening (bench/fullscale.py): ~40,000 pre-pregnancy screenings over two
years, their results (the catalogue's fields per examined spouse), risk assessments (~18% high risk,
each factor proposed by a rule its result meets), early-pregnancy and outcome follow-ups and free
prenatal screenings.

Couples come from the register households generated (read back from the database: ``ctx.data``
holds no couples). Pregnancies are the households' own: a screened couple's early follow-up of
已孕 carries the LMP of a pregnancy its follow-up visits recorded after the exam and links the
latest visit that had recorded it by the follow-up's date; an outcome of 已分娩 links the visit
that found the pregnancy ended — as ``services.followups`` does when a visit exists (it writes no
household rows here, so the households' CHECKS keep holding).

The denormalised columns follow the services, checked by ``CHECKS``: every row's township is its
couple's; ``is_current`` marks each couple's latest active screening (``refresh_current``); the
pathway columns are what ``refresh_pathway`` computes from the active follow-ups; a high-risk
screening has factors and a general one none; results carry the unit and range of their field.
"""
import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection

from accounts.demo import DEMO_PASSWORD, demo_name
from accounts.models import User
from accounts.roles import Role
from bench.households.data import Days

from screening.models import ResultField, RiskRule
from screening.seed import ensure_catalogue

FACILITY = "县妇幼保健计划生育服务中心"
CLINICIANS = 6  # besides the demo "clinic": the county's service centre and township clinics
TARGET = 40_000  # screenings at full scale (200,000 households)
HIGH_RISK = 0.18
SCREENING_COLUMNS = [
    "id", "is_void", "void_reason", "voided_at", "voided_by_id", "version", "created_at", "created_by_id",
    "updated_at", "township_id", "couple_id", "planned_child_order", "exam_date", "facility", "doctor_id", "consent",
    "consent_on", "status", "completed_at", "risk_level", "assessed_at", "assessed_by_id", "advice", "referral",
    "advised_on", "is_current", "early_result", "early_last_on", "pregnancy_lmp", "pregnancy_visit_id",
    "prenatal_done", "prenatal_high_since", "outcome_result", "outcome_last_on"]
RESULT_COLUMNS = [
    "id", "screening_id", "field_id", "subject", "value_number", "value_choice", "value_text", "unit", "ref_low",
    "ref_high", "ref_text", "auto_abnormal", "is_abnormal", "overridden", "override_reason", "tested_on",
    "entered_by_id", "entered_at"]
FACTOR_COLUMNS = ["id", "screening_id", "subject", "domain", "description", "advice", "rule_id", "confirmed_by_id",
                  "confirmed_at"]
_FOLLOW_BASE = ["id", "is_void", "void_reason", "voided_at", "voided_by_id", "created_at", "created_by_id",
                "updated_at", "township_id", "screening_id", "worker_id", "notes"]
EARLY_COLUMNS = _FOLLOW_BASE + ["followed_on", "result", "lmp", "lmp_exact", "folic_acid", "exposures", "illnesses",
                                "medication", "confirming_facility", "ultrasound", "pregnancy_visit_id"]
OUTCOME_COLUMNS = _FOLLOW_BASE + ["followed_on", "result", "outcome", "delivery_date", "gestational_weeks",
                                  "birth_weight_g", "infant_sex", "multiple_birth", "place", "method",
                                  "outcome_visit_id"]
PRENATAL_COLUMNS = _FOLLOW_BASE + ["test", "tested_on", "gestational_weeks", "gestational_days", "result", "detail",
                                   "facility", "diagnosis_on", "diagnosis_method", "diagnosis_result"]
TABLES = ["screening_screening", "screening_screeningresult", "screening_screeningriskfactor",
          "screening_earlypregnancyfollowup", "screening_outcomefollowup", "screening_prenatalscreening"]
GENERAL_ADVICE = "未发现明显风险因素。建议孕前 3 个月开始补充叶酸，均衡营养，规律作息，避免接触有毒有害物质。"
REFERRALS = ["县妇幼保健院妇产科", "县人民医院内分泌科", "县人民医院感染科", "市妇幼保健院遗传咨询门诊", ""]
PLACES = ["县人民医院", "县妇幼保健院", "市妇幼保健院", "镇卫生院"]


def _money(value: Decimal, decimals: int) -> str:
    return f"{value:.{min(decimals, 3)}f}"


class _Catalogue:
    """The catalogue as the services read it, with each (field, subject)'s stored form precomputed."""

    def __init__(self):
        ensure_catalogue()  # flushed since the migrations seeded it (a test's flush)
        fields = list(ResultField.objects.filter(is_active=True, item__is_active=True).select_related("item")
                      .order_by("item__number", "sort_order", "id"))
        self.fields = fields
        self.fixed = {}  # (field id, subject) → (unit, ref_low, ref_high, ref_text)
        for subject in ("female", "male"):
            for f in fields:
                low, high = f.range_for(subject) if f.kind == "number" else (None, None)
                self.fixed[f.pk, subject] = (f.unit, low, high, f.reference_text(subject))
        self.rules = list(RiskRule.objects.proposing().select_related("field")
                          .order_by("sort_order", "id"))
        self.rule_fields = {r.field_id for r in self.rules}

    def value(self, rng, f, subject, want: str):
        """(value_number, value_choice, value_text, auto_abnormal) for ``want``: "normal", "low",
        "high", "abnormal" or a choice code."""
        if f.kind == "number":
            low, high = f.range_for(subject)
            step = Decimal(1).scaleb(-min(f.decimals, 3))
            if want == "abnormal":
                want = rng.choice(("low", "high")) if low is not None and high is not None else (
                    "high" if high is not None else "low")
            if want == "low" and low is not None:
                value = low * Decimal(str(rng.uniform(0.7, 0.97)))
                value = max(value, f.plausible_low or value)
                value = min(value.quantize(step), low - step)
            elif want == "high" and high is not None:
                value = high * Decimal(str(rng.uniform(1.03, 1.35)))
                value = min(value, f.plausible_high or value)
                value = max(value.quantize(step), high + step)
            else:
                value = low + (high - low) * Decimal(str(rng.uniform(0.08, 0.92)))
            value = value.quantize(step)
            abnormal = (low is not None and value < low) or (high is not None and value > high)
            return _money(value, f.decimals), "", "", abnormal
        if f.kind == "choice":
            codes = [str(c) for c, _label in f.choices]
            normal = [str(v) for v in f.normal_values]
            if want in codes:
                code = want
            elif want in ("abnormal", "low", "high") and len(normal) < len(codes):
                code = rng.choice([c for c in codes if c not in normal])
            else:
                code = rng.choice(normal)
            return None, code, "", code not in normal
        text = f"B{rng.randrange(10**7):07d}" if f.code == "us_report" else ""
        return None, "", text, None


class _Builder:
    def __init__(self, ctx, clinicians):
        self.ctx, self.rng, self.days = ctx, ctx.rng("screening"), Days(ctx.today)
        self.cat = _Catalogue()
        self.clinicians = clinicians
        self.w = settings.SCREENING_WINDOWS
        self.screenings, self.results, self.factors = [], [], []
        self.early, self.outcome, self.prenatal = [], [], []

    def k_of(self, day: datetime.date) -> int:
        return (self.ctx.today - day).days

    # --- what the households left -------------------------------------------------------------
    def load_couples(self):
        with connection.cursor() as cursor:
            cursor.execute("""
                SELECT c.id, c.township_id, c.planned_timing, c.boys + c.girls,
                    (c.created_at AT TIME ZONE 'Asia/Shanghai')::date,
                    (SELECT max(s.surveyed_on) FROM households_intentionsurvey s WHERE s.couple_id = c.id)
                FROM households_couple c WHERE c.in_register AND NOT c.is_void ORDER BY c.id""")
            couples = cursor.fetchall()
            cursor.execute("""
                SELECT couple_id, id, visit_date, pregnancy_status, last_menstrual_period
                FROM households_followupvisit WHERE NOT is_void AND pregnancy_status <> 'not_pregnant'
                ORDER BY couple_id, visit_date, id""")
            visits: dict[int, list] = {}
            for cid, vid, day, status, lmp in cursor.fetchall():
                visits.setdefault(cid, []).append((vid, self.k_of(day), status, self.k_of(lmp) if lmp else None))
        return couples, visits

    @staticmethod
    def pregnancies(visits) -> list[dict]:
        """The couple's pregnancies from its visits (oldest first): LMP, the visits that recorded
        it (id, k) and the visit that found it ended."""
        out, current = [], None
        for vid, k, status, lmp_k in visits:
            if status == "pregnant":
                if current is None or current["end"] is not None or abs(current["lmp"] - lmp_k) > 28:
                    current = {"lmp": lmp_k, "visits": [], "end": None}
                    out.append(current)
                current["visits"].append((vid, k))
            elif current is not None and current["end"] is None:
                current["end"] = (vid, k, status)
        return out

    # --- screenings ---------------------------------------------------------------------------
    def build(self):
        r = self.rng
        couples, visits = self.load_couples()
        weights = {"1": 3.0, "2": 1.6, "3": 1.0, "4": 0.8}
        total_w = sum(weights.get(c[2], 0) for c in couples)
        scale = TARGET * self.ctx.factor / max(total_w, 1) * 1.03  # calibrated on the full county: ≈ 40,000
        for cid, township, timing, children, created, surveyed in couples:
            if r.random() >= min(0.95, weights.get(timing, 0) * scale):
                continue
            newest = min(729, self.k_of(created), self.k_of(surveyed) if surveyed else 729)
            pregs = self.pregnancies(visits.get(cid, []))
            exam_k = None
            for _try in range(4):  # not while she is pregnant: nobody screens a pregnant woman
                k = int(newest * r.random() ** 1.25)
                if not any(p["lmp"] >= k >= (p["end"][1] if p["end"] else p["visits"][-1][1]) for p in pregs):
                    exam_k = k
                    break
            if exam_k is None:
                continue
            after = [p for p in pregs if p["lmp"] < exam_k and exam_k - p["lmp"] <= self.w["early_close"]]
            if children and exam_k + 420 <= newest and r.random() < 0.05:
                self.screening(cid, township, children, r.randint(exam_k + 400, newest), None, current=False)
            self.screening(cid, township, children + 1, exam_k, after[0] if after else None, current=True)

    def at(self, k: int, hour: int = 9) -> str:
        return self.days.at(k, hour * 3600 + self.rng.randrange(7 * 3600))

    def screening(self, cid, township, order, exam_k, preg, *, current: bool):
        r = self.rng
        doctor = r.choice(self.clinicians)
        consent = r.choices(("both", "female", "male"), weights=(85, 13, 2))[0]
        subjects = {"both": ["female", "male"], "female": ["female"], "male": ["male"]}[consent]
        roll = r.random()
        if exam_k < 21:
            status = "draft" if roll < 0.25 else "complete" if roll < 0.45 else "assessed"
        else:
            status = "draft" if roll < 0.01 else "complete" if roll < 0.02 else "assessed"
        s = {"couple": cid, "township": township, "order": order, "exam_k": exam_k, "doctor": doctor,
             "consent": consent, "subjects": subjects, "status": status, "current": current, "void": False,
             "results": [], "factors": [], "early": [], "outcome": [], "prenatal": [], "preg": preg}
        s["complete_k"] = max(0, exam_k - r.randint(0, 2)) if status != "draft" else None
        s["assess_k"] = max(0, s["complete_k"] - r.randint(0, 3)) if status == "assessed" else None
        high = status == "assessed" and r.random() < HIGH_RISK
        s["risk"] = ("high" if high else "general") if status == "assessed" else ""
        # The results: every applicable field once complete; a draft has the first part typed.
        pairs = [(sub, f) for f in self.cat.fields for sub in subjects if f.item.applies_to(sub)]
        if status == "draft":
            pairs = pairs[: r.randint(0, len(pairs) - 1)]
        wanted = {}
        if high:
            rules = [rule for rule in self.cat.rules if any(rule.field.item.applies_to(sub) for sub in subjects)]
            for rule in r.sample(rules, r.choice((1, 1, 1, 2, 2, 3))):
                sub = r.choice([sub for sub in subjects if rule.field.item.applies_to(sub)])
                if (sub, rule.field_id) in wanted:
                    continue
                wanted[sub, rule.field_id] = rule.value if rule.when == "equals" else rule.when
        for sub, f in pairs:
            want = wanted.get((sub, f.pk))
            if want is None:
                want = "abnormal" if f.pk not in self.cat.rule_fields and r.random() < 0.03 else "normal"
            number, choice, text, auto = self.cat.value(r, f, sub, want)
            if auto is None and not text:
                continue  # a blank text field is not stored (services.screenings.results_save)
            s["results"].append((sub, f, number, choice, text, auto))
        if high:
            for rule in self.cat.rules:  # every rule the results meet, as propose_factors lists them
                for sub, f, number, choice, _text, auto in s["results"]:
                    if f.pk == rule.field_id and self._matches(rule, f, sub, number, choice, auto):
                        s["factors"].append((sub, rule))
        if status == "assessed" and high and not s["factors"]:
            s["risk"] = "general"
        if status == "assessed":
            printed = r.random() < (0.85 if s["risk"] == "high" else 0.92)
            s["advised_k"] = max(0, s["assess_k"] - r.randint(0, 6)) if printed else None
            if current:
                self.follow(s)
        else:
            s["advised_k"] = None
        self.screenings.append(s)
        if current and r.random() < 0.004:  # entered twice by mistake; the copy was voided
            self.screenings.append({**s, "void": True, "current": False, "status": "draft", "complete_k": None,
                                    "assess_k": None, "risk": "", "advised_k": None, "results": [], "factors": [],
                                    "early": [], "outcome": [], "prenatal": []})

    @staticmethod
    def _matches(rule, f, subject, number, choice, auto) -> bool:
        if rule.when == "abnormal":
            return bool(auto)
        if rule.when == "equals":
            return choice == rule.value
        if number is None:
            return False
        low, high = f.range_for(subject)
        value = Decimal(number)
        if rule.when == "low":
            return low is not None and value < low
        return high is not None and value > high

    # --- follow-ups -----------------------------------------------------------------------------
    def follow(self, s):
        r, w = self.rng, self.w
        exam_k, preg = s["exam_k"], s["preg"]
        first_k = exam_k - r.randint(60, 110)
        if preg is not None:
            found_k = preg["visits"][0][1]
            if first_k > preg["lmp"] + 10 and r.random() < 0.4:
                s["early"].append((first_k, "2", None, None))
            if r.random() < 0.9:
                f_k = max(0, found_k - r.randint(0, 20))
                if preg["lmp"] - f_k > 140:
                    f_k = found_k
                visit = [vid for vid, k in preg["visits"] if k >= f_k][-1]
                s["early"].append((f_k, "1", preg["lmp"], visit))
                self.pregnancy(s, preg, f_k)
            return
        k = first_k
        while k >= 0 and exam_k - k <= w["early_close"]:
            roll = r.random()
            if roll < 0.12 or (s["early"] and roll < 0.45):
                break  # not followed (yet)
            lost = r.random() < 0.05
            s["early"].append((k, "3" if lost else "2", None, None))
            if lost:
                break
            k -= r.randint(75, 110)

    def pregnancy(self, s, preg, early_k):
        r, w = self.rng, self.w
        lmp = preg["lmp"]
        for test, low, high, p in (("nt", w["nt_from"], w["nt_to"], 0.3), ("serum", w["serum_from"], w["serum_to"], 0.8)):
            tested_k = lmp - r.randint(low, high)
            if tested_k < 0 or r.random() >= p:
                continue
            high_risk = r.random() < 0.04
            diagnosis = None
            if high_risk and r.random() < 0.75 and tested_k - 7 >= 0:
                diagnosis = (max(0, tested_k - r.randint(7, 14)),
                             r.choices(("normal", "abnormal", "declined"), weights=(90, 5, 5))[0])
            s["prenatal"].append((tested_k, test, lmp - tested_k, "high" if high_risk else "low", diagnosis))
        end = preg["end"]
        if end is not None:
            if r.random() < 0.88:
                end_vid, end_k, end_status = end
                f_k = max(0, end_k - r.randint(0, 20))
                delivery_k = max(end_k, lmp - r.randint(266, 287))
                if end_status == "terminated":
                    outcome = "miscarriage"
                else:
                    outcome = r.choices(("normal", "preterm", "low_weight", "macrosomia", "other"),
                                        weights=(85, 5, 3, 4, 3))[0]
                s["outcome"].append((f_k, "1", outcome, delivery_k, end_vid))
        elif lmp - 280 - w["outcome_after_edd"] - 30 >= 0 and r.random() < 0.3:
            s["outcome"].append((lmp - 280 - w["outcome_after_edd"] - r.randint(0, 30), "2", "", None, None))

    # --- rows -----------------------------------------------------------------------------------
    def rows(self):
        r, days = self.rng, self.days
        # Ids follow time: oldest exam first (records entered over two years).
        self.screenings.sort(key=lambda s: -s["exam_k"])
        early_id = outcome_id = prenatal_id = result_id = factor_id = 0
        screening_rows, result_rows, factor_rows = [], [], []
        early_rows, outcome_rows, prenatal_rows = [], [], []
        for sid, s in enumerate(self.screenings, start=1):
            s["id"] = sid
            t, doctor, exam_k = s["township"], s["doctor"], s["exam_k"]
            created = self.at(exam_k, 8)
            entered = self.at(s["complete_k"], 12) if s["complete_k"] is not None else created
            for sub, f, number, choice, text, auto in s["results"]:
                result_id += 1
                unit, low, high, ref_text = self.cat.fixed[f.pk, sub]
                overridden = auto is True and f.pk not in self.cat.rule_fields and r.random() < 0.05
                result_rows.append((
                    result_id, sid, f.pk, sub, number, choice, text, unit,
                    low if number is not None else None, high if number is not None else None, ref_text,
                    auto, (not auto) if overridden else bool(auto), overridden, "复查结果正常" if overridden else "",
                    days(exam_k), doctor, entered))
            advice = ""
            if s["status"] == "assessed":
                if s["factors"]:
                    advice = "\n".join(rule.advice for _sub, rule in s["factors"])
                else:
                    advice = GENERAL_ADVICE
            assessed_at = self.at(s["assess_k"], 14) if s["assess_k"] is not None else None
            for sub, rule in s["factors"]:
                factor_id += 1
                factor_rows.append((factor_id, sid, sub, rule.domain, rule.factor, rule.advice, rule.pk, doctor,
                                    assessed_at))
            # The pathway columns, as services.pathway.refresh_pathway computes them.
            early = sorted(s["early"], key=lambda e: -e[0])
            pregnant = [e for e in early if e[1] == "1"]
            latest_early = early[-1] if early else None
            outcomes = sorted(s["outcome"], key=lambda o: -o[0])
            pending_high = sorted(p[0] for p in s["prenatal"] if p[3] == "high" and p[4] is None)
            updated_k = min([exam_k] + [x[0] for x in early + outcomes + s["prenatal"]])
            void = s["void"]
            screening_rows.append((
                sid, void, "重复录入" if void else "", created if void else None, doctor if void else None,
                1 + (s["status"] != "draft") + (s["status"] == "assessed"), created, doctor,
                self.at(updated_k, 16), t, s["couple"], s["order"], days(exam_k), FACILITY, doctor, s["consent"],
                days(exam_k + r.randint(0, 1)), s["status"],
                self.at(s["complete_k"], 12) if s["complete_k"] is not None else None, s["risk"], assessed_at,
                doctor if assessed_at else None, advice,
                r.choice(REFERRALS) if s["risk"] == "high" else "",
                days(s["advised_k"]) if s["advised_k"] is not None else None, s["current"],
                "1" if pregnant else (latest_early[1] if latest_early else ""),
                days(latest_early[0]) if latest_early else None,
                days(pregnant[-1][2]) if pregnant else None, pregnant[-1][3] if pregnant else None,
                bool(s["prenatal"]), days(pending_high[-1]) if pending_high else None,
                outcomes[-1][1] if outcomes else "", days(outcomes[-1][0]) if outcomes else None))
            worker = r.choice(self.clinicians)
            for k, result, lmp_k, visit in early:
                early_id += 1
                at = self.at(k, 10)
                early_rows.append((
                    early_id, False, "", None, None, at, worker, at, t, sid, worker, "", days(k), result,
                    days(lmp_k) if lmp_k is not None else None, True,
                    r.choice(("3m_before", "1m_before", "after", "none")) if result == "1" else "",
                    "[]", "[]", "", "县妇幼保健院" if result == "1" else "", "", visit))
            for k, test, ga, result, diagnosis in s["prenatal"]:
                prenatal_id += 1
                at = self.at(k, 11)
                prenatal_rows.append((
                    prenatal_id, False, "", None, None, at, worker, at, t, sid, worker, "", test, days(k), ga // 7,
                    ga % 7, result, f"T21 1/{r.randint(90, 270) if result == 'high' else r.randint(1000, 9000)}",
                    "县妇幼保健院", days(diagnosis[0]) if diagnosis else None,
                    "羊水穿刺染色体核型分析" if diagnosis else "", diagnosis[1] if diagnosis else ""))
            for k, result, outcome, delivery_k, visit in outcomes:
                outcome_id += 1
                at = self.at(k, 15)
                if result == "1":
                    weeks = (s["preg"]["lmp"] - delivery_k) // 7
                    live = outcome != "miscarriage"
                    weight = {"low_weight": r.randint(1800, 2490), "macrosomia": r.randint(4000, 4800),
                              "preterm": r.randint(2000, 2900)}.get(outcome, r.randint(2600, 3900))
                    outcome_rows.append((
                        outcome_id, False, "", None, None, at, worker, at, t, sid, worker, "", days(k), result, outcome,
                        days(delivery_k), min(45, max(4, weeks)), weight if live else None,
                        r.choice("12") if live else "", False, r.choice(PLACES),
                        r.choice(("vaginal", "vaginal", "caesarean")) if live else "other", visit))
                else:
                    outcome_rows.append((outcome_id, False, "", None, None, at, worker, at, t, sid, worker, "",
                                         days(k), result, "", None, None, None, "", False, "", "", None))
        return screening_rows, result_rows, factor_rows, early_rows, outcome_rows, prenatal_rows


def _clinicians(ctx) -> list[int]:
    """The demo ``clinic`` and the county's other clinicians (created here: accounts has one)."""
    password = make_password(DEMO_PASSWORD)
    rng = ctx.rng("screening.users")
    User.objects.bulk_create([User(username=f"clinic_{k:02d}", name=demo_name(rng), role=Role.CLINICIAN,
                                   password=password) for k in range(1, CLINICIANS + 1)])
    return list(User.objects.filter(role=Role.CLINICIAN, is_active=True).order_by("id").values_list("id", flat=True))


def generate(ctx) -> None:
    builder = _Builder(ctx, _clinicians(ctx))
    builder.build()
    screenings, results, factors, early, outcome, prenatal = builder.rows()
    with ctx.fresh_tables(*TABLES):
        ctx.load("screening_screening", SCREENING_COLUMNS, screenings)
        ctx.load("screening_screeningresult", RESULT_COLUMNS, results)
        ctx.load("screening_screeningriskfactor", FACTOR_COLUMNS, factors)
        ctx.load("screening_earlypregnancyfollowup", EARLY_COLUMNS, early)
        ctx.load("screening_outcomefollowup", OUTCOME_COLUMNS, outcome)
        ctx.load("screening_prenatalscreening", PRENATAL_COLUMNS, prenatal)
    ctx.say(f"  {len(screenings)} screenings, {len(results)} results, {len(factors)} risk factors, "
            f"{len(early)} early, {len(outcome)} outcome follow-ups, {len(prenatal)} prenatal screenings")
    ids = [row[0] for row in screenings]
    townships = [row[9] for row in screenings]
    ctx.add_audit_objects(object_type="screening.screening", ids=ids, township_ids=townships, weight=0.08,
                          actions={"view": 8, "update": 3, "create": 1, "export": 0.3})
    ctx.data["screenings"] = {"ids": ids, "township_ids": townships}


def generate_after(ctx) -> None:
    """Every couple's stored next step (``PathwayState``), once every app's rows are in."""
    from screening.services.pathway_state import pathway_state_rebuild

    ctx.say(f"  {pathway_state_rebuild(today=ctx.today)} couples with a next step on the pathway")


def _pathway_state_mismatches() -> int:
    from screening.services.pathway_state import pathway_state_mismatches

    return pathway_state_mismatches()


# --- rules the services keep, as queries for violations (bench/check_data.py) -----------------------
_CURRENT = """(SELECT DISTINCT ON (couple_id) couple_id, id FROM screening_screening WHERE NOT is_void
    ORDER BY couple_id, exam_date DESC, id DESC)"""
_LATEST_EARLY = """(SELECT DISTINCT ON (screening_id) screening_id, result, followed_on
    FROM screening_earlypregnancyfollowup WHERE NOT is_void ORDER BY screening_id, followed_on DESC, id DESC)"""
_PREGNANT = """(SELECT DISTINCT ON (screening_id) screening_id, lmp, pregnancy_visit_id
    FROM screening_earlypregnancyfollowup WHERE NOT is_void AND result = '1'
    ORDER BY screening_id, followed_on DESC, id DESC)"""
_LATEST_OUTCOME = """(SELECT DISTINCT ON (screening_id) screening_id, result, followed_on
    FROM screening_outcomefollowup WHERE NOT is_void ORDER BY screening_id, followed_on DESC, id DESC)"""
_PRENATAL = """(SELECT screening_id, true AS done, min(tested_on) FILTER (WHERE result = 'high'
    AND diagnosis_result = '') AS high_since FROM screening_prenatalscreening WHERE NOT is_void GROUP BY 1)"""

CHECKS = {
    # services.pathway_state keeps it; the rule itself is the queue's own (selectors.queue).
    "stored next step is not what the pathway's rule says today": _pathway_state_mismatches,
    "screening township is not its couple's": """SELECT count(*) FROM screening_screening s
        JOIN households_couple c ON c.id = s.couple_id WHERE s.township_id <> c.township_id""",
    "follow-up or prenatal screening township is not its screening's": """SELECT
        (SELECT count(*) FROM screening_earlypregnancyfollowup f JOIN screening_screening s ON s.id = f.screening_id
            WHERE f.township_id <> s.township_id)
        + (SELECT count(*) FROM screening_outcomefollowup f JOIN screening_screening s ON s.id = f.screening_id
            WHERE f.township_id <> s.township_id)
        + (SELECT count(*) FROM screening_prenatalscreening f JOIN screening_screening s ON s.id = f.screening_id
            WHERE f.township_id <> s.township_id)""",
    "screening of a couple not in the register, or before the couple was registered": """SELECT count(*)
        FROM screening_screening s JOIN households_couple c ON c.id = s.couple_id
        WHERE NOT s.is_void AND (NOT c.in_register OR c.is_void
            OR s.exam_date < (c.created_at AT TIME ZONE 'Asia/Shanghai')::date
            OR s.exam_date > (now() AT TIME ZONE 'Asia/Shanghai')::date OR s.consent_on > s.exam_date)""",
    "is_current is not the couple's latest active screening": f"""SELECT count(*) FROM screening_screening s
        LEFT JOIN {_CURRENT} cur ON cur.couple_id = s.couple_id WHERE s.is_current <> (cur.id = s.id)""",
    "status, risk level and assessment columns disagree": """SELECT count(*) FROM screening_screening
        WHERE (status = 'assessed') <> (risk_level <> '') OR (status = 'assessed') <> (assessed_at IS NOT NULL)
        OR (status = 'draft') <> (completed_at IS NULL) OR (advised_on IS NOT NULL AND status <> 'assessed')""",
    "risk level is not what the confirmed factors say": """SELECT count(*) FROM screening_screening s
        WHERE s.status = 'assessed' AND (s.risk_level = 'high') <> EXISTS (SELECT 1
            FROM screening_screeningriskfactor f WHERE f.screening_id = s.id)""",
    "risk factor from a rule without a result of its field for that spouse": """SELECT count(*)
        FROM screening_screeningriskfactor f JOIN screening_riskrule r ON r.id = f.rule_id
        WHERE NOT EXISTS (SELECT 1 FROM screening_screeningresult x WHERE x.screening_id = f.screening_id
            AND x.field_id = r.field_id AND x.subject = f.subject)""",
    "result of a spouse not examined or an item not for that sex": """SELECT count(*)
        FROM screening_screeningresult x JOIN screening_screening s ON s.id = x.screening_id
        JOIN screening_resultfield rf ON rf.id = x.field_id JOIN screening_screeningitem i ON i.id = rf.item_id
        WHERE (s.consent <> 'both' AND s.consent <> x.subject)
        OR NOT (CASE WHEN x.subject = 'female' THEN i.for_female ELSE i.for_male END)""",
    "completed screening missing a number or choice result": """SELECT count(*) FROM screening_screening s
        CROSS JOIN screening_resultfield rf JOIN screening_screeningitem i ON i.id = rf.item_id
        CROSS JOIN (VALUES ('female'), ('male')) AS sub(subject)
        WHERE s.status <> 'draft' AND NOT s.is_void AND rf.kind <> 'text' AND rf.is_active AND i.is_active
        AND (s.consent = 'both' OR s.consent = sub.subject)
        AND (CASE WHEN sub.subject = 'female' THEN i.for_female ELSE i.for_male END)
        AND NOT EXISTS (SELECT 1 FROM screening_screeningresult x WHERE x.screening_id = s.id
            AND x.field_id = rf.id AND x.subject = sub.subject)""",
    "result's flag, unit or range is not its field's judgement": """SELECT count(*)
        FROM screening_screeningresult x JOIN screening_resultfield rf ON rf.id = x.field_id
        WHERE x.unit <> rf.unit OR x.is_abnormal <> (COALESCE(x.auto_abnormal, false) <> x.overridden)
        OR (x.overridden AND x.override_reason = '')
        OR (rf.kind = 'number' AND (x.value_number IS NULL
            OR x.ref_low IS DISTINCT FROM CASE WHEN x.subject = 'male' AND (rf.ref_low_male IS NOT NULL
                OR rf.ref_high_male IS NOT NULL) THEN rf.ref_low_male ELSE rf.ref_low END
            OR x.ref_high IS DISTINCT FROM CASE WHEN x.subject = 'male' AND (rf.ref_low_male IS NOT NULL
                OR rf.ref_high_male IS NOT NULL) THEN rf.ref_high_male ELSE rf.ref_high END
            OR x.auto_abnormal IS DISTINCT FROM (x.value_number < x.ref_low OR x.value_number > x.ref_high)))
        OR (rf.kind = 'choice' AND (x.value_choice = '' OR x.auto_abnormal IS DISTINCT FROM
            NOT (rf.normal_values ? x.value_choice)))
        OR (rf.kind = 'text' AND x.auto_abnormal IS NOT NULL)""",
    "pathway columns are not what the active follow-ups say": f"""SELECT count(*) FROM screening_screening s
        LEFT JOIN {_LATEST_EARLY} e ON e.screening_id = s.id LEFT JOIN {_PREGNANT} p ON p.screening_id = s.id
        LEFT JOIN {_LATEST_OUTCOME} o ON o.screening_id = s.id LEFT JOIN {_PRENATAL} n ON n.screening_id = s.id
        WHERE s.early_result <> CASE WHEN p.screening_id IS NOT NULL THEN '1' ELSE COALESCE(e.result, '') END
        OR s.early_last_on IS DISTINCT FROM e.followed_on OR s.pregnancy_lmp IS DISTINCT FROM p.lmp
        OR s.pregnancy_visit_id IS DISTINCT FROM p.pregnancy_visit_id
        OR s.prenatal_done <> COALESCE(n.done, false) OR s.prenatal_high_since IS DISTINCT FROM n.high_since
        OR s.outcome_result <> COALESCE(o.result, '') OR s.outcome_last_on IS DISTINCT FROM o.followed_on""",
    "pregnancy not the linked visit's, or an outcome's visit not after the LMP": """SELECT
        (SELECT count(*) FROM screening_earlypregnancyfollowup f
            JOIN screening_screening s ON s.id = f.screening_id
            LEFT JOIN households_followupvisit v ON v.id = f.pregnancy_visit_id
            WHERE f.result = '1' AND (v.id IS NULL OR v.couple_id <> s.couple_id OR v.pregnancy_status <> 'pregnant'
                OR v.visit_date > f.followed_on OR abs(v.last_menstrual_period - f.lmp) > 28
                OR f.lmp > f.followed_on OR f.followed_on - f.lmp > 140 OR f.followed_on < s.exam_date))
        + (SELECT count(*) FROM screening_outcomefollowup f JOIN screening_screening s ON s.id = f.screening_id
            LEFT JOIN households_followupvisit v ON v.id = f.outcome_visit_id
            WHERE f.result = '1' AND (v.id IS NULL OR v.couple_id <> s.couple_id
                OR v.pregnancy_status NOT IN ('delivered', 'terminated') OR v.visit_date < s.pregnancy_lmp
                OR f.delivery_date < s.pregnancy_lmp OR f.delivery_date > f.followed_on
                OR (f.outcome = 'miscarriage') <> (v.pregnancy_status = 'terminated')))""",
    "follow-up of a screening not assessed, or before the exam or the LMP, or in the future": """SELECT
        (SELECT count(*) FROM screening_earlypregnancyfollowup f JOIN screening_screening s ON s.id = f.screening_id
            WHERE s.status <> 'assessed' OR f.followed_on < s.exam_date
            OR f.followed_on > (now() AT TIME ZONE 'Asia/Shanghai')::date)
        + (SELECT count(*) FROM screening_outcomefollowup f JOIN screening_screening s ON s.id = f.screening_id
            WHERE s.pregnancy_lmp IS NULL OR f.followed_on < s.pregnancy_lmp
            OR f.followed_on > (now() AT TIME ZONE 'Asia/Shanghai')::date)
        + (SELECT count(*) FROM screening_prenatalscreening f JOIN screening_screening s ON s.id = f.screening_id
            WHERE s.pregnancy_lmp IS NULL OR f.tested_on < s.pregnancy_lmp
            OR f.tested_on > (now() AT TIME ZONE 'Asia/Shanghai')::date
            OR abs(f.gestational_weeks * 7 + f.gestational_days - (f.tested_on - s.pregnancy_lmp)) > 14
            OR f.gestational_weeks * 7 + f.gestational_days NOT BETWEEN
                CASE f.test WHEN 'nt' THEN 77 ELSE 105 END AND CASE f.test WHEN 'nt' THEN 97 ELSE 146 END
            OR (f.diagnosis_result <> '' AND f.result <> 'high'))""",
}
