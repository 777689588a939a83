"""Township assessment (镇街考核): who may enter it, the scheme per year, regular checks,
year-end scores, the computed annual scores, liaison leaders and publicity sites.

The annual score (docs/domain.md, Glossary: "annual score") is ``regular × 60% + year-end × 40%`` by default;
``services.scoring`` computes it in one SQL statement per year into ``AnnualScore`` (rank with
ties 1, 2, 2, 4 by a window function) every time an input of that year changes, and stops
touching a year once its scheme is closed: the closed year's rows are the published result.
"""
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Township
from accounts.roles import Cap, Role
from accounts.scoping import ScopedQuerySet
from core.models import Timestamped, Voidable

from .scoping import ASSESSMENT

HUNDRED = Decimal("100")


class Category(models.TextChoices):
    """经常性考核的四类 (docs/domain.md, Glossary: RegularCheck)."""

    INFO = "info", _("信息核查")
    PETITION = "petition", _("信访调查")
    INSPECTION = "inspection", _("平时检查")
    REGULAR_WORK = "regular_work", _("经常性工作")


# --- Who may enter assessment ---------------------------------------------------------------
class Assessor(models.Model):
    """A per-user grant of assessment entry (docs/domain.md, Roles: "if granted").

    Only bureau staff and leaders can hold one (``services.grants`` refuses other roles, and a
    user whose role later changes loses the right because ``Cap.ASSESSMENT_CHANGE`` goes with
    the role). Grants are revoked, never deleted; both are written to the audit trail.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessor_grant", verbose_name=_("工作人员"),
        limit_choices_to={"role__in": [Role.BUREAU_STAFF, Role.LEADER]},
        help_text=_("只能授权局机关干部或局班子成员。"),
    )
    is_active = models.BooleanField(_("有效"), default=True, help_text=_("取消勾选即撤销授权。"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("授权人"), editable=False,
    )
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True, editable=False)
    note = models.CharField(_("说明"), max_length=200, blank=True, help_text=_("例如：考核办成员，2026 年度。"))

    class Meta:
        verbose_name = _("考核录入授权")
        verbose_name_plural = _("考核录入授权")
        ordering = ["-is_active", "user__username"]

    def __str__(self):
        return str(self.user)


# --- The scheme per year --------------------------------------------------------------------
class Scheme(Timestamped):
    """考核方案: the weights and normalisation of one year, as data an admin edits.

    Closing the year freezes its annual scores; a closed year's scheme, checks and year-end
    scores are refused by the services (and by the admin form).
    """

    class Normalisation(models.TextChoices):
        RATIO = "ratio", _("得分合计 ÷ 满分合计 × 100")
        CATEGORY = "category", _("各类别得分率按类别权重加权")

    year = models.PositiveSmallIntegerField(
        _("年度"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    regular_weight = models.DecimalField(
        _("经常性考核权重（%）"), max_digits=5, decimal_places=2, default=Decimal("60"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("经常性考核在年度成绩中的占比，与年终考核权重合计 100。"),
    )
    year_end_weight = models.DecimalField(
        _("年终考核权重（%）"), max_digits=5, decimal_places=2, default=Decimal("40"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    normalisation = models.CharField(
        _("经常性考核折算方法"), max_length=10, choices=Normalisation.choices, default=Normalisation.RATIO,
        help_text=_("默认：全年各次考核得分合计 ÷ 满分合计 × 100。按类别加权时，下面四个类别权重合计须为 100。"),
    )
    weight_info = models.DecimalField(_("信息核查权重（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    weight_petition = models.DecimalField(_("信访调查权重（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    weight_inspection = models.DecimalField(
        _("平时检查权重（%）"), max_digits=5, decimal_places=2, null=True, blank=True,
    )
    weight_regular_work = models.DecimalField(
        _("经常性工作权重（%）"), max_digits=5, decimal_places=2, null=True, blank=True,
    )
    publicity_share = models.DecimalField(
        _("宣传阵地占经常性考核比例（%）"), max_digits=5, decimal_places=2, default=Decimal("10"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("经常性考核 = 各次考核折算分 × (100 − 该比例)% + 宣传阵地完成率 × 该比例%；"
                    "与录入了多少次考核无关。0 表示宣传阵地不计分。"),
    )
    publicity_target = models.PositiveSmallIntegerField(
        _("年度新建阵地目标（个）"), default=2, validators=[MinValueValidator(1)],
        help_text=_("当年建成达到目标数即得满分，按比例计分。"),
    )
    rectification_points = models.DecimalField(
        _("整改按时完成率分值"), max_digits=6, decimal_places=2, default=Decimal("0"), db_default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text=_("整改按时完成率计入“经常性工作”的满分；0 表示不计分（默认）。"),
    )
    supervision_target = models.PositiveSmallIntegerField(
        _("督导目标（每镇每月次数）"), default=1, db_default=1, validators=[MinValueValidator(1)],
        help_text=_("联系领导每月到每个联系镇街督导的次数目标。"),
    )
    is_closed = models.BooleanField(_("已关闭"), default=False, editable=False)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("关闭人"), editable=False,
    )

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(regular_weight__gte=0, year_end_weight__gte=0)
                & Q(regular_weight=HUNDRED - models.F("year_end_weight")),
                name="assessment_scheme_weights_sum_100",
                violation_error_message=_("经常性考核与年终考核权重合计须为 100。"),
            ),
        ]

    def __str__(self):
        return _("%(year)s 年度考核方案") % {"year": self.year}

    def get_absolute_url(self):
        return reverse("assessment:ranking") + f"?year={self.year}"

    CATEGORY_WEIGHT_FIELDS = {
        Category.INFO: "weight_info", Category.PETITION: "weight_petition",
        Category.INSPECTION: "weight_inspection", Category.REGULAR_WORK: "weight_regular_work",
    }

    def category_weights(self) -> dict[str, Decimal | None]:
        return {category: getattr(self, field) for category, field in self.CATEGORY_WEIGHT_FIELDS.items()}

    def publicity_rate(self, done: int) -> Decimal:
        """宣传阵地完成率 (0–100): sites completed in the year against the target, capped at 100."""
        return Decimal(min(done, self.publicity_target)) * 100 / self.publicity_target

    def regular_formula(self) -> str:
        """The regular part's formula as this year's scheme computes it (the ranking page and its
        export; docs/assessment.md, "The annual score")."""
        from core.numbers import format_number

        if self.normalisation == self.Normalisation.CATEGORY:
            checks = _("各类别得分率按类别权重加权折算为百分制")
        else:
            checks = _("全年得分合计 ÷ 满分合计 × 100")
        share = self.publicity_share or Decimal(0)
        if share <= 0:
            return _("经常性考核 = %(checks)s（人口文化宣传阵地不计分）。") % {"checks": checks}
        return _("经常性考核 = （%(checks)s）× %(rest)s%% + 人口文化宣传阵地完成率 × %(share)s%%"
                 "（当年建成 %(target)s 个为 100%%）。") % {
            "checks": checks, "rest": format_number(100 - share, 2, trim=True),
            "share": format_number(share, 2, trim=True), "target": self.publicity_target}


# --- Inputs ---------------------------------------------------------------------------------
class AssessmentQuerySet(ScopedQuerySet):
    """Who sees which township's assessment: ``scoping.ASSESSMENT`` (leaders and assessors the
    county, a clerk their own township)."""

    township_path = "township"
    rule = ASSESSMENT


class RegularCheck(Voidable, Timestamped):
    """经常性考核: one check of one township, scored out of a maximum.

    ``batch`` groups the rows entered together on the bulk page (one check across all
    townships), so the page behind a figure can show the round a score came from.
    """

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"))
    year = models.PositiveSmallIntegerField(_("年度"), editable=False, help_text=_("由考核日期得出。"))
    category = models.CharField(_("考核类别"), max_length=14, choices=Category.choices)
    title = models.CharField(_("考核项目"), max_length=100, help_text=_("例如：一季度信息核查。"))
    check_date = models.DateField(_("考核日期"))
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])
    maximum = models.DecimalField(
        _("满分"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))],
    )
    findings = models.CharField(_("发现的问题"), max_length=500, blank=True)
    batch = models.UUIDField(_("录入批次"), null=True, blank=True, editable=False, db_index=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("经常性考核")
        verbose_name_plural = _("经常性考核")
        ordering = ["-check_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0), name="assessment_check_score_not_negative",
                                   violation_error_message=_("得分不能为负数。")),
            models.CheckConstraint(condition=Q(maximum__gt=0), name="assessment_check_maximum_positive",
                                   violation_error_message=_("满分必须大于 0。")),
            models.CheckConstraint(condition=Q(score__lte=models.F("maximum")),
                                   name="assessment_check_score_le_maximum",
                                   violation_error_message=_("得分不能高于满分。")),
        ]
        indexes = [
            # The annual score's regular part: SUM(score), SUM(maximum) per township and category
            # of one year, active checks only (services.scoring); an index-only scan.
            models.Index(fields=["year", "township", "category"], name="assessment_check_year_town",
                         include=["score", "maximum"], condition=Q(is_void=False)),
            # The checks behind a figure: one township's year, newest first.
            models.Index(fields=["township", "year", "-check_date"], name="assessment_check_list"),
            # The county's checks of a year (a leader's list), newest first, page 1 and the last
            # page alike (keyset on check_date, id).
            models.Index(fields=["year", "check_date", "id"], name="assessment_check_year_date",
                         condition=Q(is_void=False)),
        ]

    def __str__(self):
        return f"{self.township} {self.check_date} {self.title}"

    def get_absolute_url(self):
        return reverse("assessment:check_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        if self.check_date:
            self.year = self.check_date.year
        super().save(*args, **kwargs)


class YearEndScore(Timestamped):
    """年终考核: one score per township per year, out of ``maximum`` (100 unless stated)."""

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"))
    year = models.PositiveSmallIntegerField(_("年度"))
    score = models.DecimalField(_("年终考核得分"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])
    maximum = models.DecimalField(_("满分"), max_digits=6, decimal_places=2, default=HUNDRED)
    notes = models.CharField(_("说明"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("最后修改人"),
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("年终考核")
        verbose_name_plural = _("年终考核")
        ordering = ["-year", "township__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["year", "township"], name="assessment_yearend_one_per_year"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=models.F("maximum")),
                                   name="assessment_yearend_score_in_range",
                                   violation_error_message=_("年终考核得分须在 0 到满分之间。")),
        ]

    def __str__(self):
        return f"{self.township} {self.year}: {self.score}"

    def get_absolute_url(self):
        return reverse("assessment:township", args=[self.township_id, self.year])


class AnnualScore(models.Model):
    """年度考核成绩 of one township in one year, computed by ``services.scoring`` (never typed).

    Parts are on a 0–100 scale and rounded to 2 decimals; ``total`` is computed from the rounded
    parts so the published figures add up; ``rank`` is the competition rank of ``total`` (ties
    share a rank, the next rank is skipped: 1, 2, 2, 4). A township without a year-end score or
    without any regular check has no total and no rank yet (待评定) and is listed last.
    """

    year = models.PositiveSmallIntegerField(_("年度"))
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"))
    regular_part = models.DecimalField(_("经常性考核（折算百分）"), max_digits=6, decimal_places=2, null=True)
    year_end_part = models.DecimalField(_("年终考核（折算百分）"), max_digits=6, decimal_places=2, null=True)
    total = models.DecimalField(_("年度成绩"), max_digits=6, decimal_places=2, null=True)
    rank = models.PositiveSmallIntegerField(_("名次"), null=True)
    regular_rank = models.PositiveSmallIntegerField(_("经常性考核名次"), null=True)
    check_count = models.PositiveIntegerField(_("考核次数"), default=0)
    publicity_done = models.PositiveIntegerField(_("建成宣传阵地"), default=0)
    computed_at = models.DateTimeField(_("计算时间"))

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度考核成绩")
        verbose_name_plural = _("年度考核成绩")
        ordering = ["year", "rank", "township__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["year", "township"], name="assessment_annual_one_per_year"),
        ]
        # The unique index (year, township) serves the ranking page and the rank-change join.

    def __str__(self):
        return f"{self.year} {self.township}: {self.total} ({self.rank})"

    def get_absolute_url(self):
        return reverse("assessment:township", args=[self.township_id, self.year])


class Liaison(Timestamped):
    """班子成员联系镇街: one bureau leader per township per year."""

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"))
    year = models.PositiveSmallIntegerField(_("年度"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="liaisons", verbose_name=_("联系领导"),
        limit_choices_to={"role": Role.LEADER},
    )

    class Meta:
        verbose_name = _("联系镇街领导")
        verbose_name_plural = _("联系镇街领导")
        ordering = ["-year", "township__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["year", "township"], name="assessment_liaison_one_per_township"),
        ]
        # The leader's page: their townships of a year.
        indexes = [models.Index(fields=["leader", "year"], name="assessment_liaison_leader")]

    def __str__(self):
        return f"{self.year} {self.township} — {self.leader}"

    def get_absolute_url(self):
        return reverse("assessment:leader", args=[self.leader_id]) + f"?year={self.year}"


class PublicitySite(Timestamped):
    """人口文化宣传阵地: the publicity street and the new highlight sites a township builds."""

    class Kind(models.TextChoices):
        STREET = "street", _("人口文化宣传街")
        HIGHLIGHT = "highlight", _("亮点阵地")
        UPGRADE = "upgrade", _("已有阵地提档升级")
        PARK = "park", _("人口文化广场/公园")
        BOARD = "board", _("宣传栏/墙")
        OTHER = "other", _("其他")

    # 亮点: the kinds that count towards a township's yearly highlight target (Scheme.publicity_target).
    HIGHLIGHT_KINDS = (Kind.HIGHLIGHT, Kind.STREET, Kind.UPGRADE)

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        BUILDING = "building", _("建设中")
        DONE = "done", _("已建成")

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"))
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.HIGHLIGHT)
    location = models.CharField(_("地点"), max_length=200, help_text=_("村/社区和具体位置。"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    completion_date = models.DateField(_("建成日期"), null=True, blank=True, help_text=_("状态为已建成时必填。"))
    notes = models.CharField(_("说明"), max_length=300, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("人口文化宣传阵地")
        verbose_name_plural = _("人口文化宣传阵地")
        ordering = ["township__sort_order", "-completion_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(completion_date__isnull=False),
                name="assessment_site_done_has_date",
                violation_error_message=_("已建成的阵地须填写建成日期。"),
            ),
        ]
        indexes = [
            # The regular-work points: sites done per township within a year (services.scoring).
            models.Index(fields=["status", "completion_date", "township"], name="assessment_site_done"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assessment:publicity_detail", args=[self.pk])


def publicity_photo_path(instance, filename):
    # Never the uploaded name: it is user input. The extension comes from the detected format.
    return f"assessment/publicity/{instance.site_id}/{instance.token}.{instance.extension}"


class PublicityPhoto(models.Model):
    site = models.ForeignKey(PublicitySite, on_delete=models.PROTECT, related_name="photos", verbose_name=_("阵地"))
    token = models.CharField(max_length=32, editable=False)
    extension = models.CharField(max_length=4, editable=False)
    image = models.FileField(_("照片"), upload_to=publicity_photo_path)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("阵地照片")
        verbose_name_plural = _("阵地照片")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.caption or f"#{self.pk}"

    def get_absolute_url(self):
        return reverse("assessment:publicity_photo", args=[self.pk])


# --- The Monday briefing (每周通报) ------------------------------------------------------------
class WeeklyReportQuerySet(models.QuerySet):
    def whole_weeks(self):
        """Reports built after their week had ended (a partial week, built with ``weekly_report
        --week … --partial`` while it was running, is never "last week's briefing")."""
        week_end = models.ExpressionWrapper(models.F("week_start") + datetime.timedelta(days=7),
                                            output_field=models.DateField())
        return self.filter(built_at__isnull=False, built_at__date__gte=week_end)


class WeeklyReport(models.Model):
    """每周通报 of one week (Monday–Sunday, Asia/Shanghai): one row per week, built by
    ``services.weekly`` (Celery, the ``weekly_report`` command or ``seed_demo``), never typed.

    ``figures`` is the county part as it was computed (indicators with their labels and kinds,
    county values and last week's, the outreach table, the ranking, county-level problems): a past
    week reads the same later, whatever happens to the records or to the list of indicators. Each
    township's part is a ``WeeklyReportSection`` row, so a clerk's page loads only their own.

    ``status`` is the build's progress; ``task_id`` is the claim: the build (Celery task id, or a
    one-off id for the command) allowed to write the figures (conditional updates, see the service).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        BUILDING = "building", _("正在生成")
        DONE = "done", _("已完成")
        FAILED = "failed", _("生成失败")

    week_start = models.DateField(_("周一"), unique=True, help_text=_("通报所属周的周一（周一至周日）。"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField(_("失败原因"), max_length=500, blank=True)
    figures = models.JSONField(_("全县数据"), default=dict, blank=True, editable=False)
    objects = WeeklyReportQuerySet.as_manager()
    task_id = models.CharField(_("生成任务"), max_length=64, blank=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("申请人"), help_text=_("空：按计划（每周一 06:00）或命令行生成。"),
    )
    requested_at = models.DateTimeField(_("申请时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始生成"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    built_at = models.DateTimeField(_("数据生成时间"), null=True, blank=True,
                                    help_text=_("当前数据的计算时间；空表示还没有生成过。"))
    build_count = models.PositiveIntegerField(_("生成次数"), default=0)
    build_ms = models.PositiveIntegerField(_("生成耗时（毫秒）"), null=True, blank=True)

    class Meta:
        verbose_name = _("每周通报")
        verbose_name_plural = _("每周通报")
        ordering = ["-week_start"]
        constraints = [
            models.CheckConstraint(condition=Q(week_start__iso_week_day=1), name="assessment_weekly_starts_monday",
                                   violation_error_message=_("通报周须从周一开始。")),
        ]
        # The unique index on week_start serves the list (newest first), "latest" and the 12-week line.

    def __str__(self):
        return _("%(start)s 至 %(end)s 每周通报") % {"start": self.week_start, "end": self.week_end}

    @property
    def week_end(self) -> datetime.date:
        """The Sunday (the last day of the week)."""
        return self.week_start + datetime.timedelta(days=6)

    @property
    def is_partial(self) -> bool:
        """Built before its week ended: the figures cover the days up to ``built_at`` only."""
        return self.built_at is not None and timezone.localdate(self.built_at) <= self.week_end

    def get_absolute_url(self):
        return reverse("assessment:weekly_detail", args=[self.week_start])


class WeeklyReportSection(models.Model):
    """One township's part of a weekly report: its figures, last week's, and its problems.

    Replaced as a whole (in one transaction with the report's figures) at every build.
    """

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="sections",
                               verbose_name=_("每周通报"))
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0, help_text=_("生成时的镇街顺序。"))
    figures = models.JSONField(_("本镇数据"), default=dict, blank=True)
    problems = models.JSONField(_("存在问题"), default=list, blank=True)
    problem_count = models.PositiveSmallIntegerField(_("问题数"), default=0)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("每周通报（镇街）")
        verbose_name_plural = _("每周通报（镇街）")
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "township"], name="assessment_weekly_one_section"),
        ]

    def __str__(self):
        return f"{self.report} · {self.township}"

    def get_absolute_url(self):
        return reverse("assessment:weekly_detail", args=[self.report.week_start]) + f"?township={self.township_id}"


# --- Supervision visits (督导) and rectifications (整改) ------------------------------------------
class SupervisionVisit(Timestamped):
    """督导: a liaison leader's visit to a township — who went, what was found, what was agreed.

    What was agreed can become a rectification of that township in one action (``visit`` on it).
    """

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("督导领导"),
        limit_choices_to={"role": Role.LEADER},
    )
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"))
    visit_date = models.DateField(_("督导日期"))
    participants = models.CharField(_("参加人员"), max_length=200, help_text=_("一同前往的人员，例如：张三、李四。"))
    findings = models.TextField(_("发现的问题"), max_length=2000)
    agreed = models.TextField(_("议定事项"), max_length=2000, blank=True,
                              help_text=_("可以一键转为该镇街的整改任务。"))

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("督导记录")
        verbose_name_plural = _("督导记录")
        ordering = ["-visit_date", "-id"]
        indexes = [
            # The leader's page: their visits of a year, per township and month.
            models.Index(fields=["leader", "visit_date"], name="assessment_visit_leader"),
            models.Index(fields=["township", "visit_date"], name="assessment_visit_township"),
        ]

    def __str__(self):
        return f"{self.visit_date} {self.township}"

    def get_absolute_url(self):
        return reverse("assessment:supervision_detail", args=[self.pk])


class RectificationQuerySet(AssessmentQuerySet):
    def overdue(self, today: datetime.date):
        """Not accepted yet and past the deadline on ``today`` — computed, never stored."""
        return self.exclude(status=Rectification.Status.DONE).filter(deadline__lt=today)


class Rectification(Timestamped):
    """整改: a problem a township must fix by a deadline, from the Monday briefing or a supervision visit.

    ``problem`` keeps the briefing's problem as it was (rule, parameters, text, the masked list
    behind it). The life cycle (every step a ``RectificationStep`` row): 待整改 → (the township
    reports) 待验收 → 已完成, or → 已退回 → reported again. Overdue is not a status: a
    rectification not accepted by its deadline is overdue from the next day (``overdue(today)``).
    ``done_on_time``: the report that was accepted came in on or before the deadline.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        REPORTED = "reported", _("待验收")
        RETURNED = "returned", _("已退回")
        DONE = "done", _("已完成")

    class Source(models.TextChoices):
        WEEKLY = "weekly", _("每周通报")
        SUPERVISION = "supervision", _("督导")

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"))
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    report = models.ForeignKey(WeeklyReport, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("每周通报"))
    visit = models.ForeignKey(SupervisionVisit, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="rectifications", verbose_name=_("督导记录"))
    rule = models.CharField(_("问题类型"), max_length=40, blank=True)
    problem = models.JSONField(_("问题"), default=dict, blank=True)
    task = models.TextField(_("整改要求"), max_length=1000)
    deadline = models.DateField(_("整改期限"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人"),
        limit_choices_to={"role": Role.CLERK},
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    reported_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    done_on_time = models.BooleanField(_("按时完成"), null=True, blank=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改")
        verbose_name_plural = _("整改")
        ordering = ["deadline", "id"]
        constraints = [
            # A briefing's problem is assigned once (assigning "all of the week" twice adds nothing).
            models.UniqueConstraint(fields=["report", "township", "rule"], condition=Q(report__isnull=False),
                                    name="assessment_rectification_once_per_problem"),
            models.CheckConstraint(condition=~Q(status="done") | Q(done_at__isnull=False),
                                   name="assessment_rectification_done_has_date"),
        ]
        indexes = [
            # A township's list and home page (open first, by deadline), the county's by deadline.
            models.Index(fields=["township", "status", "deadline"], name="assessment_rect_township"),
            models.Index(fields=["deadline", "id"], name="assessment_rect_deadline"),
            # The weekly section: assigned and accepted within a week.
            models.Index(fields=["created_at"], name="assessment_rect_created"),
            models.Index(fields=["done_at"], name="assessment_rect_done", condition=Q(done_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.township} · {self.task[:30]}"

    def get_absolute_url(self):
        return reverse("assessment:rectification_detail", args=[self.pk])

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status != self.Status.DONE and self.deadline < today


class RectificationStep(models.Model):
    """One step of a rectification: who, when, from which status to which, and why (or what was done)."""

    rectification = models.ForeignKey(Rectification, on_delete=models.PROTECT, related_name="steps",
                                      verbose_name=_("整改"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    from_status = models.CharField(_("原状态"), max_length=10, choices=Rectification.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=Rectification.Status.choices)
    note = models.TextField(_("说明"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("整改步骤")
        verbose_name_plural = _("整改步骤")
        ordering = ["at", "id"]
        indexes = [
            # The weekly section's "returned this week".
            models.Index(fields=["to_status", "at"], name="assessment_rect_step_status"),
        ]

    def __str__(self):
        return f"{self.rectification_id}: {self.from_status or '—'} → {self.to_status}"


class RectificationFile(models.Model):
    """A photo or document with a rectification report, checked by content (``core.filetypes``)
    and kept with its SHA-256; served only after the rectification's own scope check."""

    rectification = models.ForeignKey(Rectification, on_delete=models.PROTECT, related_name="files",
                                      verbose_name=_("整改"))
    step = models.ForeignKey(RectificationStep, on_delete=models.PROTECT, related_name="files",
                             verbose_name=_("整改步骤"))
    file = models.FileField(_("文件"), max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    kind = models.CharField(_("文件类型"), max_length=16)
    content_type = models.CharField(_("MIME 类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("整改材料")
        verbose_name_plural = _("整改材料")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.kind in ("jpeg", "png")

    def get_absolute_url(self):
        return reverse("assessment:rectification_file", args=[self.pk])
# --- Rewards and penalties of a closed year (奖优罚劣) -----------------------------------------------
class Subject(models.TextChoices):
    """Whose outcome: a township's, or a liaison leader's (their townships' mean annual total)."""

    TOWNSHIP = "township", _("镇/街道")
    LEADER = "leader", _("联系领导")


class OutcomeBand(models.Model):
    """One band of a year's scheme: which ranks or scores earn which outcome (as data, admin).

    A band matches by rank (``rank_from``–``rank_to``; counted from the last place when
    ``from_bottom``: 1 = the last ranked place) or by score (``score_min`` ≤ total < ``score_max``,
    either end open). A subject takes the first band that matches, in ``position`` order. Ranks are
    competition ranks (1, 2, 2, 4), so townships tied at a band boundary share the better rank and
    both get the better outcome; counted from the bottom, a tie for the last place is "second from
    last" for both (docs/assessment.md "奖优罚劣"). A subject without a rank matches no rank band
    and no score band: its outcome is left to the approver.
    """

    class Kind(models.TextChoices):
        RANK = "rank", _("按名次")
        SCORE = "score", _("按分数")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="bands", verbose_name=_("考核方案"))
    subject = models.CharField(_("适用对象"), max_length=10, choices=Subject.choices, default=Subject.TOWNSHIP)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0, help_text=_("按顺序取第一个符合的档次。"))
    kind = models.CharField(_("档次依据"), max_length=5, choices=Kind.choices, default=Kind.RANK)
    rank_from = models.PositiveSmallIntegerField(_("名次自"), null=True, blank=True,
                                                 validators=[MinValueValidator(1)])
    rank_to = models.PositiveSmallIntegerField(_("名次至"), null=True, blank=True,
                                               validators=[MinValueValidator(1)])
    from_bottom = models.BooleanField(_("倒数"), default=False, help_text=_("勾选后名次从最后一名数起：1 为最后一名。"))
    score_min = models.DecimalField(_("分数不低于"), max_digits=6, decimal_places=2, null=True, blank=True)
    score_max = models.DecimalField(_("分数低于"), max_digits=6, decimal_places=2, null=True, blank=True)
    label = models.CharField(_("结果"), max_length=30, help_text=_("例如：先进、通报批评。"))
    measures = models.CharField(_("奖惩措施"), max_length=300, blank=True, help_text=_("例如：通报表扬并奖励；约谈。"))

    class Meta:
        verbose_name = _("奖惩档次")
        verbose_name_plural = _("奖惩档次")
        ordering = ["scheme", "subject", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="rank", rank_from__isnull=False, rank_to__isnull=False,
                             rank_from__lte=models.F("rank_to")))
                | (Q(kind="score") & (Q(score_min__isnull=False) | Q(score_max__isnull=False))),
                name="assessment_band_has_bounds",
                violation_error_message=_("按名次须填写名次自、名次至（自 ≤ 至）；按分数须至少填写一个分数界限。"),
            ),
        ]

    def __str__(self):
        return f"{self.scheme.year} {self.get_subject_display()} {self.label}"


class OutcomeDecision(models.Model):
    """The bureau's decision document (文号) that issues outcomes: unique per year."""

    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.CharField(_("文号"), max_length=50, help_text=_("例如：县卫健发〔2026〕3号。"))
    decided_on = models.DateField(_("决定日期"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("签发人"))
    issued_at = models.DateTimeField(_("签发时间"), default=timezone.now)

    class Meta:
        verbose_name = _("奖惩决定")
        verbose_name_plural = _("奖惩决定")
        ordering = ["-year", "issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="assessment_decision_number_per_year",
                                    violation_error_message=_("本年度已有相同文号的决定。")),
        ]

    def __str__(self):
        return self.number


class OutcomeQuerySet(AssessmentQuerySet):
    """A clerk sees their own township's outcomes (every year); leaders' outcomes only the county."""

    def visible_to(self, user):
        if getattr(user, "is_authenticated", False) and user.can(Cap.ASSESSMENT_COUNTY):
            return self.all()
        return super().visible_to(user).filter(subject=Subject.TOWNSHIP)


class Outcome(models.Model):
    """奖优罚劣: the outcome of one township or one liaison leader for a closed year.

    Proposed from the bands when the year is closed (``proposed_*``), confirmed or changed with a
    reason by a leader granted approval (``label``/``measures``), then issued under a decision.
    An issued row never changes (``services.outcomes`` refuses); a correction is a new issued row
    that ``supersedes`` it, with its own reason and decision; the old row stays, marked not current.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审定")
        DECIDED = "decided", _("已审定")
        ISSUED = "issued", _("已下达")

    year = models.PositiveSmallIntegerField(_("年度"))
    subject = models.CharField(_("对象"), max_length=10, choices=Subject.choices)
    township = models.ForeignKey(Township, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("镇/街道"))
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="outcomes", verbose_name=_("联系领导"))
    total = models.DecimalField(_("年度成绩"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True)
    band = models.ForeignKey(OutcomeBand, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("档次"))
    proposed_label = models.CharField(_("建议结果"), max_length=30, blank=True)
    proposed_measures = models.CharField(_("建议措施"), max_length=300, blank=True)
    label = models.CharField(_("结果"), max_length=30, blank=True)
    measures = models.CharField(_("奖惩措施"), max_length=300, blank=True)
    reason = models.CharField(_("调整或更正理由"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("审定人"))
    decided_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    decision = models.ForeignKey(OutcomeDecision, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="outcomes", verbose_name=_("奖惩决定"))
    supersedes = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="superseded_by", verbose_name=_("更正的结果"))
    is_current = models.BooleanField(_("现行"), default=True)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        verbose_name = _("奖惩结果")
        verbose_name_plural = _("奖惩结果")
        ordering = ["year", "subject", "rank", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject="township", township__isnull=False, leader__isnull=True)
                | Q(subject="leader", leader__isnull=False, township__isnull=True),
                name="assessment_outcome_one_subject",
            ),
            models.UniqueConstraint(fields=["year", "township"], condition=Q(is_current=True),
                                    name="assessment_outcome_current_township"),
            models.UniqueConstraint(fields=["year", "leader"], condition=Q(is_current=True),
                                    name="assessment_outcome_current_leader"),
            models.CheckConstraint(condition=~Q(status="issued") | Q(decision__isnull=False),
                                   name="assessment_outcome_issued_has_decision"),
        ]
        indexes = [models.Index(fields=["township", "year"], name="assessment_outcome_township")]

    def __str__(self):
        return f"{self.year} {self.subject_name}: {self.label or self.proposed_label}"

    @property
    def subject_name(self) -> str:
        return str(self.township) if self.subject == Subject.TOWNSHIP else self.leader.get_full_name()

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    def get_absolute_url(self):
        return reverse("assessment:outcomes") + f"?year={self.year}#outcome-{self.pk}"

    @classmethod
    def from_db(cls, db, field_names, values):
        row = super().from_db(db, field_names, values)
        row._issued_in_db = row.status == cls.Status.ISSUED
        return row

    def save(self, *args, **kwargs):
        # An issued row never changes (a correction supersedes it through services.outcomes, which
        # only ever flips is_current with an UPDATE): refuse a save of a row read as issued.
        if getattr(self, "_issued_in_db", False):
            raise ValueError("an issued outcome is immutable; correct it with services.outcomes.outcome_correct")
        super().save(*args, **kwargs)


class OutcomeApprover(models.Model):
    """A leader granted approval of outcomes (审定奖惩), by the admin; revoked, never deleted."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="outcome_approver",
                                verbose_name=_("班子成员"), limit_choices_to={"role": Role.LEADER})
    is_active = models.BooleanField(_("有效"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("奖惩审定授权")
        verbose_name_plural = _("奖惩审定授权")

    def __str__(self):
        return str(self.user)
