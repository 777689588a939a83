"""“两非”案件: cases, their parties, the event history of every transition, and evidence files.

Enforcement targets the facilities and people who carry out, arrange or enable fetal sex
determination or sex-selective termination without medical need (Population and Family Planning
Law 2021, Arts. 39–40). A pregnant woman and her family are never a party: ``PartyRole`` has no
such choice.
"""

import datetime

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Township
from accounts.validators import mask_id_number, validate_id_number
from core.models import Timestamped, Versioned

from .common import EnforcementQuerySet
from .facilities import Facility
from .inspections import Inspection
from .tips import Tip


class CaseSource(models.TextChoices):
    TIP = "tip", _("群众举报")
    ULTRASOUND_REGISTER = "ultrasound_register", _("B超检查登记")
    TERMINATION_REGISTER = "termination_register", _("引流产登记")
    DRUG_LEDGER = "drug_ledger", _("药品台账")
    PREGNANCY_FOLLOWUP = "pregnancy_followup", _("孕情跟踪")
    REFERRAL = "referral", _("上级交办/部门移送")


class ViolationType(models.TextChoices):
    SEX_DETERMINATION = "sex_determination", _("非医学需要的胎儿性别鉴定")
    SEX_SELECTIVE_TERMINATION = "sex_selective_termination", _("非医学需要的选择性别人工终止妊娠")
    ARRANGING = "arranging", _("介绍、组织“两非”")
    ILLEGAL_DRUGS = "illegal_drugs", _("违法销售、使用终止妊娠药品")
    OTHER = "other", _("其他")


class Department(models.TextChoices):
    HEALTH = "health", _("卫健")
    POLICE = "police", _("公安")
    MARKET = "market", _("市场监管")
    DISCIPLINE = "discipline", _("纪检")


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("线索登记")
    PRELIMINARY = "preliminary", _("初查")
    FILED = "filed", _("立案")
    NOT_FILED = "not_filed", _("不予立案")
    INVESTIGATING = "investigating", _("调查取证")
    REFERRED = "referred", _("移送公安/纪检")
    DECIDED = "decided", _("处理决定")
    ENFORCED = "enforced", _("执行")
    CLOSED = "closed", _("结案")


S = CaseStatus
# The workflow (docs/domain.md, Codes: case stages). Everything not listed here is refused.
# 不予立案 is reachable before filing only: it is also how a case opened in error is closed
# (cases are never deleted). After a referral the bureau either decides its own penalty or
# closes the case once the police/discipline body has taken it over.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.RECEIVED: (S.PRELIMINARY, S.NOT_FILED),
    S.PRELIMINARY: (S.FILED, S.NOT_FILED),
    S.FILED: (S.INVESTIGATING,),
    S.INVESTIGATING: (S.REFERRED, S.DECIDED),
    S.REFERRED: (S.DECIDED, S.CLOSED),
    S.DECIDED: (S.ENFORCED,),
    S.ENFORCED: (S.CLOSED,),
    S.CLOSED: (),
    S.NOT_FILED: (),
}
TERMINAL = frozenset({S.CLOSED, S.NOT_FILED})
# A reason is required where the decision must be explained to a reviewer.
REASON_REQUIRED = frozenset({S.NOT_FILED, S.REFERRED})


def stage_deadline_days(status: str) -> int | None:
    return settings.ENFORCEMENT_STAGE_DEADLINE_DAYS.get(status)


class CaseQuerySet(EnforcementQuerySet):
    def open(self):
        return self.exclude(status__in=TERMINAL)

    def overdue(self, today: datetime.date):
        """Open cases whose current stage passed its deadline (stage_due_on is set on entry)."""
        return self.filter(stage_due_on__lt=today).exclude(status__in=TERMINAL)


class Case(Versioned, Timestamped):
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    seq = models.PositiveIntegerField(_("序号"), editable=False)
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("发生地镇/街道"))
    source = models.CharField(_("案件来源"), max_length=24, choices=CaseSource.choices)
    tip = models.OneToOneField(
        Tip,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case",
        verbose_name=_("来源举报"),
        editable=False,
    )
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("来源检查"),
        editable=False,
    )
    title = models.CharField(_("案由"), max_length=120, help_text=_("一句话概括：谁、何时、何地、什么行为。"))
    description = models.TextField(_("案情"), max_length=4000, blank=True)
    violation_types = models.JSONField(_("违法类型"), default=list, blank=True)
    departments = models.JSONField(_("参与部门"), default=list, blank=True)
    status = models.CharField(
        _("办理环节"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.RECEIVED, editable=False
    )
    stage_entered_at = models.DateTimeField(_("进入本环节时间"), default=timezone.now, editable=False)
    stage_due_on = models.DateField(
        _("本环节期限"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("按本县设置的各环节办理期限计算；已结案或不予立案的为空。"),
    )
    registered_on = models.DateField(_("登记日期"), default=timezone.localdate, editable=False)
    filed_on = models.DateField(_("立案日期"), null=True, blank=True, editable=False)
    referred_on = models.DateField(_("移送日期"), null=True, blank=True, editable=False)
    decided_on = models.DateField(_("处理决定日期"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True, editable=False)
    dismissed_on = models.DateField(_("不予立案日期"), null=True, blank=True, editable=False)
    # Outcome (处理决定), recorded when the case moves to 处理决定.
    decision_number = models.CharField(_("处理决定书文号"), max_length=60, blank=True, editable=False)
    outcome_warning = models.BooleanField(_("警告"), default=False, editable=False)
    confiscated_amount = models.DecimalField(
        _("没收违法所得（元）"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    fine_amount = models.DecimalField(
        _("罚款（元）"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    licence_revoked = models.BooleanField(_("吊销执业证书"), default=False, editable=False)
    referred_to_police = models.BooleanField(_("移送公安"), default=False, editable=False)
    referred_to_discipline = models.BooleanField(_("移送纪检"), default=False, editable=False)
    outcome_notes = models.CharField(_("处理说明"), max_length=500, blank=True, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("两非案件")
        verbose_name_plural = _("两非案件")
        ordering = ["-year", "-seq"]
        constraints = [
            models.UniqueConstraint(fields=["year", "seq"], name="enforcement_case_number_unique"),
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="enforcement_case_status_valid"),
            models.CheckConstraint(
                condition=Q(fine_amount__isnull=True) | Q(fine_amount__gte=0),
                name="enforcement_case_fine_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(confiscated_amount__isnull=True) | Q(confiscated_amount__gte=0),
                name="enforcement_case_confiscation_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CLOSED) | Q(closed_on__isnull=False),
                name="enforcement_case_closed_has_date",
            ),
        ]
        indexes = [
            # Case list: township filter and status filter, newest number first.
            models.Index(fields=["township", "status"], name="enf_case_township_status"),
            # Overdue list: open cases with stage_due_on < today.
            models.Index(
                fields=["stage_due_on"], condition=~Q(status__in=["closed", "not_filed"]), name="enf_case_overdue"
            ),
            # Figures and indicators per period: cases registered / filed / closed in [start, end) by township.
            models.Index(fields=["registered_on", "township"], name="enf_case_registered"),
            models.Index(fields=["filed_on", "township"], name="enf_case_filed"),
            models.Index(fields=["closed_on", "township"], name="enf_case_closed"),
            models.Index(fields=["decided_on", "township"], name="enf_case_decided"),
            models.Index(fields=["referred_on", "township"], name="enf_case_referred"),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"{self.year}-{self.seq:03d}"

    def get_absolute_url(self):
        return reverse("enforcement:case_detail", args=[self.pk])

    @property
    def allowed_transitions(self) -> tuple[str, ...]:
        return TRANSITIONS.get(self.status, ())

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return (
            not self.is_terminal
            and self.stage_due_on is not None
            and self.stage_due_on < (today or timezone.localdate())
        )

    @property
    def violation_labels(self) -> list[str]:
        return [str(ViolationType(v).label) for v in self.violation_types if v in ViolationType.values]

    @property
    def department_labels(self) -> list[str]:
        return [str(Department(v).label) for v in self.departments if v in Department.values]

    @property
    def outcome_labels(self) -> list[str]:
        labels = []
        if self.outcome_warning:
            labels.append(str(_("警告")))
        if self.confiscated_amount:
            labels.append(str(_("没收违法所得 %(n)s 元") % {"n": self.confiscated_amount}))
        if self.fine_amount:
            labels.append(str(_("罚款 %(n)s 元") % {"n": self.fine_amount}))
        if self.licence_revoked:
            labels.append(str(_("吊销执业证书")))
        if self.referred_to_police:
            labels.append(str(_("移送公安")))
        if self.referred_to_discipline:
            labels.append(str(_("移送纪检")))
        return labels


class PartyKind(models.TextChoices):
    FACILITY = "facility", _("机构（定点机构名录）")
    PERSON = "person", _("个人")


class PartyRole(models.TextChoices):
    # Who carries out, arranges or enables two-non acts. Deliberately no "pregnant woman" or
    # "family member": the law punishes providers and intermediaries, not families.
    PERFORMER = "performer", _("实施鉴定或手术")
    INTERMEDIARY = "intermediary", _("介绍、组织（中介）")
    DRUG_SELLER = "drug_seller", _("违法销售终止妊娠药品")
    RESPONSIBLE = "responsible", _("机构负责人/责任人")
    ACCOMPLICE = "accomplice", _("提供场所、设备等协助")


class CasePartyQuerySet(EnforcementQuerySet):
    township_path = "case__township"


class CaseParty(Timestamped):
    """当事人: a facility from the registry, or a person who carried out, arranged or enabled the act."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="parties", verbose_name=_("案件"))
    kind = models.CharField(_("当事人类型"), max_length=10, choices=PartyKind.choices)
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, null=True, blank=True, related_name="case_parties", verbose_name=_("机构")
    )
    name = models.CharField(_("姓名/名称"), max_length=100, blank=True)
    id_number = models.CharField(
        _("身份证号"),
        max_length=18,
        blank=True,
        validators=[validate_id_number],
        help_text=_("可不填；列表和导出中脱敏显示。"),
    )
    role = models.CharField(
        _("涉案行为"),
        max_length=16,
        choices=PartyRole.choices,
        help_text=_("执法对象是实施、介绍、组织或协助“两非”行为的机构和人员，不包括孕妇及其家庭。"),
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("住址/地址"), max_length=200, blank=True)

    objects = CasePartyQuerySet.as_manager()

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["case", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=PartyKind.FACILITY) & Q(facility__isnull=False))
                | (Q(kind=PartyKind.PERSON) & Q(facility__isnull=True) & ~Q(name="")),
                name="enforcement_party_facility_or_person",
            ),
        ]
        indexes = [
            # "Cases where this facility is a party" on the facility page.
            models.Index(fields=["facility"], name="enf_party_facility"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.facility.name if self.kind == PartyKind.FACILITY and self.facility_id else self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class CaseEvent(models.Model):
    """One row per transition (who, when, from, to, why): the case's history. Never updated."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("案件"))
    from_status = models.CharField(_("原环节"), max_length=16, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("新环节"), max_length=16, choices=CaseStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    reason = models.CharField(_("理由/说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("案件流转记录")
        verbose_name_plural = _("案件流转记录")
        ordering = ["at", "id"]
        indexes = [
            # The case page's history, oldest first.
            models.Index(fields=["case", "at"], name="enf_event_case_at"),
        ]

    def __str__(self):
        return f"{self.case} {self.from_status or '—'} → {self.to_status}"


def evidence_storage():
    """Where evidence files live: the storage alias named by ENFORCEMENT_EVIDENCE_STORAGE
    (``default`` unless configured), so a county can move them to other storage by settings."""
    return storages[settings.ENFORCEMENT_EVIDENCE_STORAGE]


def evidence_path(instance, filename):
    # Never the uploaded name in the path: it is user input. The service sets a random name.
    return filename


class EvidenceKind(models.TextChoices):
    PDF = "pdf", _("PDF 文档")
    JPEG = "jpeg", _("照片（JPEG）")
    PNG = "png", _("图片（PNG）")
    WORD = "word", _("Word 文档")
    EXCEL = "excel", _("Excel 表格")
    POWERPOINT = "powerpoint", _("PowerPoint 文稿")
    OFFICE_LEGACY = "office_legacy", _("Office 97–2003 文档")


class Evidence(models.Model):
    """证据材料: a file attached to a case, with its SHA-256 taken when it was received."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("案件"))
    file = models.FileField(_("文件"), storage=evidence_storage, upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    kind = models.CharField(_("文件类型"), max_length=16, choices=EvidenceKind.choices)
    content_type = models.CharField(_("MIME 类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(
        _("SHA-256"), max_length=64, help_text=_("上传时计算；下载时重新核对，不一致即提示可能被篡改。")
    )
    description = models.CharField(_("说明"), max_length=300)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")
        ordering = ["uploaded_at", "id"]
        indexes = [
            # The case page's evidence list.
            models.Index(fields=["case", "uploaded_at"], name="enf_evidence_case"),
        ]

    def __str__(self):
        return self.original_name

    @property
    def township_id(self):
        return self.case.township_id

    def get_absolute_url(self):
        return reverse("enforcement:case_detail", args=[self.case_id]) + f"#evidence-{self.pk}"
