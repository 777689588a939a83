"""After the screening: early-pregnancy follow-up, pregnancy-outcome follow-up and free prenatal
screening (docs/domain.md, Glossary). Each belongs to one screening and reaches its township.

One pregnancy, one record of it: whether and since when (LMP) a woman is pregnant is recorded
once, in the household's follow-up visits (households.FollowUpVisit), which the township already
keeps. An early-pregnancy follow-up of 已孕 links to the visit that recorded the pregnancy, or
writes that visit through the households service when no visit has recorded it yet
(services.followups). The couple's pathway therefore shows one pregnancy, not two.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Township
from core.models import Timestamped, Voidable

from .screening import EarlyResult, OutcomeResult, Screening, ScreeningQuerySet


class FolicAcid(models.TextChoices):
    NONE = "none", _("未服用")
    THREE_MONTHS = "3m_before", _("停经前≥3个月")
    ONE_TWO_MONTHS = "1m_before", _("停经前1–2个月")
    AFTER = "after", _("停经后")


class Exposure(models.TextChoices):
    PETS = "pets", _("猫狗")
    PESTICIDE = "pesticide", _("农药")
    RADIATION = "radiation", _("放射线")
    SMOKE = "smoke", _("被动吸烟")
    OTHER = "other", _("其他")


class Illness(models.TextChoices):
    BLEEDING = "bleeding", _("阴道流血")
    FEVER = "fever", _("发热>38.5℃")
    DIARRHOEA = "diarrhoea", _("腹泻")
    PAIN = "pain", _("腹痛")
    FLU = "flu", _("流感")
    HEPATITIS = "hepatitis", _("病毒性肝炎")
    OTHER = "other", _("其他")


class Outcome(models.TextChoices):
    NORMAL = "normal", _("正常分娩")
    PRETERM = "preterm", _("早产")
    LOW_WEIGHT = "low_weight", _("低出生体重")
    MACROSOMIA = "macrosomia", _("巨大儿")
    STILLBIRTH = "stillbirth", _("死胎")
    MALFORMATION = "malformation", _("胎儿畸形")
    MISCARRIAGE = "miscarriage", _("自然流产")
    OTHER = "other", _("其他")


class InfantSex(models.TextChoices):
    MALE = "1", _("男")
    FEMALE = "2", _("女")
    UNKNOWN = "0", _("不详")


class DeliveryMethod(models.TextChoices):
    VAGINAL = "vaginal", _("顺产")
    CAESAREAN = "caesarean", _("剖宫产")
    ASSISTED = "assisted", _("助产")
    OTHER = "other", _("其他")


class _FollowUpBase(Voidable, Timestamped):
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"),
                                 editable=False)
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, verbose_name=_("检查"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("随访人"))
    notes = models.CharField(_("备注"), max_length=300, blank=True)

    objects = ScreeningQuerySet.as_manager()  # seen by whoever sees screenings of its township

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.screening_id:
            self.township_id = Screening.objects.values_list("township_id", flat=True).get(pk=self.screening_id)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("screening:screening_detail", args=[self.screening_id]) + f"#{self._meta.model_name}-{self.pk}"


class EarlyPregnancyFollowUp(_FollowUpBase):
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="early_follow_ups",
                                  verbose_name=_("检查"))
    followed_on = models.DateField(_("随访日期"))
    result = models.CharField(_("随访结果"), max_length=1, choices=EarlyResult.choices)
    lmp = models.DateField(_("末次月经"), null=True, blank=True, help_text=_("已孕时必填。"))
    lmp_exact = models.BooleanField(_("末次月经日期确切"), default=True)
    folic_acid = models.CharField(_("叶酸服用"), max_length=10, choices=FolicAcid.choices, blank=True)
    exposures = models.JSONField(_("孕早期暴露"), default=list, blank=True)
    illnesses = models.JSONField(_("停经后患病"), default=list, blank=True)
    medication = models.CharField(_("用药情况"), max_length=200, blank=True)
    confirming_facility = models.CharField(_("确诊机构"), max_length=60, blank=True)
    ultrasound = models.CharField(_("B超结果"), max_length=200, blank=True)
    pregnancy_visit = models.ForeignKey(
        "households.FollowUpVisit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("孕情随访记录"), editable=False)

    class Meta:
        verbose_name = _("早孕随访")
        verbose_name_plural = _("早孕随访")
        ordering = ["-followed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(result="1") | Q(lmp__isnull=False),
                                   name="screening_early_pregnant_has_lmp"),
        ]
        indexes = [
            # Rates: "an early follow-up exists before <end>" per screening; pathway refresh: latest first.
            models.Index(fields=["screening", "followed_on"], condition=Q(is_void=False),
                         name="screening_early_by_scr"),
        ]


class OutcomeFollowUp(_FollowUpBase):
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="outcome_follow_ups",
                                  verbose_name=_("检查"))
    followed_on = models.DateField(_("随访日期"))
    result = models.CharField(_("随访结果"), max_length=1, choices=OutcomeResult.choices)
    outcome = models.CharField(_("妊娠结局"), max_length=14, choices=Outcome.choices, blank=True)
    delivery_date = models.DateField(_("分娩（终止）日期"), null=True, blank=True)
    gestational_weeks = models.PositiveSmallIntegerField(_("孕周"), null=True, blank=True)
    birth_weight_g = models.PositiveSmallIntegerField(_("出生体重（克）"), null=True, blank=True)
    infant_sex = models.CharField(_("婴儿性别"), max_length=1, choices=InfantSex.choices, blank=True)
    multiple_birth = models.BooleanField(_("多胎"), default=False)
    place = models.CharField(_("分娩地点"), max_length=60, blank=True)
    method = models.CharField(_("分娩方式"), max_length=10, choices=DeliveryMethod.choices, blank=True)
    outcome_visit = models.ForeignKey(
        "households.FollowUpVisit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("结局随访记录"), editable=False)

    class Meta:
        verbose_name = _("妊娠结局随访")
        verbose_name_plural = _("妊娠结局随访")
        ordering = ["-followed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(result="1") | (Q(outcome__gt="") & Q(delivery_date__isnull=False)),
                                   name="screening_outcome_delivered_has_outcome"),
        ]
        indexes = [
            # Rates: "an outcome follow-up exists before <end>" per screening.
            models.Index(fields=["screening", "followed_on"], condition=Q(is_void=False),
                         name="screening_outcome_by_scr"),
        ]


class PrenatalScreening(_FollowUpBase):
    """免费产前筛查: NT (11–13+6 weeks) or serum (15–20+6 weeks), 低风险/高风险, and for a
    high-risk result the diagnosis follow-up (one free diagnostic test)."""

    class Test(models.TextChoices):
        NT = "nt", _("NT 超声筛查")
        SERUM = "serum", _("血清学筛查（T21、T18、NTD）")

    class Result(models.TextChoices):
        LOW = "low", _("低风险")
        HIGH = "high", _("高风险")

    class Diagnosis(models.TextChoices):
        NORMAL = "normal", _("未见异常")
        ABNORMAL = "abnormal", _("异常")
        DECLINED = "declined", _("拒绝诊断")

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="prenatal_screenings",
                                  verbose_name=_("检查"))
    test = models.CharField(_("筛查项目"), max_length=6, choices=Test.choices)
    tested_on = models.DateField(_("筛查日期"))
    gestational_weeks = models.PositiveSmallIntegerField(_("孕周（周）"))
    gestational_days = models.PositiveSmallIntegerField(_("孕周（天）"), default=0)
    result = models.CharField(_("筛查结果"), max_length=4, choices=Result.choices)
    detail = models.CharField(_("风险值或说明"), max_length=200, blank=True, help_text=_("如 T21 1/280。"))
    facility = models.CharField(_("筛查机构"), max_length=60, blank=True)
    diagnosis_on = models.DateField(_("产前诊断日期"), null=True, blank=True)
    diagnosis_method = models.CharField(_("诊断方法"), max_length=60, blank=True,
                                        help_text=_("如 羊水穿刺染色体核型分析。"))
    diagnosis_result = models.CharField(_("诊断结果"), max_length=10, choices=Diagnosis.choices, blank=True)

    class Meta:
        verbose_name = _("产前筛查")
        verbose_name_plural = _("产前筛查")
        ordering = ["-tested_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(gestational_days__lte=6), name="screening_prenatal_days_0_6"),
            models.CheckConstraint(condition=Q(diagnosis_result="") | Q(diagnosis_on__isnull=False),
                                   name="screening_prenatal_diagnosis_has_date"),
        ]
        indexes = [
            models.Index(fields=["screening", "tested_on"], condition=Q(is_void=False),
                         name="screening_prenatal_by_scr"),
        ]
