"""The household register: households, people, couples, intention surveys, the 专人 assignment
history, follow-up visits, work groups (包村联户) and their outreach visits, merges and imports.

The register exists to deliver services (2021 Population and Family Planning Law): nothing here
records penalties, permits or "out-of-policy" flags, and the preferred sex of the next child is
deliberately not collected (docs/domain.md: it has no service purpose and invites sex selection).

Scoping: every model reaches its township. Household, Couple, FollowUpVisit and OutreachVisit
carry a ``township`` column (copied from the village when the row is written) so that the
township filter every list starts with is one indexed column, not a join.
"""
import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Right
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Township, Village
from accounts.roles import Role
from accounts.scoping import Scope, ScopedQuerySet
from accounts.validators import mask_id_number, validate_id_number
from core.models import Timestamped, Versioned, Voidable, VoidableQuerySet


# --- Code tables (docs/domain.md) -------------------------------------------------------------
class HukouType(models.TextChoices):
    NON_AGRICULTURAL = "1", _("非农业")
    AGRICULTURAL = "2", _("农业")
    OTHER = "9", _("其他")


class Sex(models.TextChoices):  # GB/T 2261.1
    MALE = "1", _("男")
    FEMALE = "2", _("女")


class Relation(models.TextChoices):  # GB/T 4761, one digit
    SELF = "0", _("本人/户主")
    SPOUSE = "1", _("配偶")
    SON = "2", _("子")
    DAUGHTER = "3", pgettext_lazy("relation to head", "女")
    GRANDCHILD = "4", _("孙辈")
    PARENT = "5", _("父母")
    GRANDPARENT = "6", _("祖父母")
    SIBLING = "7", _("兄弟姐妹")
    OTHER = "8", _("其他")


class MaritalStatus(models.TextChoices):  # GB/T 2261.2
    UNMARRIED = "10", _("未婚")
    MARRIED = "20", _("已婚")
    FIRST_MARRIAGE = "21", _("初婚")
    REMARRIAGE = "22", _("再婚")
    REMARRIED_SAME = "23", _("复婚")
    WIDOWED = "30", _("丧偶")
    DIVORCED = "40", _("离婚")
    UNSTATED = "90", _("未说明")


class PlannedTiming(models.TextChoices):
    WITHIN_1Y = "1", _("一年内")
    WITHIN_2Y = "2", _("两年内")
    WITHIN_3Y = "3", _("三年内")
    LATER = "4", _("更晚")
    NOT_PLANNED = "5", _("未计划")


# Timings that count as an intention: the couple enters the register (摸底造册).
INTENTION_TIMINGS = (PlannedTiming.WITHIN_1Y, PlannedTiming.WITHIN_2Y, PlannedTiming.WITHIN_3Y, PlannedTiming.LATER)


class FamilySituation(models.TextChoices):
    GOOD = "good", _("较好")
    AVERAGE = "average", _("一般")
    DIFFICULT = "difficult", _("困难")


class IntentionReason(models.TextChoices):
    LONELY = "lonely", _("一个孩子太孤单")
    BOTH = "both", _("儿女双全")
    ELDERS = "elders", _("长辈希望")
    OLD_AGE = "old_age", _("养老保障")
    OTHER = "other", _("其他")


class WantedService(models.TextChoices):
    PRE_PREGNANCY = "pre_pregnancy", _("免费孕前优生健康检查")
    PRENATAL = "prenatal", _("孕产期保健")
    INFERTILITY = "infertility", _("不孕不育诊治")
    GUIDANCE = "guidance", _("优生优育指导")
    CHILDCARE = "childcare", _("托育服务")
    OTHER = "other", _("其他")


class PregnancyStatus(models.TextChoices):
    NOT_PREGNANT = "not_pregnant", _("未孕")
    PREGNANT = "pregnant", _("已孕")
    DELIVERED = "delivered", _("已分娩")
    TERMINATED = "terminated", _("妊娠终止")


class VisitService(models.TextChoices):
    SCREENING_REFERRAL = "screening_referral", _("转介免费孕前优生健康检查")
    PRENATAL_CARE = "prenatal_care", _("孕产期保健")
    HEALTH_EDUCATION = "health_education", _("健康教育")
    OTHER = "other", _("其他")


# --- Querysets: who sees what (docs/domain.md, "Roles and what they may see") ---------------
class HouseholdQuerySet(VoidableQuerySet, ScopedQuerySet):
    township_path = "township"
    village_path = "village"
    scopes = {Role.CLERK: Scope.TOWNSHIP, Role.BUREAU_STAFF: Scope.LINKED_VILLAGES, Role.LEADER: Scope.LINKED_VILLAGES}

class PersonQuerySet(VoidableQuerySet, ScopedQuerySet):
    # Person carries its household's township (kept by Person.save): a clerk's search reads the
    # township's people through an index instead of joining the county's households.
    township_path = "township"
    village_path = "household__village"
    scopes = HouseholdQuerySet.scopes

class CoupleQuerySet(VoidableQuerySet, ScopedQuerySet):
    township_path = "township"
    village_path = "household__village"
    # Bureau staff visit households; the couple register and its intention data stay with the
    # township that serves them.
    scopes = {Role.CLERK: Scope.TOWNSHIP}
    def in_register(self):
        """摸底造册: active couples whose latest survey shows an intention."""
        return self.filter(is_void=False, in_register=True)

    def due_by(self, day: datetime.date):
        return self.in_register().filter(next_visit_due__lte=day)


class FollowUpVisitQuerySet(VoidableQuerySet, ScopedQuerySet):
    township_path = "township"
    village_path = "couple__household__village"
    scopes = {Role.CLERK: Scope.TOWNSHIP}

class OutreachVisitQuerySet(ScopedQuerySet):
    township_path = "township"
    village_path = "household__village"
    # Township clerks see the bureau's visits to their households; bureau staff and leaders (every
    # member of the bureau may belong to a work group) their linked villages.
    scopes = {Role.CLERK: Scope.TOWNSHIP, Role.BUREAU_STAFF: Scope.LINKED_VILLAGES, Role.LEADER: Scope.LINKED_VILLAGES}


class NeedQuerySet(OutreachVisitQuerySet):
    """群众诉求 follow the visit they were raised in: the township's clerks, the work group's villages."""


class TownshipOnlyQuerySet(ScopedQuerySet):
    """Imports and merges: the township's clerks only."""

    township_path = "township"
    scopes = {Role.CLERK: Scope.TOWNSHIP}


# --- The register --------------------------------------------------------------------------------
class Household(Voidable, Versioned, Timestamped):
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="households", verbose_name=_("镇/街道"), editable=False
    )
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="households", verbose_name=_("村/社区"))
    code = models.CharField(
        _("户编码"), max_length=18, blank=True,
        help_text=_("县内户编码：12 位区划代码 + 2 位组号 + 4 位序号，可不填。"),
    )
    address = models.CharField(
        _("家庭地址"), max_length=200, blank=True,
        help_text=_("组/街道门牌，例如：三组 12 号。可先不填（例如从只有村名的表格导入），该户显示为“待补全”。"),
    )
    head_name = models.CharField(_("户主姓名"), max_length=30)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    hukou_type = models.CharField(_("户口类型"), max_length=1, choices=HukouType.choices, default=HukouType.AGRICULTURAL)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from",
        verbose_name=_("已合并到"),
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("家庭户")
        verbose_name_plural = _("家庭户")
        ordering = ["village__code", "address", "id"]
        indexes = [
            # Household list: township scope, by village, then address (the list's order within a
            # village, so a page's keys and its capped total are read from the index alone).
            models.Index(fields=["township", "is_void", "village", "address", "id"], name="households_hh_list_order"),
            # Search by head's name and by phone (duplicate check on phone too).
            models.Index(fields=["township", "head_name"], name="households_hh_head_name"),
            models.Index(fields=["phone"], name="households_hh_phone"),
            # Household list filtered to 待补全 (no address yet): small, so a partial index.
            models.Index(fields=["township", "village"], condition=Q(address="", is_void=False),
                         name="households_hh_incomplete"),
        ]
        # PostgreSQL only (migration 0003): households_household_head_chars GIN
        # (string_to_array(lower(head_name), NULL)) and households_household_phone_trgm GIN
        # (phone gin_trgm_ops), for the household search (selectors.household_search).

    def __str__(self):
        return f"{self.head_name}（{self.village}{self.address}）"

    @property
    def is_incomplete(self) -> bool:
        """Registered without an address (imported from a sheet that had only the village)."""
        return not self.address
    # The audit ledger's words for a record (accounts.ledger): which one, never what it holds.
    audit_select_related = ("township", "village")

    def audit_label(self):
        return f"{self.head_name}（{self.township.name} {self.village.name} {self.address}）"

    def get_absolute_url(self):
        return reverse("households:household_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        # The township always follows the village: a household cannot sit in one township's list
        # while its village belongs to another.
        if self.village_id:
            self.township_id = Village.objects.values_list("township_id", flat=True).get(pk=self.village_id)
        super().save(*args, **kwargs)


class Person(Voidable, Versioned, Timestamped):
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"), editable=False,
        help_text=_("与所在家庭户的镇/街道一致，由系统填写。"),
    )
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("家庭户"))
    name = models.CharField(_("姓名"), max_length=30)
    id_number = models.CharField(
        _("身份证号"), max_length=18, blank=True, validators=[validate_id_number],
        help_text=_("18 位居民身份证号，末位 X 可小写；性别和出生日期据此核对。"),
    )
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    relation = models.CharField(_("与户主关系"), max_length=1, choices=Relation.choices, default=Relation.SELF)
    marital_status = models.CharField(
        _("婚姻状况"), max_length=2, choices=MaritalStatus.choices, default=MaritalStatus.MARRIED
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household", "relation", "birth_date"]
        constraints = [
            # One person per ID number in the county: a second registration links to the first.
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="households_person_id_number_unique"
            ),
        ]
        indexes = [
            # Likely-duplicate check: same name and birth date (within a township, via household).
            models.Index(fields=["name", "birth_date"], name="households_person_name_birth"),
            models.Index(fields=["phone"], name="households_person_phone"),
            # Searches by the last 4 characters of an ID number, inside the clerk's township
            # (selectors.person_match: ``id_number__last4``).
            models.Index(F("township"), Right("id_number", 4), name="households_person_id_tail"),
        ]
        # PostgreSQL only (migration 0003, not in the model state so SQLite needs nothing):
        #   households_person_name_chars  GIN (string_to_array(lower(name), NULL)) — name searches of
        #     any length (``name__has_text``, core/search.py), ANDed with the township index;
        #   households_person_phone_trgm  GIN (phone gin_trgm_ops) — phone fragments.

    def __str__(self):
        return self.name

    audit_select_related = ("household__township", "household__village")

    def audit_label(self):
        return f"{self.name}（{self.household.audit_label()}）"

    def get_absolute_url(self):
        return reverse("households:household_detail", args=[self.household_id]) + f"#person-{self.pk}"

    def save(self, *args, **kwargs):
        # The township always follows the household (services never move a person across
        # townships: merges and village changes stay inside one).
        if self.household_id:
            self.township_id = self.household.township_id
        super().save(*args, **kwargs)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def age(self) -> int:
        """Age today (Asia/Shanghai): what a visit needs, shown beside the masked ID number."""
        return self.age_on(timezone.localdate())

    def age_on(self, day: datetime.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class Couple(Voidable, Versioned, Timestamped):
    """育龄夫妇: the wife is 15–49 when registered (checked by the form and the service)."""

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="couples", verbose_name=_("镇/街道"), editable=False
    )
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="couples", verbose_name=_("家庭户"))
    wife = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="couples_as_wife", verbose_name=_("妻子"))
    husband = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="couples_as_husband", verbose_name=_("丈夫")
    )
    marriage_date = models.DateField(_("结婚日期"), null=True, blank=True)
    boys = models.PositiveSmallIntegerField(_("现有男孩数"), default=0)
    girls = models.PositiveSmallIntegerField(_("现有女孩数"), default=0)
    # Kept up to date by services.register (latest survey) and services.visits (latest visit):
    # the register, due and overdue lists filter and sort on these columns.
    in_register = models.BooleanField(_("在册"), default=False, editable=False)
    planned_timing = models.CharField(
        _("计划生育时间"), max_length=1, choices=PlannedTiming.choices, blank=True, editable=False,
        help_text=_("最近一次摸底的结果。"),
    )
    pregnancy_status = models.CharField(
        _("孕情"), max_length=12, choices=PregnancyStatus.choices, default=PregnancyStatus.NOT_PREGNANT, editable=False,
        help_text=_("最近一次随访的结果。"),
    )
    last_visit_date = models.DateField(_("最近随访日期"), null=True, blank=True, editable=False)
    next_visit_due = models.DateField(_("下次随访日期"), null=True, blank=True, editable=False)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="responsible_couples",
        verbose_name=_("责任人（专人）"), editable=False,
    )

    objects = CoupleQuerySet.as_manager()

    class Meta:
        verbose_name = _("育龄夫妇")
        verbose_name_plural = _("育龄夫妇")
        ordering = ["household", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(wife=models.F("husband")), name="households_couple_two_people"),
            # A woman is in at most one active couple record.
            models.UniqueConstraint(fields=["wife"], condition=Q(is_void=False), name="households_couple_wife_unique"),
        ]
        indexes = [
            # Register list: township, in register, by timing.
            models.Index(fields=["township", "in_register", "planned_timing"], name="households_couple_register"),
            # "Due and overdue": per responsible staff member and per township, most overdue first.
            models.Index(fields=["responsible", "next_visit_due"], name="households_couple_due_staff"),
            models.Index(fields=["township", "next_visit_due"], name="households_couple_due_township"),
        ]

    def __str__(self):
        return f"{self.wife.name} / {self.husband.name}"

    audit_select_related = ("wife", "husband", "household__township", "household__village")

    def audit_label(self):
        household = self.household
        return f"{self.wife.name} / {self.husband.name}（{household.township.name} {household.village.name} " \
               f"{household.address}）"

    def get_absolute_url(self):
        return reverse("households:couple_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        if self.household_id:
            self.township_id = Household.objects.values_list("township_id", flat=True).get(pk=self.household_id)
        super().save(*args, **kwargs)

    @property
    def children(self) -> int:
        return self.boys + self.girls

    def days_overdue(self, today: datetime.date | None = None) -> int:
        if not self.next_visit_due:
            return 0
        return max(((today or timezone.localdate()) - self.next_visit_due).days, 0)


class IntentionSurvey(Timestamped):
    """再生育意愿摸底. The couple's latest survey decides whether it is in the register."""

    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("育龄夫妇"))
    surveyed_on = models.DateField(_("摸底日期"), default=timezone.localdate)
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("摸底人")
    )
    planned_timing = models.CharField(_("计划生育时间"), max_length=1, choices=PlannedTiming.choices)
    next_child_order = models.PositiveSmallIntegerField(
        _("计划生育孩次"), null=True, blank=True, help_text=_("如计划生育第二个孩子填 2。")
    )
    family_situation = models.CharField(
        _("家庭生活状况"), max_length=10, choices=FamilySituation.choices, default=FamilySituation.AVERAGE
    )
    reasons = models.JSONField(_("生育原因"), default=list, blank=True, help_text=_("最多选 3 项。"))
    services_wanted = models.JSONField(_("需要的服务"), default=list, blank=True)
    notes = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("再生育意愿摸底")
        verbose_name_plural = _("再生育意愿摸底")
        ordering = ["-surveyed_on", "-id"]
        indexes = [models.Index(fields=["couple", "-surveyed_on", "-id"], name="households_survey_latest")]

    def __str__(self):
        return f"{self.couple} {self.surveyed_on} {self.get_planned_timing_display()}"

    audit_select_related = ("couple__wife", "couple__husband")

    def audit_label(self):  # without the planned timing: the ledger says which survey, not its answers
        return _("%(couple)s %(date)s 的摸底") % {"couple": self.couple, "date": self.surveyed_on}

    @property
    def shows_intention(self) -> bool:
        return self.planned_timing in INTENTION_TIMINGS


class Assignment(models.Model):
    """专人: who is responsible for a couple, with history. The open row has ``ended_at`` null."""

    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("育龄夫妇"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("责任人")
    )
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("指定人")
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("责任人安排")
        verbose_name_plural = _("责任人安排")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["couple"], condition=Q(ended_at__isnull=True), name="households_assignment_one_open"
            ),
        ]

    def __str__(self):
        return f"{self.couple} → {self.staff}"


class FollowUpVisit(Voidable, Timestamped):
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"), editable=False)
    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="visits", verbose_name=_("育龄夫妇"))
    visit_date = models.DateField(_("随访日期"), default=timezone.localdate)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("随访人"))
    pregnancy_status = models.CharField(_("孕情"), max_length=12, choices=PregnancyStatus.choices)
    last_menstrual_period = models.DateField(_("末次月经"), null=True, blank=True, help_text=_("已孕时必填。"))
    services = models.JSONField(_("提供的服务"), default=list, blank=True)
    notes = models.CharField(_("随访记录"), max_length=500, blank=True)
    next_due = models.DateField(_("下次随访日期"), help_text=_("默认按随访间隔自动计算，可修改。"))
    # The idempotency key of a visit sent from the phone's offline outbox (docs/offline.md): a
    # resend, a double tap or a second tab finds the visit already saved instead of adding one.
    client_key = models.UUIDField(_("离线记录编号"), null=True, blank=True, unique=True, editable=False)

    objects = FollowUpVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("跟踪随访")
        verbose_name_plural = _("跟踪随访")
        ordering = ["-visit_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(pregnancy_status="pregnant") | Q(last_menstrual_period__isnull=False),
                name="households_visit_pregnant_has_lmp",
            ),
            models.CheckConstraint(condition=Q(next_due__gte=models.F("visit_date")), name="households_visit_next_after"),
        ]
        indexes = [
            # Visit list: township, newest first; per couple history.
            models.Index(fields=["township", "-visit_date"], name="households_visit_township_date"),
            models.Index(fields=["couple", "-visit_date"], name="households_visit_couple_date"),
            # Visit list filtered by visitor.
            models.Index(fields=["township", "visitor", "-visit_date"], name="households_visit_visitor"),
            # The indicators (indicators.batch): a period's active visits across the county, read
            # from the index alone ...
            models.Index(fields=["visit_date"], include=["id", "couple", "township", "pregnancy_status", "next_due"],
                         condition=Q(is_void=False), name="households_visit_date"),
            # ... and each one's previous active visit of the couple (on-time share, pregnancies
            # found): one index-only probe per visit, read backwards from (couple, date, id).
            models.Index(fields=["couple", "visit_date", "id"], include=["next_due", "pregnancy_status"],
                         condition=Q(is_void=False), name="households_visit_previous"),
        ]

    def __str__(self):
        return f"{self.couple} {self.visit_date}"

    audit_select_related = ("couple__wife", "couple__husband")

    def audit_label(self):  # never the pregnancy status (sensitive): which visit, not what it found
        return _("%(couple)s %(date)s 的随访") % {"couple": self.couple, "date": self.visit_date}

    def get_absolute_url(self):
        return reverse("households:couple_detail", args=[self.couple_id]) + f"#visit-{self.pk}"

    def save(self, *args, **kwargs):
        if self.couple_id and not self.township_id:
            self.township_id = Couple.objects.values_list("township_id", flat=True).get(pk=self.couple_id)
        super().save(*args, **kwargs)


# --- Bureau work groups (包村联户) -------------------------------------------------------------
class WorkGroup(models.Model):
    name = models.CharField(_("工作组名称"), max_length=50, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="work_groups", verbose_name=_("成员"), blank=True,
        limit_choices_to={"role__in": [Role.BUREAU_STAFF, Role.LEADER]},
        help_text=_("机关全体人员（局机关干部和局班子成员）都可以加入工作组。"),
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="led_work_groups",
        verbose_name=_("组长"), limit_choices_to={"role__in": [Role.BUREAU_STAFF, Role.LEADER]},
        help_text=_("组长为组员分配联系户（联户）。"),
    )
    villages = models.ManyToManyField(Village, related_name="work_groups", verbose_name=_("联系村/社区"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("工作组（包村联户）")
        verbose_name_plural = _("工作组（包村联户）")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def audit_label(self):
        return self.name


class OutreachVisit(Timestamped):
    """大走访: a bureau staff member's visit to a household in a linked village."""

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"), editable=False)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="outreach_visits", verbose_name=_("家庭户"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("走访人"))
    visit_date = models.DateField(_("走访日期"), default=timezone.localdate)
    content = models.CharField(_("走访内容"), max_length=500)
    needs = models.CharField(_("群众诉求"), max_length=500, blank=True)
    client_key = models.UUIDField(_("离线记录编号"), null=True, blank=True, unique=True, editable=False)  # as above

    objects = OutreachVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("大走访记录")
        verbose_name_plural = _("大走访记录")
        ordering = ["-visit_date", "-id"]
        indexes = [
            models.Index(fields=["township", "-visit_date"], name="households_outreach_date"),
            # A week's outreach across the county (the indicator, the weekly table by work group).
            models.Index(fields=["visit_date"], include=["township", "household", "visitor"],
                         name="households_outreach_day"),
        ]

    def __str__(self):
        return f"{self.household} {self.visit_date}"

    audit_select_related = ("household__township", "household__village")

    def audit_label(self):
        return _("%(household)s %(date)s 的走访") % {"household": self.household.audit_label(), "date": self.visit_date}

    def get_absolute_url(self):
        return reverse("households:household_detail", args=[self.household_id]) + f"#outreach-{self.pk}"

    def save(self, *args, **kwargs):
        if self.household_id:
            self.township_id = Household.objects.values_list("township_id", flat=True).get(pk=self.household_id)
        super().save(*args, **kwargs)


class CadreLink(models.Model):
    """联户: a work-group member answers for one household of the group's villages.

    Set by the group's leader (``services.cadres``); ended, never deleted (``ended_at``), so the
    history of who answered for a household stays.
    """

    group = models.ForeignKey(WorkGroup, on_delete=models.PROTECT, related_name="links", verbose_name=_("工作组"))
    cadre = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="household_links",
                              verbose_name=_("联系干部"))
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="cadre_links",
                                  verbose_name=_("家庭户"))
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("分配人"))
    linked_at = models.DateTimeField(_("分配时间"), default=timezone.now)
    ended_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("联系户")
        verbose_name_plural = _("联系户")
        ordering = ["cadre", "household"]
        constraints = [
            models.UniqueConstraint(fields=["cadre", "household"], condition=Q(ended_at__isnull=True),
                                    name="households_cadrelink_one_active"),
        ]
        indexes = [models.Index(fields=["household"], condition=Q(ended_at__isnull=True),
                                name="households_cadrelink_household")]

    def __str__(self):
        return f"{self.cadre} — {self.household}"

    audit_select_related = ("household__township", "household__village")

    def audit_label(self):
        return _("%(cadre)s 联系 %(household)s") % {"cadre": self.cadre.get_full_name(),
                                                     "household": self.household.audit_label()}


class Need(models.Model):
    """群众诉求 raised in an outreach visit: open → referred (to whom) → resolved, or closed as not
    solvable with a reason; due by ``deadline`` (visit date + ``HOUSEHOLDS_NEED_DEADLINE_DAYS``).
    Every step is a ``NeedStep`` row."""

    class Status(models.TextChoices):
        OPEN = "open", _("待办理")
        REFERRED = "referred", _("已转办")
        RESOLVED = "resolved", _("已解决")
        CLOSED = "closed", _("无法解决，已办结")

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"),
                                 editable=False)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="needs", verbose_name=_("家庭户"))
    visit = models.OneToOneField(OutreachVisit, on_delete=models.PROTECT, related_name="need",
                                 verbose_name=_("走访记录"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("记录人"))
    text = models.CharField(_("诉求内容"), max_length=500)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    deadline = models.DateField(_("办理期限"))
    referred_to = models.CharField(_("转办单位或人员"), max_length=100, blank=True)
    outcome = models.CharField(_("办理结果或无法解决的原因"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = NeedQuerySet.as_manager()

    OPEN_STATUSES = (Status.OPEN, Status.REFERRED)

    class Meta:
        verbose_name = _("群众诉求")
        verbose_name_plural = _("群众诉求")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["raised_by", "deadline"], condition=Q(status__in=["open", "referred"]),
                                name="households_need_open")]

    def __str__(self):
        return self.text[:30]

    audit_select_related = ("household__township", "household__village")

    def audit_label(self):
        return _("%(household)s 的诉求") % {"household": self.household.audit_label()}

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_open and self.deadline < (today or timezone.localdate())

    def get_absolute_url(self):
        return reverse("households:need_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        if self.household_id and not self.township_id:
            self.township_id = Household.objects.values_list("township_id", flat=True).get(pk=self.household_id)
        super().save(*args, **kwargs)


class NeedStep(models.Model):
    """One step of a need: who, when, from, to, and the note (to whom, the result, the reason)."""

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="steps", verbose_name=_("诉求"))
    from_status = models.CharField(_("原状态"), max_length=10, choices=Need.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=Need.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("办理人"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")
        ordering = ["at", "id"]


# --- Merges and imports ------------------------------------------------------------------------
class HouseholdMerge(models.Model):
    """Two households found to be one. Reversible by an admin: the moved rows are recorded."""

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"))
    source = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="merges_out", verbose_name=_("被合并户"))
    target = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="merges_in", verbose_name=_("保留户"))
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人"))
    merged_at = models.DateTimeField(_("合并时间"), default=timezone.now)
    reason = models.CharField(_("合并原因"), max_length=200)
    moved_person_ids = models.JSONField(_("转移的成员"), default=list)
    moved_couple_ids = models.JSONField(_("转移的夫妇"), default=list)
    moved_outreach_ids = models.JSONField(_("转移的走访记录"), default=list)
    objects = TownshipOnlyQuerySet.as_manager()
    reverted_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("撤销人")
    )

    class Meta:
        verbose_name = _("家庭户合并")
        verbose_name_plural = _("家庭户合并")
        ordering = ["-merged_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="households_merge_two_households"),
        ]

    def __str__(self):
        return f"#{self.source_id} → #{self.target_id}"

    def audit_label(self):
        return _("家庭户 #%(source)s 并入 #%(target)s") % {"source": self.source_id, "target": self.target_id}


class ImportBatch(Timestamped):
    """An uploaded Excel sheet: parsed and previewed first, written only when confirmed."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("待确认")
        CONFIRMING = "confirming", _("正在导入")  # a large batch, being written by a Celery worker
        IMPORTED = "imported", _("已导入")
        CANCELLED = "cancelled", _("已取消")
        FAILED = "failed", _("导入失败")

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"))
    file_name = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PREVIEW)
    objects = TownshipOnlyQuerySet.as_manager()
    rows = models.JSONField(_("解析结果"), default=list, help_text=_("每行的数据与错误，确认导入时使用。"))
    row_count = models.PositiveIntegerField(_("总行数"), default=0)
    error_count = models.PositiveIntegerField(_("错误行数"), default=0)
    imported_count = models.PositiveIntegerField(_("导入行数"), default=0)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    # The column-mapping step: the sheet's header cells, which column feeds which field, and the
    # raw cells under the header (so a changed mapping is checked again without a new upload).
    # source_rows holds whole ID numbers: emptied when the batch is confirmed, cancelled or expires.
    header_row = models.PositiveIntegerField(_("表头行号"), null=True, blank=True)
    headers = models.JSONField(_("表头"), default=list, blank=True, help_text=_("表头行各列的文字。"))
    mapping = models.JSONField(_("列对应关系"), default=dict, blank=True, help_text=_("列号 → 导入项。"))
    source_rows = models.JSONField(_("原始行"), default=list, blank=True, help_text=_("表头下各行的原始内容，处理后清空。"))

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    # Not the parsed rows: they hold whole ID numbers, and the ledger needs only the file's name.
    audit_only = ("id", "file_name", "township__name")
    audit_select_related = ("township",)

    def audit_label(self):
        return f"{self.file_name}（{self.township.name}）"

    def get_absolute_url(self):
        return reverse("households:import_preview", args=[self.pk])


class ImportMapping(models.Model):
    """A township's choice for one header of its sheets ("女方身份号" → wife_id, "序号" → not
    imported), offered again on the next import."""

    township = models.ForeignKey(Township, on_delete=models.CASCADE, related_name="+", verbose_name=_("镇/街道"))
    header = models.CharField(_("表头"), max_length=100, help_text=_("规范化后的表头文字（去空格、全角转半角）。"))
    field = models.CharField(_("导入项"), max_length=20, blank=True, help_text=_("空表示该列不导入。"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("设置人"))
    updated_at = models.DateTimeField(_("设置时间"), auto_now=True)

    class Meta:
        verbose_name = _("导入列对应")
        verbose_name_plural = _("导入列对应")
        constraints = [
            models.UniqueConstraint(fields=["township", "header"], name="households_import_mapping_unique"),
        ]

    def __str__(self):
        return f"{self.header} → {self.field or '-'}"
