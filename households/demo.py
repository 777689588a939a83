"""Demo households for ``seed_demo``: realistic names, addresses and valid ID numbers.

Deterministic (the command passes a seeded RNG; each village also seeds its own from its code)
and idempotent: households carry an 18-digit county household code (12-digit village code +
2-digit group + 4-digit serial), and a village that already has its demo households is skipped.
Dates are relative to the day the data is loaded, so the due and overdue lists always show
something to do.

Rows are bulk-inserted: ``small`` must load in seconds and ``county`` (≈7,000 households) in well
under a minute. The denormalised columns the services normally maintain (township, register
status, next visit due, 专人) are therefore set here explicitly, by the same rules.
"""
import datetime
import random

from django.conf import settings
from django.utils import timezone

from accounts.demo import MALE_CHARS, SURNAMES, demo_name
from accounts.models import User, Village
from accounts.roles import Role
from accounts.validators import build_id_number

from .models import (
    INTENTION_TIMINGS, Assignment, Couple, FollowUpVisit, Household, IntentionSurvey, OutreachVisit, Person,
    PregnancyStatus, WorkGroup,
)

HOUSEHOLDS_PER_VILLAGE = {"small": 10, "county": 40}
BIRTH_AREA_CODES = ["411099", "411002", "410102", "411521", "411099", "411099"]  # mostly local births
GROUP_NAMES = ["一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组"]
STREETS = ["人民路", "建设路", "文化路", "和平街", "解放路", "新华街"]
SERVICES = ["screening_referral", "prenatal_care", "health_education"]
NOTES = [
    "已宣传免费孕前优生健康检查政策，夫妇表示近期去服务站检查。",
    "已发放叶酸，讲解孕前保健知识。",
    "丈夫外出务工，电话随访妻子，情况稳定。",
    "已告知产前筛查时间，建议按时产检。",
    "家庭关系和睦，计划明年生育，已登记服务需求。",
    "",
]


def _person_name(rng: random.Random, sex: str, surname: str | None = None) -> str:
    name = demo_name(rng, sex)
    return (surname + name[1:]) if surname else name


def seed(*, rng: random.Random, scale: str, context: dict) -> dict:
    today = timezone.localdate()
    townships = context["townships"]
    intervals = settings.HOUSEHOLDS_VISIT_INTERVAL_DAYS
    used_ids = set(Person.objects.exclude(id_number="").values_list("id_number", flat=True))

    def new_id(birth: datetime.date, sex: str, r: random.Random) -> str:
        while True:
            seq = r.randrange(0, 500) * 2 + (1 if sex == "1" else 0)
            number = build_id_number(r.choice(BIRTH_AREA_CODES), birth, seq)
            if number not in used_ids:
                used_ids.add(number)
                return number

    created = 0
    for township in townships:
        clerks = list(User.objects.filter(role=Role.CLERK, township=township, is_active=True).order_by("username"))
        # Records are entered by the township's own clerks, never by the system administrator.
        seeding_user = clerks[0] if clerks else None
        for village in Village.objects.filter(township=township).order_by("code"):
            existing = set(Household.objects.filter(village=village).values_list("code", flat=True))
            r = random.Random(f"{village.code}:{scale}")
            households, people, couples_spec = [], [], []
            for n in range(HOUSEHOLDS_PER_VILLAGE[scale]):
                group = n % 6 + 1
                code = f"{village.code}{group:02d}{n + 1:04d}"
                hh_rng = random.Random(code)  # every household's details depend on its code only
                if code in existing:
                    continue
                surname = hh_rng.choice(SURNAMES)
                husband_birth = today - datetime.timedelta(days=hh_rng.randint(24 * 365, 48 * 365))
                wife_birth = today - datetime.timedelta(days=hh_rng.randint(21 * 365, 46 * 365))
                husband = _person_name(hh_rng, "1", surname)
                if village.kind == "community":
                    address = f"{hh_rng.choice(STREETS)}{hh_rng.randint(1, 300)}号{hh_rng.randint(1, 6)}单元"
                else:
                    address = f"{GROUP_NAMES[group - 1]}{hh_rng.randint(1, 80)}号"
                phone = f"1{hh_rng.choice('35789')}{hh_rng.randrange(10**9):09d}"
                households.append(Household(
                    township=township, village=village, code=code, address=address, head_name=husband,
                    phone=phone, hukou_type="2" if village.kind == "village" else hh_rng.choice("12"),
                    created_by=seeding_user,
                ))
                members = [
                    dict(name=husband, sex="1", birth=husband_birth, relation="0", marital="21", phone=phone),
                    dict(name=_person_name(hh_rng, "2"), sex="2", birth=wife_birth, relation="1", marital="21",
                         phone=f"1{hh_rng.choice('35789')}{hh_rng.randrange(10**9):09d}"),
                ]
                boys = girls = 0
                married_on = max(wife_birth, husband_birth) + datetime.timedelta(days=hh_rng.randint(22 * 365, 28 * 365))
                married_on = min(married_on, today - datetime.timedelta(days=400))
                earliest = married_on + datetime.timedelta(days=300)
                for _child in range(hh_rng.choice((0, 1, 1, 1, 2))):
                    if earliest >= today:
                        break
                    sex = hh_rng.choice("12")
                    birth = earliest + datetime.timedelta(days=hh_rng.randint(0, min(1500, (today - earliest).days - 1)))
                    earliest = birth + datetime.timedelta(days=700)  # siblings are at least two years apart
                    members.append(dict(name=_person_name(hh_rng, sex, surname), sex=sex, birth=birth,
                                        relation="2" if sex == "1" else "3", marital="10", phone=""))
                    boys += sex == "1"
                    girls += sex == "2"
                if hh_rng.random() < 0.3:
                    members.append(dict(name=surname + hh_rng.choice(MALE_CHARS) + hh_rng.choice(MALE_CHARS), sex="1",
                                        birth=husband_birth - datetime.timedelta(days=hh_rng.randint(24 * 365, 30 * 365)),
                                        relation="5", marital="20", phone=""))
                people.append(members)
                couples_spec.append(dict(married_on=married_on, boys=boys, girls=girls, rng=hh_rng))
            if not households:
                continue
            Household.objects.bulk_create(households)
            person_rows = []
            for household, members in zip(households, people, strict=True):
                for m in members:
                    person_rows.append(Person(
                        household=household, township_id=household.township_id, name=m["name"], sex=m["sex"], birth_date=m["birth"],
                        id_number=new_id(m["birth"], m["sex"], r), relation=m["relation"],
                        marital_status=m["marital"], phone=m["phone"], created_by=seeding_user,
                    ))
            Person.objects.bulk_create(person_rows)
            by_household: dict[int, list[Person]] = {}
            for p in person_rows:
                by_household.setdefault(p.household_id, []).append(p)
            _seed_couples(households, by_household, couples_spec, clerks, today, intervals, seeding_user)
            created += len(households)
    _seed_work_group(context, today)
    return {"households_created": created}


def _seed_couples(households, by_household, specs, clerks, today, intervals, seeding_user):
    couples, surveys, visits, assignments = [], [], [], []
    low, high = settings.HOUSEHOLDS_WIFE_AGE_RANGE
    for household, spec in zip(households, specs, strict=True):
        r = spec["rng"]
        husband, wife = by_household[household.pk][0], by_household[household.pk][1]
        if not (low <= wife.age_on(today) <= high) or r.random() < 0.15:
            continue
        couple = Couple(
            township_id=household.township_id, household=household, wife=wife, husband=husband,
            marriage_date=spec["married_on"], boys=spec["boys"], girls=spec["girls"], created_by=seeding_user,
        )
        couples.append(couple)
        if r.random() < 0.25:
            continue  # registered as a couple, not surveyed yet
        surveyed_on = today - datetime.timedelta(days=r.randint(20, 300))
        timing = r.choices(["1", "2", "3", "4", "5"], weights=[30, 25, 15, 10, 20])[0]
        clerk = clerks[r.randrange(len(clerks))] if clerks else None
        surveys.append((couple, dict(
            surveyed_on=surveyed_on, planned_timing=timing, next_child_order=couple.boys + couple.girls + 1,
            family_situation=r.choice(["good", "average", "average", "difficult"]),
            reasons=r.sample(["lonely", "both", "elders", "old_age"], k=r.randint(1, 2)),
            services_wanted=r.sample(["pre_pregnancy", "prenatal", "guidance", "childcare"], k=r.randint(1, 2)),
            surveyor=clerk or seeding_user,
        )))
        if timing in INTENTION_TIMINGS and clerk is not None:
            couple.in_register = True
            couple.planned_timing = timing
            couple.responsible = clerk
            assignments.append((couple, clerk, surveyed_on))
            # 0–3 follow-up visits after the survey; the latest decides status and next due.
            status = PregnancyStatus.NOT_PREGNANT
            day = surveyed_on
            next_due = surveyed_on + datetime.timedelta(days=intervals["not_pregnant"])
            last_visit = None
            for _ in range(r.choice((0, 1, 1, 2, 3))):
                day = day + datetime.timedelta(days=r.randint(20, 80))
                if day > today:
                    break
                status = r.choices(
                    [PregnancyStatus.NOT_PREGNANT, PregnancyStatus.PREGNANT, PregnancyStatus.DELIVERED],
                    weights=[70, 25, 5])[0]
                lmp = day - datetime.timedelta(days=r.randint(30, 90)) if status == PregnancyStatus.PREGNANT else None
                next_due = day + datetime.timedelta(days=intervals[status])
                visits.append((couple, dict(
                    visit_date=day, visitor=clerk, pregnancy_status=status, last_menstrual_period=lmp,
                    services=r.sample(SERVICES, k=r.randint(1, 2)), notes=r.choice(NOTES), next_due=next_due,
                )))
                last_visit = day
            # Spread the due dates: some overdue, some due this week, most later.
            if r.random() < 0.2:
                next_due = today - datetime.timedelta(days=r.randint(1, 40))
            elif r.random() < 0.2:
                next_due = today + datetime.timedelta(days=r.randint(0, 6))
            couple.pregnancy_status = status
            couple.last_visit_date = last_visit
            couple.next_visit_due = next_due
    Couple.objects.bulk_create(couples)
    IntentionSurvey.objects.bulk_create(
        [IntentionSurvey(couple=c, created_by=seeding_user, **data) for c, data in surveys]
    )
    Assignment.objects.bulk_create([
        Assignment(couple=c, staff=clerk, assigned_by=clerk,
                   started_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
                   reason="摸底登记人")
        for c, clerk, day in assignments
    ])
    rows = []
    for c, data in visits:
        # The couple's next due may have been spread above; keep each visit's own next_due valid.
        rows.append(FollowUpVisit(township_id=c.township_id, couple=c, created_by=data["visitor"], **data))
    FollowUpVisit.objects.bulk_create(rows)


def _seed_work_group(context, today):
    """Bureau staff member `bureau` is linked to two villages of the first two townships."""
    bureau = context["users"].get("bureau")
    if bureau is None:
        return
    group, _created = WorkGroup.objects.get_or_create(name="第一工作组（包村联户）")
    villages = []
    for township in context["townships"][:2]:
        villages += list(Village.objects.filter(township=township).order_by("code")[:1])
    group.villages.set(villages)
    group.members.add(bureau)
    # Leaders belong to work groups too (机关全体人员); bureau staff lead this one and link members.
    leader = context["users"].get("leader")
    if leader is not None:
        group.members.add(leader)
    if group.leader_id is None:
        group.leader = bureau
        group.save(update_fields=["leader"])
    if OutreachVisit.objects.filter(visitor=bureau).exists():
        return
    _seed_links(group, [u for u in (bureau, leader) if u is not None], today)
    r = random.Random("outreach")
    for household in Household.objects.filter(village__in=villages).order_by("code")[:6]:
        OutreachVisit.objects.create(
            household=household, visitor=bureau, visit_date=today - datetime.timedelta(days=r.randint(1, 60)),
            content=r.choice(["宣传生育支持政策和免费孕前检查", "了解家庭生育意愿和服务需求", "走访慰问，登记托育服务需求"]),
            needs=r.choice(["", "希望提供托育服务信息", "咨询生育登记办理流程"]), created_by=bureau,
        )
    _seed_needs(bureau)


LINKS_PER_CADRE = 20


def _seed_links(group, cadres, today):
    """联户: about 20 households of the group's villages per member (a household may have two cadres
    when the villages are small)."""
    from .services.cadres import cadre_link

    households = list(Household.objects.filter(village__work_groups=group, is_void=False).order_by("code")
                      .values_list("pk", flat=True)[:LINKS_PER_CADRE * len(cadres)])
    step = max(1, len(households) // len(cadres))
    for n, cadre in enumerate(cadres):
        rotated = households[n * step:] + households[:n * step]
        cadre_link(group=group, cadre=cadre, household_ids=rotated[:LINKS_PER_CADRE], by=group.leader)


def _seed_needs(bureau):
    """Needs of the visits that raised one: some still open (one overdue by date), some referred, one resolved."""
    from .services.needs import need_move, need_raise

    for n, visit in enumerate(OutreachVisit.objects.filter(visitor=bureau).exclude(needs="").order_by("visit_date")):
        need = need_raise(visit=visit, by=bureau)
        if n % 3 == 1:
            need_move(need=need, by=bureau, to="referred", note="镇卫生院妇幼保健科")
        elif n % 3 == 2:
            need_move(need=need, by=bureau, to="resolved", note="已电话告知办理流程和所需材料")

