"""Demo screenings for ``seed_demo``: about a third of the register's couples screened, with
realistic result distributions (about 13% high risk, docs/domain.md), follow-ups in every state and
prenatal screenings, so the queue, the rates and every page have something to show.

Deterministic (each couple's RNG is seeded from the wife's ID number) and idempotent (couples
that already have a screening are skipped). Screenings, results and risk factors are bulk-inserted
with the columns the services would set; follow-ups go through the services, so a pregnancy is
recorded once, on the household's visits, exactly as in real use.
"""
import datetime
import random
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from households.api import couple_visit_history, couples_county

from .models import (
    EarlyResult, OutcomeResult, PrenatalScreening, ResultField, RiskLevel, RiskRule, Screening, ScreeningResult,
    ScreeningRiskFactor,
)
from .services.followups import (
    early_follow_up_record, outcome_follow_up_record, prenatal_diagnosis_record, prenatal_screening_record,
)
from .services.pathway import refresh_pathway
from .services.pathway_state import pathway_state_rebuild
from .services.screenings import applicable_fields

DAY = datetime.timedelta(days=1)
SHARE_SCREENED = {"small": 0.55, "county": 0.35}
HIGH_RISK_SHARE = 0.13
# (field code, subject, value) — one of these makes a demo couple high risk through the rules.
RISK_FINDINGS = [
    ("rubella_igg", "female", "neg"), ("hbsag", "female", "pos"), ("hbsag", "male", "pos"), ("tsh", "female", "5.8"),
    ("hb", "female", "96"), ("glu", "female", "6.9"), ("alt", "male", "78"), ("vag_clean", "female", "3"),
    ("us_result", "female", "0"), ("hx_adverse", "female", "yes"), ("syphilis", "male", "pos"),
]


def _normal_value(field: ResultField, subject: str, r: random.Random):
    if field.kind == ResultField.Kind.CHOICE:
        normal = [str(v) for v in field.normal_values] or [str(field.choices[0][0])]
        return r.choice(normal) if field.code in ("abo", "hbsab", "hbeab", "cmv_igg", "toxo_igg") else normal[0]
    if field.kind == ResultField.Kind.NUMBER:
        low, high = field.range_for(subject)
        low, high = float(low if low is not None else 0), float(high if high is not None else 1)
        value = low + (high - low) * r.uniform(0.2, 0.8)
        return str(round(Decimal(value), field.decimals))
    if field.code == "us_report":
        return f"US{r.randrange(10**6):06d}"
    return ""


def _result(screening, field, subject, raw, by) -> ScreeningResult:
    from .services.judging import judge

    row = judge(field, subject, number=raw, choice=raw, text=raw)
    return ScreeningResult(screening=screening, field=field, subject=subject, entered_by=by,
                           tested_on=screening.exam_date, is_abnormal=bool(row["auto_abnormal"]), **row)


def seed(*, rng: random.Random, scale: str, context: dict) -> dict:
    today = timezone.localdate()
    clinician = User.objects.filter(role=Role.CLINICIAN, is_active=True).order_by("username").first()
    if clinician is None:
        return {}
    couples = list(couples_county().filter(is_void=False, in_register=True, screenings__isnull=True)
                   .order_by("township__sort_order", "id"))
    rules = list(RiskRule.objects.filter(is_active=True).select_related("field"))
    screenings, plans = [], []
    for couple in couples:
        r = random.Random(f"screening:{couple.wife.id_number}")
        weight = SHARE_SCREENED[scale] * (1.6 if couple.planned_timing == "1" else 0.6)
        if r.random() >= weight:
            continue
        exam = today - r.randint(3, 480) * DAY
        status = Screening.Status.ASSESSED
        if r.random() < 0.08:  # a few started in the last fortnight and not finished yet
            exam = today - r.randint(0, 20) * DAY
            status = r.choice([Screening.Status.DRAFT, Screening.Status.COMPLETE])
        screening = Screening(
            couple=couple, township_id=couple.township_id, planned_child_order=couple.boys + couple.girls + 1,
            exam_date=exam, facility="县妇幼保健计划生育服务中心", doctor=clinician,
            consent=r.choices(["both", "female"], weights=[85, 15])[0], consent_on=exam, status=status,
            # Set from the results below (the constraint wants a level on every assessed row).
            risk_level=RiskLevel.GENERAL if status == Screening.Status.ASSESSED else "",
            is_current=True, created_by=clinician)
        screenings.append(screening)
        plans.append((screening, r, r.random() < HIGH_RISK_SHARE))
    # Screening.save() looks the township up per row; bulk_create skips it (the column is set above).
    Screening.objects.bulk_create(screenings)
    results, factors = [], []
    for screening, r, high in plans:
        finding = r.choice([f for f in RISK_FINDINGS if f[1] in screening.subjects]) if high else None
        rows = []
        for subject, field in applicable_fields(screening):
            raw = finding[2] if finding and (field.code, subject) == finding[:2] else _normal_value(field, subject, r)
            if screening.status == Screening.Status.DRAFT and r.random() < 0.5:
                continue
            if raw != "":
                rows.append(_result(screening, field, subject, raw, clinician))
        results += rows
        if screening.status != Screening.Status.ASSESSED:
            continue
        matched = [(rule, res) for rule in rules for res in rows if res.field_id == rule.field_id and rule.matches(res)]
        for rule, res in matched:
            factors.append(ScreeningRiskFactor(screening=screening, subject=res.subject, domain=rule.domain,
                                               description=rule.factor, advice=rule.advice, rule=rule,
                                               confirmed_by=clinician))
        screening.risk_level = RiskLevel.HIGH if matched else RiskLevel.GENERAL
        screening.assessed_by = clinician
        screening.assessed_at = timezone.make_aware(datetime.datetime.combine(screening.exam_date, datetime.time(15)))
        screening.advice = "\n".join(rule.advice for rule, _res in matched)
        # Most letters were given the same week; a few high-risk couples still wait for theirs.
        if r.random() < (0.75 if matched else 0.95):
            screening.advised_on = min(screening.exam_date + r.randint(0, 5) * DAY, today)
    ScreeningResult.objects.bulk_create(results, batch_size=2000)
    ScreeningRiskFactor.objects.bulk_create(factors, batch_size=2000)
    Screening.objects.bulk_update([s for s, _r, _h in plans], ["risk_level", "assessed_by", "assessed_at", "advice",
                                                                "advised_on"], batch_size=1000)
    followed = 0
    for screening, r, _high in plans:
        if screening.status == Screening.Status.ASSESSED:
            followed += _follow_up(screening, r, clinician, today)
    # Every couple's stored next step (the households demo wrote its couples without services).
    states = pathway_state_rebuild(today=today)
    return {"screenings_created": len(plans), "screening_follow_ups": followed, "pathway_states": states}


def _follow_up(screening: Screening, r: random.Random, by, today) -> int:
    """Early, prenatal and outcome follow-ups through the services, as far as time has passed."""
    exam, n = screening.exam_date, 0
    first_due = exam + 90 * DAY
    if first_due > today or r.random() < 0.2:
        return 0  # not yet due, or due and not done (the rates and queue show it)
    outcome = r.choices(["pregnant", "not_pregnant", "lost"], weights=[60, 32, 8])[0]
    lmp = exam + r.randint(20, 110) * DAY
    followed_on = lmp + r.randint(42, 84) * DAY
    couple = screening.couple
    if couple.pregnancy_status == "pregnant" and couple.last_visit_date and couple.last_visit_date >= exam:
        # The township's visits found her pregnant already: the follow-up confirms that pregnancy.
        visit = couple_visit_history(couple).filter(is_void=False, pregnancy_status="pregnant").first()
        if visit is None or visit.last_menstrual_period < exam - 30 * DAY:
            return 0
        outcome, lmp = "pregnant", visit.last_menstrual_period
        followed_on = min(max(visit.visit_date, lmp + 42 * DAY), today)
    if outcome != "pregnant":
        early_follow_up_record(screening=screening, by=by, followed_on=min(first_due + r.randint(0, 20) * DAY, today),
                               result=EarlyResult.NOT_PREGNANT if outcome == "not_pregnant" else EarlyResult.LOST)
        return 1
    if followed_on > today:
        return 0
    try:
        early_follow_up_record(
            screening=screening, by=by, followed_on=followed_on, result=EarlyResult.PREGNANT, lmp=lmp,
            folic_acid=r.choice(["3m_before", "3m_before", "1m_before", "after", "none"]),
            exposures=r.sample(["pets", "smoke", "pesticide"], k=r.choice((0, 0, 1))),
            confirming_facility="乡镇卫生院", ultrasound="宫内早孕")
    except Exception:  # noqa: BLE001 - a demo couple whose visits disagree is left at its early step
        return 0
    n += 1
    screening.pregnancy_lmp = lmp
    for test, (lo, hi), share in ((PrenatalScreening.Test.NT, (78, 96), 0.75),
                                  (PrenatalScreening.Test.SERUM, (106, 140), 0.6)):
        day = r.randint(lo, hi)
        if lmp + day * DAY <= today and r.random() < share:
            high = r.random() < 0.05
            prenatal = prenatal_screening_record(
                screening=screening, by=by, test=test, tested_on=lmp + day * DAY, gestational_weeks=day // 7,
                gestational_days=day % 7,
                result=PrenatalScreening.Result.HIGH if high else PrenatalScreening.Result.LOW,
                detail="T21 1/180" if high else "", facility="县妇幼保健院")
            n += 1
            if high and lmp + (day + 14) * DAY <= today and r.random() < 0.6:
                prenatal_diagnosis_record(prenatal=prenatal, by=by, diagnosis_on=lmp + (day + 14) * DAY,
                                          method="羊水穿刺染色体核型分析", result=PrenatalScreening.Diagnosis.NORMAL)
    due = lmp + (280 + 14) * DAY
    if due <= today and r.random() < 0.75:
        delivered = lmp + r.randint(259, 290) * DAY
        result = r.choices([OutcomeResult.DELIVERED, OutcomeResult.LOST], weights=[90, 10])[0]
        outcome_follow_up_record(
            screening=screening, by=by, followed_on=min(due + r.randint(0, 20) * DAY, today), result=result,
            outcome=r.choices(["normal", "preterm", "low_weight", "macrosomia"], weights=[85, 6, 5, 4])[0],
            delivery_date=delivered, gestational_weeks=(delivered - lmp).days // 7,
            birth_weight_g=r.randint(2600, 4000), infant_sex=r.choice("12"), place="县妇幼保健院",
            method=r.choice(["vaginal", "vaginal", "caesarean"]))
        n += 1
    elif lmp + 265 * DAY <= today < due and r.random() < 0.3:
        outcome_follow_up_record(screening=screening, by=by, followed_on=today, result=OutcomeResult.NOT_DELIVERED)
        n += 1
    refresh_pathway(screening.pk, state=False)
    return n
