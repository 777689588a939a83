"""Forms for cases: open, edit, parties, transitions (with the decision's outcome), figures period."""


from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import township_field
from core.forms import Form
from accounts.validators import normalise_id_number, parse_id_number

from ..models import (
    Case,
    CaseSource,
    CaseStatus,
    Department,
    Facility,
    PartyKind,
    PartyRole,
    ViolationType,
)
from ..services.cases import INSPECTION_SOURCES, Outcome
from .records import VersionedFormMixin


class CaseForm(VersionedFormMixin, Form):
    township = township_field(required=True, label=_("发生地镇/街道"))
    source = forms.ChoiceField(label=_("案件来源"), choices=[c for c in CaseSource.choices if c[0] != CaseSource.TIP])
    title = forms.CharField(label=_("案由"), max_length=120, help_text=Case._meta.get_field("title").help_text)
    description = forms.CharField(
        label=_("案情"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    violation_types = forms.MultipleChoiceField(
        label=_("违法类型"), choices=ViolationType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    departments = forms.MultipleChoiceField(
        label=_("参与部门"),
        choices=Department.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=[Department.HEALTH],
    )

    def __init__(self, *args, instance: Case | None = None, from_tip=False, from_inspection=False, **kwargs):
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.add_version(instance)
            del self.fields["source"]  # where a case came from does not change
            if not self.is_bound:
                for name in ("township", "title", "description", "violation_types", "departments"):
                    self.initial[name] = getattr(instance, name)
        elif from_tip:
            del self.fields["source"]
        elif from_inspection:
            self.fields["source"].choices = [c for c in CaseSource.choices if c[0] in INSPECTION_SOURCES]

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class PartyForm(Form):
    kind = forms.ChoiceField(
        label=_("当事人类型"), choices=PartyKind.choices, widget=forms.RadioSelect, initial=PartyKind.FACILITY
    )
    facility = forms.ModelChoiceField(
        Facility.objects.none(),
        label=_("机构"),
        required=False,
        help_text=_("从定点机构名录中选择；名录外的机构请先登记到名录。"),
    )
    name = forms.CharField(label=_("姓名"), max_length=100, required=False)
    id_number = forms.CharField(
        label=_("身份证号"), max_length=20, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(
        label=_("涉案行为"),
        choices=PartyRole.choices,
        help_text=_("执法对象是实施、介绍、组织或协助“两非”行为的机构和人员，不包括孕妇及其家庭。"),
    )
    phone = forms.CharField(
        label=_("联系电话"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    address = forms.CharField(label=_("住址/地址"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = Facility.objects.visible_to(user).order_by("name")

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        if value:
            value = normalise_id_number(value)
            parse_id_number(value)
        return value

    def clean(self):
        data = super().clean()
        if data.get("kind") == PartyKind.FACILITY and not data.get("facility"):
            self.add_error("facility", _("请从定点机构名录中选择机构。"))
        if data.get("kind") == PartyKind.PERSON and not (data.get("name") or "").strip():
            self.add_error("name", _("请填写当事人姓名。"))
        return data


class TransitionForm(Form):
    """One step of the workflow (the target stage is in the URL). ``expected`` is the stage the
    user saw: if the case moved on meanwhile, the step is refused rather than applied on top."""

    expected = forms.ChoiceField(choices=CaseStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("理由/说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    referral_department = forms.ChoiceField(
        label=_("移送部门"),
        required=False,
        widget=forms.RadioSelect,
        choices=[(Department.POLICE, Department.POLICE.label), (Department.DISCIPLINE, Department.DISCIPLINE.label)],
    )
    decision_number = forms.CharField(label=_("处理决定书文号"), max_length=60, required=False)
    outcome_warning = forms.BooleanField(label=_("警告"), required=False)
    confiscated_amount = forms.DecimalField(
        label=_("没收违法所得（元）"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    fine_amount = forms.DecimalField(
        label=_("罚款（元）"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_(
            "违法所得 1 万元以上的，处 2–6 倍罚款；不足 1 万元的，处 1–3 万元罚款（人口与计划生育法第四十条）。"
        ),
    )
    licence_revoked = forms.BooleanField(label=_("吊销执业证书"), required=False)
    referred_to_police = forms.BooleanField(label=_("移送公安"), required=False)
    outcome_notes = forms.CharField(
        label=_("处理说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def outcome(self) -> Outcome:
        d = self.cleaned_data
        return Outcome(
            decision_number=d.get("decision_number", ""),
            warning=d.get("outcome_warning", False),
            confiscated_amount=d.get("confiscated_amount"),
            fine_amount=d.get("fine_amount"),
            licence_revoked=d.get("licence_revoked", False),
            referred_to_police=d.get("referred_to_police", False),
            notes=d.get("outcome_notes", ""),
        )
