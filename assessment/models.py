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
from accounts.roles import Role
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
    publicity_points = models.DecimalField(
        _("宣传阵地分值"), max_digits=6, decimal_places=2, default=Decimal("10"),
        validators=[MinValueValidator(0)],
        help_text=_("人口文化宣传阵地计入“经常性工作”的满分；0 表示不计分。"),
    )
    publicity_target = models.PositiveSmallIntegerField(
        _("年度新建阵地目标（个）"), default=2, validators=[MinValueValidator(1)],
        help_text=_("当年建成达到目标数即得满分，按比例计分。"),
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
        PARK = "park", _("人口文化广场/公园")
        BOARD = "board", _("宣传栏/墙")
        OTHER = "other", _("其他")

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
