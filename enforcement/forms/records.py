"""Forms for facilities, devices, tips and inspections. They validate and normalise; services write."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import township_field
from core.forms import Form, ModelForm, date_input
from accounts.models import User
from accounts.roles import Role

from ..filetypes import ACCEPT
from ..models import Facility, Tip, TipChannel, UltrasoundDevice
from ..services.facilities import DEVICE_FIELDS, FACILITY_FIELDS


class ServiceModelForm(ModelForm):
    """A ModelForm for its fields and widgets only: it neither fills in nor validates the
    instance (no ``construct_instance``, no model ``full_clean``). The service applies the data and
    decides the rules, so a refused form leaves the record as it was and messages come from one
    place."""

    def _post_clean(self):
        pass

    def validate_unique(self):
        pass


class VersionedFormMixin:
    """Carries the version the record was read at, so a stale save is refused (core.records)."""

    def add_version(self, instance):
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        if not self.is_bound and instance is not None and instance.pk:
            self.initial["version"] = instance.version


class FacilityForm(VersionedFormMixin, ServiceModelForm):
    township = township_field(required=True, label=_("所在镇/街道"))

    class Meta:
        model = Facility
        fields = list(FACILITY_FIELDS)  # what the service writes
        widgets = {
            "licence_valid_from": date_input(),
            "licence_valid_until": date_input(),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }


    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_version(self.instance)

    def clean_licence_number(self):
        return self.cleaned_data["licence_number"].strip()


class DeviceForm(VersionedFormMixin, ServiceModelForm):
    class Meta:
        model = UltrasoundDevice
        fields = list(DEVICE_FIELDS)
        widgets = {"purchased_on": date_input(), "filed_on": date_input()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_version(self.instance)
        self.fields["filed_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class TipForm(ServiceModelForm):
    township = township_field(required=True, label=_("涉及镇/街道"))

    class Meta:
        model = Tip
        fields = ["channel", "received_on", "township", "content", "reporter_name", "reporter_contact"]
        widgets = {
            "channel": forms.RadioSelect,
            "received_on": date_input(),
            "content": forms.Textarea(attrs={"rows": 5}),
            "reporter_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "reporter_contact": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = TipChannel.choices  # radio buttons: no blank "---------" choice
        self.fields["received_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        if not self.is_bound:
            self.initial.setdefault("received_on", timezone.localdate())


class TipRewardForm(Form):
    amount = forms.DecimalField(label=_("奖励金额（元）"), max_digits=10, decimal_places=2, min_value=0)
    paid_on = forms.DateField(label=_("发放日期"), widget=date_input())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


def inspector_choices():
    return User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by("name", "username")


class InspectionForm(Form):
    facility = forms.ModelChoiceField(Facility.objects.none(), label=_("被检查机构"))
    inspected_on = forms.DateField(label=_("检查日期"), widget=date_input())
    inspectors = forms.ModelMultipleChoiceField(
        inspector_choices(),
        label=_("同行检查人员"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("您本人自动计入检查人员。"),
    )
    checked_ultrasound_register = forms.BooleanField(label=_("B超检查登记"), required=False)
    checked_termination_register = forms.BooleanField(label=_("引流产（终止妊娠）登记"), required=False)
    checked_drug_ledger = forms.BooleanField(label=_("终止妊娠药品台账"), required=False)
    problems_found = forms.BooleanField(label=_("发现问题"), required=False)
    findings = forms.CharField(label=_("检查情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, facility=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = Facility.objects.visible_to(user).active().order_by("name")
        self.fields["inspectors"].queryset = inspector_choices().exclude(pk=user.pk)
        if facility is not None:
            self.fields["facility"].initial = facility.pk
        self.fields["inspected_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        if not self.is_bound:
            self.initial.setdefault("inspected_on", timezone.localdate())


class EvidenceForm(Form):
    """Either a file chosen from the phone/computer or a photo taken with the camera now."""

    photo = forms.FileField(
        label=_("拍照上传"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
    )
    file = forms.FileField(
        label=_("选择文件"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("PDF、JPEG、PNG、Word、Excel、PowerPoint，单个文件不超过 20 MB。"),
    )
    description = forms.CharField(
        label=_("材料说明"), max_length=300, widget=forms.TextInput(attrs={"placeholder": _("例如：B超室现场照片")})
    )

    def clean(self):
        data = super().clean()
        chosen = [f for f in (data.get("photo"), data.get("file")) if f]
        if len(chosen) != 1:
            raise forms.ValidationError(_("请拍一张照片或选择一个文件（一次一个）。"))
        data["upload"] = chosen[0]
        return data
