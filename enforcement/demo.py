"""Demo data for ``seed_demo``: designated facilities, ultrasound devices, tips, inspections and
cases in every stage of the workflow, with their event history.

Deterministic (seeded RNG, facility licence numbers derived from the township code) and
idempotent: a township that already has its demo facilities is skipped. Dates are relative to
the day the data is loaded, so the overdue lists, licence lists and figures always show
something. Rows are written directly (bulk, with the dates a real history would have) rather
than through the services, which stamp "now"; the services' rules are followed: numbers per year
with the counters caught up, one event per transition, tips turned into cases marked as such.
Reporter names are fictional.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, demo_name
from accounts.models import User
from accounts.roles import Role

from .models import (
    Case,
    CaseEvent,
    CaseParty,
    CaseStatus,
    Facility,
    Inspection,
    Tip,
    UltrasoundDevice,
)
from .models.cases import TERMINAL, stage_deadline_days
from .services.numbers import sequence_catch_up

S = CaseStatus
SIZES = {
    "small": {"facilities": 4, "tips": 6, "cases": 6, "inspections": 4},
    "county": {"facilities": 10, "tips": 16, "cases": 12, "inspections": 12},
}
KINDS = ["township_hc", "clinic", "clinic", "private", "community_hc", "hospital", "mch"]
FACILITY_WORDS = ["仁和", "康泰", "济民", "惠民", "安康", "博爱", "同济", "益生", "华康", "德仁", "百姓", "长寿"]
KIND_SUFFIX = {
    "township_hc": "卫生院",
    "clinic": "诊所",
    "private": "医院",
    "community_hc": "社区卫生服务中心",
    "hospital": "人民医院",
    "mch": "妇幼保健院",
}
MODELS = ["迈瑞 DC-30", "开立 S20", "GE LOGIQ P9", "飞利浦 ClearVue 550", "三星 HS40", "理邦 Acclarix AX8"]
ROOMS = ["B超室", "二楼彩超室", "妇科诊室", "检验科", "一楼 103 室"]
TIP_CONTENTS = [
    "听说{f}有人私下给孕妇做B超看男女，收费 500 元。",
    "有中介在{t}集市上介绍孕妇去外地鉴定胎儿性别。",
    "{f}晚上有陌生人进出，可能在做引产手术。",
    "某药店在卖打胎药，不要处方。",
    "微信群里有人发广告，说能验血查男女。",
    "{f}的医生给熟人看胎儿性别。",
]
FINDINGS = [
    "B超检查登记完整，孕检登记与身份证件核对一致。",
    "引流产登记缺 3 例的医学需要证明，已责令整改。",
    "终止妊娠药品台账记录完整，购进与使用数量一致。",
    "B超室未张贴“禁止非医学需要的胎儿性别鉴定”警示牌，已当场整改。",
    "药品台账缺少 2 笔米非司酮使用记录，需进一步调查。",
]
# The path to each stage; every demo township gets cases spread over all nine stages.
PATHS = {
    S.RECEIVED: [],
    S.PRELIMINARY: [S.PRELIMINARY],
    S.NOT_FILED: [S.PRELIMINARY, S.NOT_FILED],
    S.FILED: [S.PRELIMINARY, S.FILED],
    S.INVESTIGATING: [S.PRELIMINARY, S.FILED, S.INVESTIGATING],
    S.REFERRED: [S.PRELIMINARY, S.FILED, S.INVESTIGATING, S.REFERRED],
    S.DECIDED: [S.PRELIMINARY, S.FILED, S.INVESTIGATING, S.DECIDED],
    S.ENFORCED: [S.PRELIMINARY, S.FILED, S.INVESTIGATING, S.DECIDED, S.ENFORCED],
    S.CLOSED: [S.PRELIMINARY, S.FILED, S.INVESTIGATING, S.DECIDED, S.ENFORCED, S.CLOSED],
}
STATUS_ORDER = list(PATHS)
DAYS_PER_STEP = {
    S.PRELIMINARY: 3,
    S.NOT_FILED: 10,
    S.FILED: 12,
    S.INVESTIGATING: 2,
    S.REFERRED: 25,
    S.DECIDED: 35,
    S.ENFORCED: 7,
    S.CLOSED: 20,
}


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _inspectors(context) -> list[User]:
    """The demo inspector and a colleague (inspections are done in pairs)."""
    main = context["users"]["inspector"]
    colleague = User.objects.filter(username="inspector2").first()
    if colleague is None:
        colleague = User(username="inspector2", password=make_password(DEMO_PASSWORD))
    colleague.name, colleague.role, colleague.township = "钱进", Role.INSPECTOR, None
    colleague.save()
    return [main, colleague]


def seed(*, rng: random.Random, scale: str, context: dict) -> dict:
    today = timezone.localdate()
    sizes = SIZES[scale]
    inspectors = _inspectors(context)
    numbers = {"tip": {}, "case": {}}
    for kind, model in (("tip", Tip), ("case", Case)):
        for year, seq in model.objects.values_list("year", "seq"):
            numbers[kind][year] = max(numbers[kind].get(year, 0), seq)

    def number(kind: str, day: datetime.date) -> tuple[int, int]:
        numbers[kind][day.year] = numbers[kind].get(day.year, 0) + 1
        return day.year, numbers[kind][day.year]

    made = {"facilities": 0, "cases": 0}
    for township in context["townships"]:
        licence_prefix = f"PDY{township.code}"
        if Facility.objects.filter(licence_number__startswith=licence_prefix).exists():
            continue
        r = random.Random(f"{township.code}:{scale}:enforcement")
        facilities = _facilities(r, township, sizes["facilities"], today, licence_prefix, inspectors[0])
        _devices(r, facilities, today, inspectors[0])
        inspections = _inspections(r, facilities, sizes["inspections"], today, inspectors)
        tips = _tips(r, township, facilities, sizes["tips"], today, inspectors[0], number)
        cases = _cases(r, township, facilities, tips, inspections, sizes["cases"], today, inspectors, number)
        made["facilities"] += len(facilities)
        made["cases"] += len(cases)
    for kind in ("tip", "case"):
        for year, last in numbers[kind].items():
            sequence_catch_up(kind, year, last)
    return {"enforcement": made}


def _facilities(r, township, n, today, prefix, by) -> list[Facility]:
    rows = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)] if i else "township_hc"
        name = (
            township.name[:-1]
            if kind == "township_hc"
            else f"{township.name[:2]}{FACILITY_WORDS[(i + r.randrange(3)) % len(FACILITY_WORDS)]}"
        )
        # Licences: most valid for years; one expiring within the month, one lapsed (the lists).
        until = today + datetime.timedelta(
            days=[r.randint(200, 1500), 12, -20][i % 3] if i < 3 else r.randint(60, 1500)
        )
        ultrasound = kind in ("township_hc", "hospital", "mch", "private") or i == 1
        rows.append(
            Facility(
                township=township,
                name=f"{name}{KIND_SUFFIX[kind]}",
                kind=kind,
                address=f"{township.name}{r.choice(['人民路', '建设路', '中心街', '新华街'])}{r.randint(1, 200)}号",
                contact_person=demo_name(r),
                phone=f"0396-{r.randint(2000000, 8999999)}",
                licence_number=f"{prefix}{i + 1:03d}",
                licence_valid_from=until - datetime.timedelta(days=5 * 365),
                licence_valid_until=until,
                des_pregnancy_check=kind != "clinic",
                des_delivery=kind in ("township_hc", "hospital", "mch"),
                des_termination_surgery=kind in ("hospital", "mch"),
                des_ultrasound=ultrasound,
                des_termination_drugs=kind in ("hospital", "mch", "township_hc"),
                des_contraceptive_surgery=kind in ("township_hc", "hospital", "mch", "community_hc"),
                is_active=i != n - 1 or n < 4,
                closed_reason="" if i != n - 1 or n < 4 else "停业",
                created_by=by,
            )
        )
    return Facility.objects.bulk_create(rows)


def _devices(r, facilities, today, by):
    rows = []
    for i, facility in enumerate(facilities):
        # Clinics without the designation: the second one has a device anyway (the flag).
        count = 2 if facility.kind in ("hospital", "mch") else 1 if facility.des_ultrasound or i == 2 else 0
        for k in range(count):
            filed = today - datetime.timedelta(days=r.randint(30, 1200))
            rows.append(
                UltrasoundDevice(
                    township_id=facility.township_id,
                    facility=facility,
                    model_name=r.choice(MODELS),
                    serial_number=f"{facility.licence_number[-6:]}-{k + 1:02d}{r.randint(1000, 9999)}",
                    room=r.choice(ROOMS),
                    operators="、".join(demo_name(r) for _ in range(r.randint(1, 2))),
                    purchased_on=filed - datetime.timedelta(days=r.randint(5, 25)),
                    filed_on=filed,
                    created_by=by,
                )
            )
    UltrasoundDevice.objects.bulk_create(rows)


def _inspections(r, facilities, n, today, inspectors) -> list[Inspection]:
    rows = []
    for i in range(n):
        facility = facilities[i % len(facilities)]
        findings = FINDINGS[r.randrange(len(FINDINGS))]
        rows.append(
            Inspection(
                township_id=facility.township_id,
                facility=facility,
                inspected_on=today - datetime.timedelta(days=r.randint(1, 330)),
                checked_ultrasound_register=True,
                checked_termination_register=r.random() < 0.7,
                checked_drug_ledger=r.random() < 0.6,
                problems_found="缺" in findings or "未" in findings,
                findings=findings,
                created_by=inspectors[0],
            )
        )
    Inspection.objects.bulk_create(rows)
    through = Inspection.inspectors.through
    through.objects.bulk_create([through(inspection_id=i.pk, user_id=u.pk) for i in rows for u in inspectors])
    return rows


def _tips(r, township, facilities, n, today, by, number) -> list[Tip]:
    rows = []
    for i in range(n):
        received = today - datetime.timedelta(days=r.randint(1, 300) if i else 25)  # one pending past its deadline
        status = "pending" if i < 2 else ("dismissed" if i % 3 == 0 else "case_opened")
        handled = None if status == "pending" else min(received + datetime.timedelta(days=r.randint(2, 25)), today)
        year, seq = number("tip", received)
        anonymous = r.random() < 0.4
        rows.append(
            Tip(
                year=year,
                seq=seq,
                township=township,
                channel=r.choice(["phone", "phone", "letter", "visit", "online"]),
                received_on=received,
                content=TIP_CONTENTS[i % len(TIP_CONTENTS)].format(
                    f=facilities[i % len(facilities)].name, t=township.name
                ),
                reporter_name="" if anonymous else demo_name(r),
                reporter_contact="" if anonymous else f"13{r.randrange(10**9):09d}",
                status=status,
                handled_on=handled,
                handled_by=by if handled else None,
                dismissal_reason="经核查，举报内容与事实不符。" if status == "dismissed" else "",
                reward_amount=Decimal("5000") if status == "case_opened" and i % 4 == 1 else None,
                reward_paid_on=handled if status == "case_opened" and i % 4 == 1 else None,
                created_by=by,
            )
        )
    return Tip.objects.bulk_create(rows)


def _cases(r, township, facilities, tips, inspections, n, today, inspectors, number) -> list[Case]:
    tip_queue = [t for t in tips if t.status == "case_opened"]
    inspection_queue = [i for i in inspections if i.problems_found]
    cases, events, parties = [], [], []
    for i in range(n):
        status = STATUS_ORDER[(i + int(township.code[-2:])) % len(STATUS_ORDER)]
        path = PATHS[status]
        span = sum(DAYS_PER_STEP[s] for s in path)
        tip = tip_queue.pop() if tip_queue else None
        inspection = None if tip else (inspection_queue.pop() if inspection_queue else None)
        if status in TERMINAL:
            registered = (
                tip.handled_on
                if tip
                else (
                    inspection.inspected_on
                    if inspection
                    else today - datetime.timedelta(days=r.randint(span + 1, span + 200))
                )
            )
            registered = min(registered, today - datetime.timedelta(days=span))
        else:
            # Open cases: most entered their stage recently; every third one is past its deadline.
            registered = today - datetime.timedelta(days=span + (r.randint(60, 120) if i % 3 == 0 else r.randint(0, 2)))
        dates, day = {S.RECEIVED: registered}, registered
        for step in path:
            day = day + datetime.timedelta(days=DAYS_PER_STEP[step] + r.randint(0, 3))
            dates[step] = min(day, today)
        entered = dates[status]
        # Open cases: some within their stage deadline, some overdue (the overdue list).
        due = None if status in TERMINAL else entered + datetime.timedelta(days=stage_deadline_days(status) or 30)
        year, seq = number("case", registered)
        facility = facilities[(i + 1) % len(facilities)]
        source = (
            "tip"
            if tip
            else (inspection and "ultrasound_register")
            or r.choice(["termination_register", "drug_ledger", "pregnancy_followup", "referral"])
        )
        decided = S.DECIDED in path
        case = Case(
            year=year,
            seq=seq,
            township=township,
            source=source,
            tip=tip,
            inspection=inspection,
            title=f"{facility.name}涉嫌{'非医学需要鉴定胎儿性别' if i % 2 == 0 else '违规使用终止妊娠药品'}",
            description="根据线索，执法人员对该机构进行了调查。",
            status=status,
            violation_types=["sex_determination"] if i % 2 == 0 else ["illegal_drugs"],
            departments=["health"] + (["police"] if S.REFERRED in path else []),
            stage_entered_at=_at(entered),
            stage_due_on=due,
            registered_on=registered,
            filed_on=dates.get(S.FILED),
            referred_on=dates.get(S.REFERRED),
            decided_on=dates.get(S.DECIDED),
            closed_on=dates.get(S.CLOSED),
            dismissed_on=dates.get(S.NOT_FILED),
            decision_number=f"卫健罚〔{year}〕{seq}号" if decided else "",
            outcome_warning=decided,
            fine_amount=Decimal(r.choice([10000, 15000, 20000, 30000])) if decided and i % 2 == 0 else None,
            confiscated_amount=Decimal(r.choice([2000, 4500, 8000])) if decided and i % 3 == 0 else None,
            licence_revoked=decided and i % 5 == 0,
            referred_to_police=S.REFERRED in path,
            created_by=inspectors[0],
        )
        cases.append((case, path, dates, facility))
    Case.objects.bulk_create([c for c, *_ in cases])
    for case, path, dates, facility in cases:
        by = inspectors[case.seq % 2]
        events.append(CaseEvent(case=case, from_status="", to_status=S.RECEIVED, by=by, at=_at(dates[S.RECEIVED], 9)))
        previous = S.RECEIVED
        for step in path:
            reason = {
                S.NOT_FILED: "经初查，线索不实，不予立案。",
                S.REFERRED: "涉嫌非法行医罪，移送公安机关。",
                S.CLOSED: "处罚已执行完毕，结案。",
            }.get(step, "")
            events.append(
                CaseEvent(case=case, from_status=previous, to_status=step, by=by, at=_at(dates[step]), reason=reason)
            )
            previous = step
        parties.append(CaseParty(case=case, kind="facility", facility=facility, role="performer", created_by=by))
        if case.seq % 3 == 0:
            parties.append(
                CaseParty(
                    case=case,
                    kind="person",
                    name=demo_name(random.Random(case.seq)),
                    role="intermediary",
                    phone=f"13{case.seq:09d}",
                    created_by=by,
                )
            )
    CaseEvent.objects.bulk_create(events)
    CaseParty.objects.bulk_create(parties)
    if tip_queue:  # more tips marked "turned into a case" than cases to give them: dismiss the rest
        Tip.objects.filter(pk__in=[t.pk for t in tip_queue]).update(
            status="dismissed", dismissal_reason="经核查，举报内容与事实不符。"
        )
    return [c for c, *_ in cases]
