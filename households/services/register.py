"""Writes to the register: households, members, couples, intention surveys and 专人.

Every function owns its transaction and writes its own audit rows, so the views, the Excel import
and seed_demo get the same guarantees. Rule violations raise ``ValidationError`` with a Chinese
message (keyed by field where one applies) that a form can show next to what the user typed.
"""
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, User, Village
from accounts.roles import Role
from accounts.services import audit_log
from accounts.validators import parse_id_number

from ..marriage import enforce_marriage_date
from ..models import Assignment, Couple, FollowUpVisit, Household, IntentionSurvey, Person, Relation, Sex
from ..signals import couples_changed
from .common import save_versioned, void_record

HOUSEHOLD_FIELDS = ["village", "code", "address", "head_name", "phone", "hukou_type"]
PERSON_FIELDS = ["name", "id_number", "sex", "birth_date", "relation", "marital_status", "phone"]


class DuplicateIdNumber(ValidationError):
    """The ID number is already registered: link to ``existing`` instead of a second person."""

    def __init__(self, existing: Person):
        self.existing = existing
        # Generic on purpose: the holder may be registered in another township, whose people the
        # caller must not learn about. Views build a scoped message from ``existing``.
        super().__init__({"id_number": _("该身份证号已登记，不能重复登记。")}, code="duplicate_id_number")


def _check_village(village: Village, household: Household | None = None) -> None:
    if not village.is_active:
        raise ValidationError({"village": _("该村/社区已停用。")})
    if household is not None and household.township_id and village.township_id != household.township_id:
        raise ValidationError({"village": _("不能把家庭户改到其他镇/街道的村/社区。")})


@transaction.atomic
def household_create(
    *, by: User, village: Village, address: str, head_name: str, phone: str = "",
    hukou_type: str = "2", code: str = "", request=None,
) -> Household:
    """Register a household in ``village`` (its township follows the village). Returns it."""
    _check_village(village)
    household = Household(
        village=village, address=address.strip(), head_name=head_name.strip(), phone=phone.strip(),
        hukou_type=hukou_type, code=code.strip(), created_by=by,
    )
    household.full_clean()
    household.save()
    audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=household)
    return household


@transaction.atomic
def household_update(*, household: Household, by: User, expected_version: int, data: dict, request=None) -> Household:
    """Change a household's own fields; refuses if someone saved it since ``expected_version``."""
    if "village" in data:
        _check_village(data["village"], household)
    for name in HOUSEHOLD_FIELDS:
        if name in data:
            setattr(household, name, data[name])
    household.full_clean(exclude=["township"])
    fields = [f for f in HOUSEHOLD_FIELDS if f in data]
    old_head_name = Household.objects.values_list("head_name", flat=True).get(pk=household.pk)
    save_versioned(household, expected_version=expected_version, fields=fields)
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=household, detail=",".join(fields))
    if "head_name" in fields and household.head_name != old_head_name:
        _rename_head_member(household=household, by=by, request=request)
    return household


def _rename_head_member(*, household: Household, by: User, request=None) -> None:
    """The household's head was renamed: rename its member with relation 本人/户主 as well, when
    there is exactly one (with two or none, which one is meant is not known: left to the clerk).

    Only the name is written, and the member's version moves on, so a member form opened
    before this answers ``ConcurrentEdit`` instead of writing the old name back.
    """
    heads = list(
        Person.objects.select_for_update()
        .filter(household_id=household.pk, is_void=False, relation=Relation.SELF).values_list("pk", "name")[:2]
    )
    if len(heads) != 1 or heads[0][1] == household.head_name:
        return
    pk = heads[0][0]
    Person.objects.filter(pk=pk).update(
        name=household.head_name, version=F("version") + 1, updated_at=timezone.now())
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, object_type="households.person",
              object_id=pk, township_id=household.township_id, detail="name (household head renamed)")


def existing_person_with_id(id_number: str) -> Person | None:
    """The person holding ``id_number``, voided or not.

    The unique index covers voided people too (a number belongs to one person for good), so a
    voided holder must be found here as well: otherwise the insert would fail on the index with
    no person to link to. Active holders first.
    """
    if not id_number:
        return None
    return (
        Person.objects.select_related("household__township", "household__village")
        .filter(id_number=id_number).order_by("is_void", "id").first()
    )


def _check_person_facts(*, id_number: str, sex: str, birth_date: datetime.date | None) -> None:
    if not id_number:
        return
    info = parse_id_number(id_number)
    errors = {}
    if sex and sex != info.sex:
        errors["sex"] = _("性别与身份证号不符：身份证号显示为%(sex)s。") % {"sex": _("男") if info.sex == Sex.MALE else _("女")}
    if birth_date and birth_date != info.birth_date:
        errors["birth_date"] = _("出生日期与身份证号不符：身份证号显示为 %(d)s。") % {"d": info.birth_date.isoformat()}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def person_add(
    *, household: Household, by: User, name: str, id_number: str = "", sex: str = "", birth_date=None,
    relation: str = "0", marital_status: str = "20", phone: str = "", request=None,
) -> Person:
    """Add a member. Sex and birth date come from the ID number when not given, and must agree.

    Raises ``DuplicateIdNumber`` (carrying the existing person) if the number is registered:
    the caller links to that person instead of creating a second one.
    """
    id_number = (id_number or "").strip().upper()
    if id_number:
        info = parse_id_number(id_number)
        _check_person_facts(id_number=id_number, sex=sex, birth_date=birth_date)
        sex = sex or info.sex
        birth_date = birth_date or info.birth_date
        existing = existing_person_with_id(id_number)
        if existing is not None:
            raise DuplicateIdNumber(existing)
    person = Person(
        household=household, name=name.strip(), id_number=id_number, sex=sex, birth_date=birth_date,
        relation=relation, marital_status=marital_status, phone=(phone or "").strip(), created_by=by,
    )
    person.full_clean(validate_unique=False)
    try:
        # A savepoint: a concurrent registration of the same number loses cleanly on the
        # partial unique index instead of poisoning the caller's transaction.
        with transaction.atomic():
            person.save()
    except IntegrityError:
        existing = existing_person_with_id(id_number)
        if existing is None:
            raise
        raise DuplicateIdNumber(existing) from None
    audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=person,
              township_id=household.township_id)
    return person


@transaction.atomic
def person_update(*, person: Person, by: User, expected_version: int, data: dict, request=None) -> Person:
    """Change a member's own fields; refuses if someone saved the member since ``expected_version``.

    Only the member's own fields are written (``save_versioned``), so a void or a merge that
    happened while the form was open is not undone. The sex of the wife or husband of an active
    couple cannot change: the couple was registered on it.
    """
    current = Person.objects.select_for_update().select_related("household").get(pk=person.pk)
    if current.is_void or current.household.is_void:
        raise ValidationError(_("该成员或家庭户已作废，不能修改。"))
    new_id = (data.get("id_number", current.id_number) or "").strip().upper()
    data = {**data, "id_number": new_id}
    _check_person_facts(id_number=new_id, sex=data.get("sex", current.sex),
                        birth_date=data.get("birth_date", current.birth_date))
    if new_id:
        # Left blank on the form: taken from the number, as when the member was added.
        info = parse_id_number(new_id)
        data["sex"] = data.get("sex") or info.sex
        data["birth_date"] = data.get("birth_date") or info.birth_date
    if new_id and new_id != current.id_number:
        existing = existing_person_with_id(new_id)
        if existing is not None and existing.pk != person.pk:
            raise DuplicateIdNumber(existing)
    new_sex = data.get("sex", current.sex)
    if new_sex != current.sex and Couple.objects.filter(Q(wife=current) | Q(husband=current), is_void=False).exists():
        raise ValidationError({"sex": _("该成员是育龄夫妇登记中的妻子或丈夫，不能修改性别；如登记有误，请先作废夫妇记录。")})
    # The changes go onto the fresh row; ``person`` (the caller's copy) only after they are saved.
    fields = [f for f in PERSON_FIELDS if f in data]
    old_name = current.name
    for name in fields:
        setattr(current, name, data[name])
    current.full_clean(validate_unique=False)
    try:
        # A savepoint: a concurrent registration of the same number loses cleanly on the
        # partial unique index instead of poisoning the caller's transaction.
        with transaction.atomic():
            save_versioned(current, expected_version=expected_version, fields=fields)
    except IntegrityError:
        existing = existing_person_with_id(new_id)
        if existing is None or existing.pk == person.pk:
            raise
        raise DuplicateIdNumber(existing) from None
    for name in fields:
        setattr(person, name, getattr(current, name))
    person.version = current.version
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=person,
              township_id=current.household.township_id, detail=",".join(fields))
    if current.relation == Relation.SELF and current.name != old_name:
        # The head's name is on the household too: keep both the same. Only that field, and the
        # household's version moves on, so an open household form is refused, not overwritten.
        household = current.household
        if household.head_name != current.name:
            Household.objects.filter(pk=household.pk).update(
                head_name=current.name, version=F("version") + 1, updated_at=timezone.now())
            audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=household,
                      detail="head_name (head member renamed)")
    return person


def _check_couple(*, household: Household, wife: Person, husband: Person, on: datetime.date) -> None:
    errors = {}
    low, high = settings.HOUSEHOLDS_WIFE_AGE_RANGE
    if wife.sex != Sex.FEMALE:
        errors["wife"] = _("妻子应为女性。")
    elif not (low <= wife.age_on(on) <= high):
        errors["wife"] = _("妻子年龄应在 %(low)d–%(high)d 岁之间（现为 %(age)d 岁）。") % {
            "low": low, "high": high, "age": wife.age_on(on)}
    if husband.sex != Sex.MALE:
        errors["husband"] = _("丈夫应为男性。")
    for field, person in (("wife", wife), ("husband", husband)):
        if person.is_void:
            errors[field] = _("该成员已作废。")
        elif person.household.township_id != household.township_id:
            errors[field] = _("夫妇双方应在本镇/街道登记。")
    if wife.pk and Couple.objects.filter(wife=wife, is_void=False).exists():
        errors["wife"] = _("该妇女已登记为育龄夫妇，不能重复登记。")
    if husband.pk and "husband" not in errors and Couple.objects.filter(husband=husband, is_void=False).exists():
        errors["husband"] = _("该男子已在其他育龄夫妇登记中，不能重复登记。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def couple_create(
    *, household: Household, wife: Person, husband: Person, by: User, marriage_date=None,
    boys: int = 0, girls: int = 0, confirmed_early_marriage: bool = False, request=None,
) -> Couple:
    """Mark two members as a couple of childbearing age (wife 15–49). Returns the couple.

    The marriage date must follow both births; one before the legal marriage age raises
    ``EarlyMarriage`` unless ``confirmed_early_marriage`` (households/marriage.py).

    Neither spouse may be in another active couple. Both people are locked first, so a double
    submit (or two clerks at once) queues here and the second sees the first one's couple.
    """
    pks = sorted(p.pk for p in (wife, husband) if p.pk)
    if pks:
        # Primary-key order: two creates naming the same people cannot deadlock. The lock also
        # keeps person_void (which locks the person) from voiding a spouse mid-way.
        list(Person.objects.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk", flat=True))
        for p in (wife, husband):
            if p.pk:
                p.refresh_from_db(fields=["is_void", "sex", "birth_date", "household"])
    _check_couple(household=household, wife=wife, husband=husband, on=timezone.localdate())
    enforce_marriage_date(marriage_date, wife_birth=wife.birth_date, husband_birth=husband.birth_date,
                          confirmed=confirmed_early_marriage)
    couple = Couple(
        household=household, wife=wife, husband=husband, marriage_date=marriage_date, boys=boys, girls=girls,
        created_by=by,
    )
    couple.full_clean(exclude=["township"], validate_unique=False, validate_constraints=False)
    try:
        # A savepoint: losing the race on households_couple_wife_unique is a form error, not a 500.
        with transaction.atomic():
            couple.save()
    except IntegrityError:
        if not Couple.objects.filter(wife=wife, is_void=False).exists():
            raise
        raise ValidationError({"wife": _("该妇女已登记为育龄夫妇，不能重复登记。")}) from None
    audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=couple)
    return couple


@transaction.atomic
def couple_update(*, couple: Couple, by: User, expected_version: int, data: dict,
                  confirmed_early_marriage: bool = False, request=None) -> Couple:
    """Marriage date and children; refuses a stale form (version check). A changed marriage date
    is checked against the spouses' births as in ``couple_create``."""
    fields = [f for f in ("marriage_date", "boys", "girls") if f in data]
    if "marriage_date" in data and data["marriage_date"] != couple.marriage_date:
        enforce_marriage_date(data["marriage_date"], wife_birth=couple.wife.birth_date,
                              husband_birth=couple.husband.birth_date, confirmed=confirmed_early_marriage)
    for name in fields:
        setattr(couple, name, data[name])
    save_versioned(couple, expected_version=expected_version, fields=fields)
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=couple, detail=",".join(fields))
    return couple


def refresh_register_status(couple: Couple) -> None:
    """Recompute ``in_register`` and ``planned_timing`` from the couple's latest survey.

    ``couple`` must be fresh (locked by the caller): its ``in_register`` is the state before this
    survey, and its ``next_visit_due`` is written back. A couple entering the register, first
    time or again, is due one usual interval after the survey that put it there, unless an active
    follow-up visit is dated after that survey: then the visit's next due date stands.
    """
    latest = couple.surveys.order_by("-surveyed_on", "-id").first()
    was_in_register = couple.in_register
    couple.planned_timing = latest.planned_timing if latest else ""
    couple.in_register = bool(latest and latest.shows_intention)
    if couple.in_register and (not was_in_register or couple.next_visit_due is None):
        visit = (
            FollowUpVisit.objects.filter(couple_id=couple.pk, is_void=False, visit_date__gt=latest.surveyed_on)
            .order_by("-visit_date", "-id").only("next_due").first()
        )
        if visit is not None:
            couple.next_visit_due = visit.next_due
        else:
            couple.next_visit_due = latest.surveyed_on + datetime.timedelta(
                days=settings.HOUSEHOLDS_VISIT_INTERVAL_DAYS["not_pregnant"])
    Couple.objects.filter(pk=couple.pk).update(
        in_register=couple.in_register, planned_timing=couple.planned_timing, next_visit_due=couple.next_visit_due,
    )
    couples_changed.send(sender=Couple, couple_ids=[couple.pk])


@transaction.atomic
def survey_record(
    *, couple: Couple, by: User, planned_timing: str, surveyed_on=None, next_child_order=None,
    family_situation: str = "average", reasons=(), services_wanted=(), notes: str = "", request=None,
) -> IntentionSurvey:
    """Record an intention survey; the latest survey decides whether the couple is in the register.

    The couple is locked first: a survey and a visit (or two surveys) at once queue here, and the
    register columns are computed from the fresh row. A couple entering the register without a
    专人 gets the surveying user if they may be its 专人 (``assignable_staff``).
    """
    reasons = list(dict.fromkeys(reasons))
    if len(reasons) > 3:
        raise ValidationError({"reasons": _("生育原因最多选 3 项。")})
    surveyed_on = surveyed_on or timezone.localdate()
    if surveyed_on > timezone.localdate():
        raise ValidationError({"surveyed_on": _("摸底日期不能晚于今天。")})
    locked = Couple.objects.select_for_update().get(pk=couple.pk)
    if locked.is_void:
        raise ValidationError(_("该育龄夫妇记录已作废，不能摸底。"))
    survey = IntentionSurvey.objects.create(
        couple=locked, surveyor=by, surveyed_on=surveyed_on, planned_timing=planned_timing,
        next_child_order=next_child_order, family_situation=family_situation, reasons=reasons,
        services_wanted=list(dict.fromkeys(services_wanted)), notes=notes, created_by=by,
    )
    refresh_register_status(locked)
    audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=survey, township_id=locked.township_id)
    if (locked.in_register and locked.responsible_id is None
            and assignable_staff(locked.township_id).filter(pk=by.pk).exists()):
        couple_assign(couple=locked, staff=by, by=by, reason=_("摸底登记人"), request=request)
        locked.responsible = by
    # The caller's copy follows the row.
    couple.in_register, couple.planned_timing = locked.in_register, locked.planned_timing
    couple.next_visit_due, couple.responsible_id = locked.next_visit_due, locked.responsible_id
    return survey


def assignable_staff(township_id):
    """Who may be a couple's 专人: active clerks of the couple's township."""
    return User.objects.filter(role=Role.CLERK, township_id=township_id, is_active=True).order_by("name", "username")


@transaction.atomic
def couple_assign(*, couple: Couple, staff: User, by: User, reason: str = "", request=None) -> Assignment:
    """Make ``staff`` the couple's 专人. The previous assignment is closed, not overwritten."""
    if not assignable_staff(couple.township_id).filter(pk=staff.pk).exists():
        raise ValidationError({"staff": _("责任人须为本镇/街道在岗的镇街专干。")})
    # Lock the couple row: two clerks reassigning at once must not both leave an open row.
    couple = Couple.objects.select_for_update().get(pk=couple.pk)
    now = timezone.now()
    current = couple.assignments.filter(ended_at__isnull=True).first()
    if current is not None and current.staff_id == staff.pk:
        return current
    if current is not None:
        current.ended_at = now
        current.save(update_fields=["ended_at"])
    assignment = Assignment.objects.create(couple=couple, staff=staff, assigned_by=by, started_at=now, reason=reason)
    Couple.objects.filter(pk=couple.pk).update(responsible=staff)
    couple.responsible = staff
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=couple, detail=f"responsible={staff.pk}")
    return assignment


def likely_duplicates(*, township_id, name: str = "", birth_date=None, phone: str = "", exclude_household_id=None):
    """People who may be the one being entered: same name and birth date in the township, or
    the same phone (on a person or a household). A QuerySet, shown before saving."""
    match = Q(pk__in=[])
    if name and birth_date:
        match |= Q(name=name.strip(), birth_date=birth_date, township_id=township_id)
    if phone:
        phone = phone.strip()
        match |= Q(phone=phone, township_id=township_id)
        match |= Q(household__phone=phone, household__township_id=township_id, relation="0")
    qs = Person.objects.filter(match, is_void=False, household__is_void=False)
    if exclude_household_id:
        qs = qs.exclude(household_id=exclude_household_id)
    return qs.select_related("household__village").order_by("household_id", "id")[:10]


# --- Registration with duplicate checks, and voiding (views/register.py) -----------------------
class LikelyDuplicate(ValidationError):
    """Someone like the person being entered is registered already (same name and birth date in
    the township, or the same phone). ``matches`` are shown to the clerk, who may confirm that it is
    a different person and save anyway."""

    def __init__(self, matches):
        self.matches = list(matches)
        super().__init__(_("发现可能重复的登记，请核对下列记录；确认不是同一户后勾选确认再保存。"), code="likely_duplicate")


def check_likely_duplicates(*, township_id, name: str = "", birth_date=None, phone: str = "",
                            exclude_household_id=None) -> None:
    """Raise ``LikelyDuplicate`` if ``likely_duplicates`` finds anyone."""
    matches = list(likely_duplicates(township_id=township_id, name=name, birth_date=birth_date, phone=phone,
                                     exclude_household_id=exclude_household_id))
    if matches:
        raise LikelyDuplicate(matches)


@transaction.atomic
def household_register(
    *, by: User, village: Village, address: str, head_name: str, phone: str = "", hukou_type: str = "2",
    code: str = "", id_number: str = "", sex: str = "", birth_date=None, marital_status: str = "20",
    confirmed_not_duplicate: bool = False, request=None,
) -> Household:
    """Register a household with its head as the first member: both are written or neither.

    Refuses with ``DuplicateIdNumber`` (carrying the existing person) when the head's ID number is
    registered anywhere in the county, before anything is written. Unless
    ``confirmed_not_duplicate``, raises ``LikelyDuplicate`` when the same name and birth date is
    registered in the township or the phone is known there. Returns the household.
    """
    id_number = (id_number or "").strip().upper()
    birth_for_check = birth_date
    if id_number:
        info = parse_id_number(id_number)
        _check_person_facts(id_number=id_number, sex=sex, birth_date=birth_date)
        birth_for_check = birth_date or info.birth_date
        existing = existing_person_with_id(id_number)
        if existing is not None:
            raise DuplicateIdNumber(existing)
    if not confirmed_not_duplicate:
        check_likely_duplicates(
            township_id=village.township_id, name=head_name, birth_date=birth_for_check, phone=phone)
    household = household_create(
        by=by, village=village, address=address, head_name=head_name, phone=phone, hukou_type=hukou_type,
        code=code, request=request,
    )
    # person_add raises DuplicateIdNumber if the number was registered a moment ago by someone
    # else; the exception leaves this atomic block, so the household above is rolled back too.
    person_add(
        household=household, by=by, name=head_name, id_number=id_number, sex=sex, birth_date=birth_date,
        relation="0", marital_status=marital_status, request=request,
    )
    return household


def _void_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写作废原因。")})
    return reason


@transaction.atomic
def household_void(*, household: Household, by: User, reason: str, request=None) -> Household:
    """Void a household (never delete). Refused while it still has an active couple: the
    couple's register and visit work must be closed first, on purpose, not as a side effect."""
    reason = _void_reason(reason)
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.is_void:
        raise ValidationError(_("该家庭户已作废。"))
    if household.couples.filter(is_void=False).exists():
        raise ValidationError(_("该户还有未作废的育龄夫妇登记，请先核实并作废夫妇记录后再作废家庭户。"))
    void_record(household, by=by, reason=reason, request=request)
    # An edit form opened before the void must not bring the household back to life unnoticed.
    Household.objects.filter(pk=household.pk).update(version=models.F("version") + 1)
    household.version += 1
    return household


@transaction.atomic
def person_void(*, person: Person, by: User, reason: str, request=None) -> Person:
    """Void a member. Refused while the member is the wife or husband of an active couple."""
    reason = _void_reason(reason)
    person = Person.objects.select_for_update().select_related("household").get(pk=person.pk)
    if person.is_void:
        raise ValidationError(_("该成员已作废。"))
    if Couple.objects.filter(Q(wife=person) | Q(husband=person), is_void=False).exists():
        raise ValidationError(_("该成员在育龄夫妇登记中，请先作废夫妇记录。"))
    void_record(person, by=by, reason=reason, request=request)
    return person


@transaction.atomic
def couple_void(*, couple: Couple, by: User, reason: str, request=None) -> Couple:
    """Void a couple: it leaves the register, due lists and counts; its history stays."""
    reason = _void_reason(reason)
    couple = Couple.objects.select_for_update().get(pk=couple.pk)
    if couple.is_void:
        raise ValidationError(_("该育龄夫妇记录已作废。"))
    void_record(couple, by=by, reason=reason, request=request)
    Couple.objects.filter(pk=couple.pk).update(version=models.F("version") + 1)
    couple.version += 1
    # The 专人's responsibility ends with the record: no open assignment on a void couple.
    Assignment.objects.filter(couple=couple, ended_at__isnull=True).update(ended_at=timezone.now())
    couples_changed.send(sender=Couple, couple_ids=[couple.pk])
    return couple
