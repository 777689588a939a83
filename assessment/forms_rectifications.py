"""Forms of rectifications (整改) and supervision visits (督导): they validate; services write."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filetypes import ACCEPT
from core.forms import Form

from .models import Liaison, Rectification
from .services.rectifications import next_briefing, township_clerks

DATE = {"type": "date", "class": "form-control"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern); each is checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class AssignForm(Form):
    """A rectification's task, deadline (default: the next Monday briefing) and responsible clerk."""

    task = forms.CharField(label=_("整改要求"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("整改期限"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                               help_text=_("默认为下一次周一通报。"))
    responsible = forms.ModelChoiceField(label=_("责任人"), queryset=Rectification.objects.none())

    def __init__(self, *args, township, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = township_clerks(township.pk)
        self.fields["responsible"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["deadline"].widget.attrs["min"] = timezone.localdate().isoformat()
        if not self.is_bound:
            self.initial.setdefault("deadline", next_briefing())
            first = self.fields["responsible"].queryset.first()
            if first is not None:
                self.initial.setdefault("responsible", first.pk)


class WeekAssignForm(Form):
    deadline = forms.DateField(label=_("整改期限"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))


class ReportForm(Form):
    text = forms.CharField(label=_("整改情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("写明整改了什么、怎么整改的。"))
    photos = MultipleFileField(label=_("拍照上传"), required=False, widget=MultipleFileInput(
        attrs={"accept": "image/jpeg,image/png", "capture": "environment"}))
    files = MultipleFileField(label=_("选择照片或文件"), required=False,
                              help_text=_("可多选：PDF、JPEG、PNG、Word、Excel、PowerPoint，单个文件不超过 20 MB。"))

    def uploads(self) -> list:
        return [*self.cleaned_data.get("photos", []), *self.cleaned_data.get("files", [])]


class AcceptForm(Form):
    note = forms.CharField(label=_("验收意见"), max_length=500, required=False,
                           widget=forms.TextInput(attrs={"class": "form-control"}))


class ReturnForm(Form):
    reason = forms.CharField(label=_("退回原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class SupervisionForm(Form):
    township = forms.ModelChoiceField(label=_("督导镇街"), queryset=Liaison.objects.none())
    visit_date = forms.DateField(label=_("督导日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    participants = forms.CharField(label=_("参加人员"), max_length=200)
    findings = forms.CharField(label=_("发现的问题"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    agreed = forms.CharField(label=_("议定事项"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("保存后可一键转为该镇街的整改任务。"))

    def __init__(self, *args, leader, **kwargs):
        from accounts.models import Township

        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        years = [today.year, today.year - 1]
        ids = Liaison.objects.filter(leader=leader, year__in=years).values("township_id")
        self.fields["township"].queryset = Township.objects.filter(pk__in=ids).order_by("sort_order", "code")
        self.fields["visit_date"].widget.attrs["max"] = today.isoformat()
        if not self.is_bound:
            self.initial.setdefault("visit_date", today)
