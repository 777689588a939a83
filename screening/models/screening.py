"""A couple's pre-pregnancy screening (免费孕前优生健康检查), its results and risk factors.

One active screening per couple per planned child (constraint ``screening_one_per_planned_child``);
a second is refused unless the first is voided. The latest active screening of a couple is its
*current* one (``is_current``): the pathway queue and the rates read that one.

Privacy (PIPL Art. 28): results, risk factors and advice are sensitive personal information.
Only roles with ``Cap.SCREENING_RESULTS`` (clinicians) read them; township clerks see that a
screening happened, its risk level and what is due next — the columns ``PATHWAY_FIELDS`` name.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Township
from accounts.scoping import ScopedQuerySet
from core.models import Timestamped, Versioned, Voidable, VoidableQuerySet

from ..scoping import SCREENING
from .catalogue import ResultField, RiskDomain, RiskRule, Subject


class ScreeningQuerySet(VoidableQuerySet, ScopedQuerySet):
    township_path = "township"
    rule = SCREENING  # clinicians the county, clerks their township (screening/scoping.py)

    def current(self):
        return self.filter(is_current=True)


class Consent(models.TextChoices):
    BOTH = "both", _("双方")
    FEMALE = "female", _("女方")
    MALE = "male", _("男方")


class RiskLevel(models.TextChoices):
    GENERAL = "general", _("一般人群")
    HIGH = "high", _("高风险人群")


class EarlyResult(models.TextChoices):  # 早孕随访结果 (codes 1/2/3 in the national forms)
    PREGNANT = "1", _("已孕")
    NOT_PREGNANT = "2", _("未孕")
    LOST = "3", _("失访")


class OutcomeResult(models.TextChoices):  # 妊娠结局随访结果
    DELIVERED = "1", _("已分娩")
    LOST = "2", _("失访")
    NOT_DELIVERED = "3", _("未分娩")


class Screening(Voidable, Versioned, Timestamped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("录入中")
        COMPLETE = "complete", _("待评估")
        ASSESSED = "assessed", _("已评估")

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"),
                                 editable=False)
    couple = models.ForeignKey("households.Couple", on_delete=models.PROTECT, related_name="screenings",
                               verbose_name=_("育龄夫妇"))
    planned_child_order = models.PositiveSmallIntegerField(
        _("计划生育孩次"), help_text=_("本次检查为第几个孩子做准备；同一孩次只能有一次有效检查。"))
    exam_date = models.DateField(_("检查日期"))
    facility = models.CharField(_("检查机构"), max_length=60)
    doctor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("检查医生"))
    consent = models.CharField(_("知情同意"), max_length=6, choices=Consent.choices,
                               help_text=_("签署知情同意书的一方或双方；只检查已签署的一方。"))
    consent_on = models.DateField(_("签署日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    completed_at = models.DateTimeField(_("完成录入时间"), null=True, blank=True)
    risk_level = models.CharField(_("风险评估"), max_length=8, choices=RiskLevel.choices, blank=True)
    assessed_at = models.DateTimeField(_("评估时间"), null=True, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("评估医生"))
    advice = models.TextField(_("咨询指导建议"), blank=True)
    referral = models.CharField(_("转诊建议"), max_length=200, blank=True,
                                help_text=_("高风险人群转诊的科室或机构。"))
    advised_on = models.DateField(_("告知日期"), null=True, blank=True,
                                  help_text=_("首次打印评估建议告知书的日期。"))
    is_current = models.BooleanField(_("当前检查"), default=False, editable=False,
                                     help_text=_("该夫妇最近一次有效检查。"))
    # The pathway's facts, copied from the follow-ups by services.pathway.refresh_pathway so the
    # queue reads one row per couple (no joins to the follow-up tables).
    early_result = models.CharField(_("早孕随访结果"), max_length=1, choices=EarlyResult.choices, blank=True,
                                    editable=False)
    early_last_on = models.DateField(_("最近早孕随访"), null=True, blank=True, editable=False)
    pregnancy_lmp = models.DateField(_("本次妊娠末次月经"), null=True, blank=True, editable=False)
    pregnancy_visit = models.ForeignKey(
        "households.FollowUpVisit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("孕情随访记录"), editable=False,
        help_text=_("记录本次妊娠的随访记录：孕情只在随访记录中登记一次，早孕随访引用它。"))
    prenatal_done = models.BooleanField(_("已做产前筛查"), default=False, editable=False)
    prenatal_high_since = models.DateField(_("产前筛查高风险待诊断"), null=True, blank=True, editable=False)
    outcome_result = models.CharField(_("妊娠结局随访结果"), max_length=1, choices=OutcomeResult.choices,
                                      blank=True, editable=False)
    outcome_last_on = models.DateField(_("最近妊娠结局随访"), null=True, blank=True, editable=False)

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        verbose_name = _("孕前优生健康检查")
        verbose_name_plural = _("孕前优生健康检查")
        ordering = ["-exam_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["couple", "planned_child_order"], condition=Q(is_void=False),
                                    name="screening_one_per_planned_child"),
            models.UniqueConstraint(fields=["couple"], condition=Q(is_current=True), name="screening_one_current"),
            models.CheckConstraint(condition=~Q(status="assessed") | ~Q(risk_level=""),
                                   name="screening_assessed_has_risk_level"),
            models.CheckConstraint(condition=Q(is_void=False) | Q(is_current=False),
                                   name="screening_void_not_current"),
        ]
        indexes = [
            # The queue: LEFT JOIN current screening ON couple (partial: only current rows).
            models.Index(fields=["couple"], condition=Q(is_current=True), name="screening_current_couple"),
            # Rates and the clinician's list: township + exam date, active rows only.
            models.Index(fields=["township", "exam_date"], condition=Q(is_void=False),
                         name="screening_township_exam"),
            # Clinician's list, newest first county-wide.
            models.Index(fields=["-exam_date", "-id"], condition=Q(is_void=False), name="screening_exam_desc"),
        ]

    def __str__(self):
        return f"{self.couple} {self.exam_date}"

    def get_absolute_url(self):
        return reverse("screening:screening_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        # The township always follows the couple: the clerk scope is one indexed column.
        if self.couple_id:
            self.township_id = type(self).couple.field.related_model.objects.values_list(
                "township_id", flat=True).get(pk=self.couple_id)
        super().save(*args, **kwargs)

    @property
    def subjects(self) -> list[str]:
        """Who is examined: the spouse(s) who signed the consent."""
        return {Consent.BOTH: [Subject.FEMALE, Subject.MALE], Consent.FEMALE: [Subject.FEMALE],
                Consent.MALE: [Subject.MALE]}[self.consent]

    @property
    def is_high_risk(self) -> bool:
        return self.risk_level == RiskLevel.HIGH


class ScreeningResult(models.Model):
    """One structured result. The range and unit it was judged by are copied onto the row."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="results",
                                  verbose_name=_("检查"))
    field = models.ForeignKey(ResultField, on_delete=models.PROTECT, related_name="+", verbose_name=_("结果字段"))
    subject = models.CharField(_("受检者"), max_length=6, choices=Subject.choices[:2])
    value_number = models.DecimalField(_("数值"), max_digits=10, decimal_places=3, null=True, blank=True)
    value_choice = models.CharField(_("选项"), max_length=20, blank=True)
    value_text = models.CharField(_("文字"), max_length=500, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    ref_low = models.DecimalField(_("参考下限"), max_digits=10, decimal_places=3, null=True, blank=True)
    ref_high = models.DecimalField(_("参考上限"), max_digits=10, decimal_places=3, null=True, blank=True)
    ref_text = models.CharField(_("参考范围"), max_length=60, blank=True)
    auto_abnormal = models.BooleanField(_("按参考范围判断异常"), null=True, blank=True)
    is_abnormal = models.BooleanField(_("异常"), default=False)
    overridden = models.BooleanField(_("医生修改判断"), default=False)
    override_reason = models.CharField(_("修改判断的原因"), max_length=200, blank=True)
    tested_on = models.DateField(_("检查日期"), null=True, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("录入人"))
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        ordering = ["field__item__number", "field__sort_order", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "field", "subject"], name="screening_result_once"),
            models.CheckConstraint(condition=Q(overridden=False) | ~Q(override_reason=""),
                                   name="screening_result_override_has_reason"),
        ]

    def __str__(self):
        return f"{self.field} {self.display_value}"

    @property
    def display_value(self) -> str:
        if self.value_number is not None:
            return f"{self.value_number.normalize():f}"
        if self.value_choice:
            return self.field.choice_label(self.value_choice)
        return self.value_text


class ScreeningRiskFactor(models.Model):
    """A confirmed risk factor (proposed by a rule or added by the clinician) with its advice."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="risk_factors",
                                  verbose_name=_("检查"))
    subject = models.CharField(_("对象"), max_length=6, choices=Subject.choices)
    domain = models.CharField(_("类别"), max_length=30, choices=RiskDomain.choices)
    description = models.CharField(_("风险因素"), max_length=200)
    advice = models.TextField(_("建议"), blank=True)
    rule = models.ForeignKey(RiskRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("提出的规则"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("确认医生"))
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("风险因素")
        verbose_name_plural = _("风险因素")
        ordering = ["id"]

    def __str__(self):
        return self.description
