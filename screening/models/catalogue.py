"""The screening catalogue as data: the 19 items, their structured result fields with reference
and plausible ranges, and the rules that propose risk factors and advice.

Seeded by migration 0002 (docs/domain.md, Codes: screening items); a county's administrator adds
items, fields and rules or changes a range in the admin site. A result copies the range it was
judged by (``ScreeningResult.ref_*``), so changing a range later never re-judges old results.
"""
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


def display_number(value: Decimal, decimals: int) -> str:
    """A stored value at the field's precision or at the precision typed, whichever is finer:
    TSH 4.2 shows as 4.20, 4.205 as 4.205, Hb 114.6 as 114.6 (never rounded to 115). Never in
    scientific notation."""
    typed = max(0, -value.normalize().as_tuple().exponent)
    return f"{value:.{max(decimals, typed)}f}"


class Subject(models.TextChoices):
    """Whose result or risk factor: the wife, the husband (or, for a factor, the couple)."""

    FEMALE = "female", _("女方")
    MALE = "male", _("男方")
    COUPLE = "couple", _("夫妇双方")


class RiskDomain(models.TextChoices):
    """Risk-factor domains of the programme (docs/domain.md, Codes)."""

    GENETIC = "genetic", _("遗传")
    CHRONIC = "chronic", _("慢性病")
    ADVERSE_REPRODUCTIVE = "adverse_reproductive", _("不良生育史")
    NUTRITION = "nutrition", _("营养")
    ENVIRONMENT = "environment", _("环境有害因素")
    INFECTION = "infection", _("感染")
    REPRODUCTIVE_ABNORMALITY = "reproductive_abnormality", _("生殖系统异常")


class ScreeningItem(models.Model):
    class Group(models.TextChoices):
        SERVICE = "service", _("咨询与评估")
        EXAM = "exam", _("病史与体格检查")
        LAB = "lab", _("实验室检查")
        IMAGING = "imaging", _("影像检查")

    number = models.PositiveSmallIntegerField(_("项目序号"), unique=True,
                                              help_text=_("国家 19 项为 1–19，新增项目从 20 起编。"))
    name = models.CharField(_("项目名称"), max_length=40)
    group = models.CharField(_("分组"), max_length=10, choices=Group.choices, default=Group.LAB,
                             help_text=_("录入页面按分组排列。"))
    for_female = models.BooleanField(_("女方检查"), default=True)
    for_male = models.BooleanField(_("男方检查"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("检查项目")
        verbose_name_plural = _("检查项目")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number} {self.name}"

    def applies_to(self, subject: str) -> bool:
        return self.for_female if subject == Subject.FEMALE else self.for_male


class ResultField(models.Model):
    """One structured result of an item: a number with unit and ranges, or one of fixed choices
    (阴性/阳性, grades Ⅰ–Ⅳ, ABO, Rh, ultrasound result), or free text (never flagged)."""

    class Kind(models.TextChoices):
        NUMBER = "number", _("数值")
        CHOICE = "choice", _("选项")
        TEXT = "text", _("文字")

    item = models.ForeignKey(ScreeningItem, on_delete=models.PROTECT, related_name="fields", verbose_name=_("检查项目"))
    code = models.SlugField(_("代码"), max_length=30, unique=True, help_text=_("英文代码，规则和导出用，如 hb。"))
    name = models.CharField(_("名称"), max_length=40)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    decimals = models.PositiveSmallIntegerField(_("小数位数"), default=1)
    choices = models.JSONField(_("选项"), default=list, blank=True,
                               help_text=_('选项类：[[代码, 名称], …]，如 [["neg", "阴性"], ["pos", "阳性"]]。'))
    normal_values = models.JSONField(_("正常选项"), default=list, blank=True,
                                     help_text=_("选项类：判为正常的代码列表，其余判为异常。"))
    ref_low = models.DecimalField(_("参考下限"), max_digits=10, decimal_places=3, null=True, blank=True)
    ref_high = models.DecimalField(_("参考上限"), max_digits=10, decimal_places=3, null=True, blank=True)
    ref_low_male = models.DecimalField(_("参考下限（男）"), max_digits=10, decimal_places=3, null=True, blank=True,
                                       help_text=_("男方参考范围不同时填写，否则留空用通用范围。"))
    ref_high_male = models.DecimalField(_("参考上限（男）"), max_digits=10, decimal_places=3, null=True, blank=True)
    plausible_low = models.DecimalField(_("可信下限"), max_digits=10, decimal_places=3, null=True, blank=True,
                                        help_text=_("超出可信范围的数值视为录入错误，拒绝保存。"))
    plausible_high = models.DecimalField(_("可信上限"), max_digits=10, decimal_places=3, null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("结果字段")
        verbose_name_plural = _("结果字段")
        ordering = ["item__number", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ref_low__isnull=True) | models.Q(ref_high__isnull=True)
                | models.Q(ref_low__lte=models.F("ref_high")),
                name="screening_field_ref_range_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(plausible_low__isnull=True) | models.Q(plausible_high__isnull=True)
                | models.Q(plausible_low__lte=models.F("plausible_high")),
                name="screening_field_plausible_range_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.item.name} · {self.name}" if self.item_id else self.name

    def choice_label(self, value: str) -> str:
        return dict((str(k), str(v)) for k, v in self.choices).get(str(value), value)

    def range_for(self, subject: str) -> tuple[Decimal | None, Decimal | None]:
        if subject == Subject.MALE and (self.ref_low_male is not None or self.ref_high_male is not None):
            return self.ref_low_male, self.ref_high_male
        return self.ref_low, self.ref_high

    def reference_text(self, subject: str) -> str:
        """The normal range or normal values as the letter and the result row show them."""
        if self.kind == self.Kind.NUMBER:
            low, high = self.range_for(subject)
            if low is None and high is None:
                return ""
            fmt = f"{{:.{self.decimals}f}}"
            low_s = fmt.format(low) if low is not None else ""
            high_s = fmt.format(high) if high is not None else ""
            if low is None:
                return f"≤{high_s}"
            if high is None:
                return f"≥{low_s}"
            return f"{low_s}–{high_s}"
        if self.kind == self.Kind.CHOICE and self.normal_values:
            return "/".join(self.choice_label(v) for v in self.normal_values)
        return ""


class RiskRuleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, field__is_active=True)

    def proposing(self):
        """Active rules that propose a factor (not the "no factor" entries)."""
        return self.active().filter(no_factor_reason="")


class RiskRule(models.Model):
    """Data, not code: when a result meets the condition, propose a risk factor and advice.

    The clinician confirms or edits what is proposed; a rule never decides on its own.

    A rule with ``no_factor_reason`` is an explicit "no factor" entry: the condition is abnormal
    but proposes nothing, for the reason stated (shown to the clinician on the assessment page).
    Every way a result can be judged abnormal is met by at least one active rule or entry
    (``screening.services.catalogue.uncovered_conditions``; docs/screening-rules.md).
    """

    class When(models.TextChoices):
        ABNORMAL = "abnormal", _("结果异常")
        LOW = "low", _("低于参考下限")
        HIGH = "high", _("高于参考上限")
        EQUALS = "equals", _("等于某选项")

    field = models.ForeignKey(ResultField, on_delete=models.PROTECT, related_name="rules", verbose_name=_("结果字段"))
    when = models.CharField(_("条件"), max_length=10, choices=When.choices, default=When.ABNORMAL)
    value = models.CharField(_("选项代码"), max_length=20, blank=True,
                             help_text=_("条件为“等于某选项”时填写，如 pos。"))
    domain = models.CharField(_("风险因素类别"), max_length=30, choices=RiskDomain.choices, blank=True)
    factor = models.CharField(_("风险因素"), max_length=100, blank=True)
    advice = models.TextField(_("建议"), blank=True, help_text=_("写入评估建议告知书，医生可修改。"))
    no_factor_reason = models.CharField(
        _("不提出风险因素的理由"), max_length=200, blank=True,
        help_text=_("填写后本条为“不提出风险因素”的明确说明：结果异常但不提出风险因素，理由显示给医生。"
                    "不填写时须填写类别、风险因素和建议。"))
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = RiskRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("风险评估规则")
        verbose_name_plural = _("风险评估规则")
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(when="equals") | ~models.Q(value=""), name="screening_rule_equals_has_value",
            ),
            # A rule proposes a factor (category, wording, advice) or says why it proposes none.
            models.CheckConstraint(
                condition=~models.Q(no_factor_reason="")
                | (~models.Q(domain="") & ~models.Q(factor="") & ~models.Q(advice="")),
                name="screening_rule_factor_or_reason",
                violation_error_message=_("请填写风险因素类别、风险因素和建议；不提出风险因素时请填写理由。"),
            ),
        ]

    def __str__(self):
        return f"{self.field} → {self.factor or _('不提出风险因素')}"

    @property
    def proposes(self) -> bool:
        return not self.no_factor_reason

    def matches(self, result) -> bool:
        """Does ``result`` (a ``ScreeningResult`` of this rule's field) meet the condition?"""
        if self.when == self.When.ABNORMAL:
            return bool(result.is_abnormal)
        if self.when == self.When.EQUALS:
            return result.value_choice == self.value
        if result.value_number is None:
            return False
        if self.when == self.When.LOW:
            return result.ref_low is not None and result.value_number < result.ref_low
        return result.ref_high is not None and result.value_number > result.ref_high
