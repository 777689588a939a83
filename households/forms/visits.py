"""Forms for follow-up visits, the register/visit/due list filters, outreach and its lists.

Forms only validate and normalise; the rules (dates, LMP when pregnant, scope) live in
services/visits.py and services/outreach.py, whose ``ValidationError`` the views put back on the
form with ``apply_errors`` so everything typed is kept.
"""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User, Village
from core.forms import FilterFormMixin, Form, PlausibleDateField, date_input, years

from .common import ScopedModelChoiceField
from ..models import INTENTION_TIMINGS, PlannedTiming, PregnancyStatus, VisitService
from ..selectors.visits import outreach_villages
from ..services.register import assignable_staff
from ..services.visits import default_next_due

ALL = [("", _("全部"))]


# --- 记录随访 --------------------------------------------------------------------------------
class VisitForm(Form):
    # A visit is recorded on the day or caught up within the year; never ahead (the service checks the
    # last menstrual period and the next visit against this date).
    visit_date = PlausibleDateField(label=_("随访日期"), past=years(1), widget=date_input(**{"data-role": "visit-date"}))
    pregnancy_status = forms.ChoiceField(
        label=_("孕情"), choices=PregnancyStatus.choices, widget=forms.RadioSelect,
    )
    last_menstrual_period = PlausibleDateField(
        label=_("末次月经"), required=False, past=years(2),
        help_text=_("孕情为“已孕”时必填，不能晚于随访日期。"),
    )
    services = forms.MultipleChoiceField(
        label=_("提供的服务"), choices=VisitService.choices, required=False, widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("随访记录"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("服务内容、夫妇情况、下一步安排")}),
    )
    next_due = PlausibleDateField(
        label=_("下次随访日期"), required=False, past=years(1), future=years(2),
        widget=date_input(**{"data-role": "next-due"}),
        help_text=_("默认按孕情自动计算（未孕 90 天、已孕 30 天等，以本县设置为准），可修改；留空则自动计算。"),
    )
    # The default the page offered. If next_due comes back unchanged it was never the user's
    # choice, so the server recomputes it from the status and date actually submitted: without
    # JavaScript the offered default would otherwise follow the status the form opened with.
    next_due_default = forms.DateField(required=False, widget=forms.HiddenInput(attrs={"data-role": "next-due-default"}))

    def __init__(self, *args, couple=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            today = timezone.localdate()
            status = getattr(couple, "pregnancy_status", "") or PregnancyStatus.NOT_PREGNANT
            default = default_next_due(today, status)
            self.initial.setdefault("visit_date", today)
            self.initial.setdefault("pregnancy_status", status)
            self.initial.setdefault("next_due", default)
            self.initial.setdefault("next_due_default", default)

    def clean_notes(self):
        return self.cleaned_data["notes"].strip()

    def clean(self):
        data = super().clean()
        if data.get("next_due") and data.get("next_due") == data.get("next_due_default"):
            data["next_due"] = None
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "visit_date": data["visit_date"], "pregnancy_status": data["pregnancy_status"],
            "last_menstrual_period": data.get("last_menstrual_period"), "services": data.get("services") or [],
            "notes": data.get("notes", ""), "next_due": data.get("next_due"),
        }


# --- List filters ---------------------------------------------------------------------------
class _ScopedFilterForm(FilterFormMixin, Form):
    """GET filters. A village or staff id outside the user's scope answers 404, like a URL."""

    q = forms.CharField(
        label=_("搜索"), required=False, max_length=50, help_text=_("身份证号可输全号或后 4 位。"),
        widget=forms.TextInput(attrs={"placeholder": _("姓名、身份证号或电话"), "type": "search"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


def _village_field(user) -> ScopedModelChoiceField:
    return ScopedModelChoiceField(
        Village.objects.filter(township_id=user.township_id).order_by("code"),
        unscoped_queryset=Village.objects.all(), label_field="name", required=False, label=_("村/社区"),
        empty_label=_("全部"),
    )


def _staff_field(user, label) -> ScopedModelChoiceField:
    """The township's possible 专人. A user of another township is out of scope (404); an
    own-township colleague who left or was deactivated is a plain form error."""
    staff = assignable_staff(user.township_id) if user.township_id else User.objects.none()
    return ScopedModelChoiceField(
        staff, unscoped_queryset=User.objects.exclude(township_id=user.township_id),
        required=False, label=label, empty_label=_("全部"),
    )


class RegisterFilterForm(_ScopedFilterForm):
    SORTS = [("due", _("下次随访日期")), ("timing", _("计划生育时间")), ("village", _("村/社区"))]

    planned_timing = forms.ChoiceField(
        label=_("计划生育时间"), required=False,
        choices=ALL + [(c.value, c.label) for c in PlannedTiming if c in INTENTION_TIMINGS],
    )
    pregnancy_status = forms.ChoiceField(label=_("孕情"), required=False, choices=ALL + PregnancyStatus.choices)
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=SORTS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["village"] = _village_field(user)
        self.fields["responsible"] = _staff_field(user, _("责任人"))
        self.order_fields(["q", "village", "planned_timing", "pregnancy_status", "responsible", "sort"])


class VisitFilterForm(_ScopedFilterForm):
    pregnancy_status = forms.ChoiceField(label=_("孕情"), required=False, choices=ALL + PregnancyStatus.choices)
    date_from = forms.DateField(label=_("随访日期从"), required=False, widget=date_input())
    date_to = forms.DateField(label=_("至"), required=False, widget=date_input())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["village"] = _village_field(user)
        self.fields["visitor"] = _staff_field(user, _("随访人"))
        self.order_fields(["q", "village", "pregnancy_status", "visitor", "date_from", "date_to"])

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data


class DueStaffFilterForm(_ScopedFilterForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        del self.fields["q"]
        self.fields["staff"] = _staff_field(user, _("责任人"))


# --- 大走访 ---------------------------------------------------------------------------------
class OutreachForm(Form):
    visit_date = PlausibleDateField(label=_("走访日期"), past=years(1))
    content = forms.CharField(
        label=_("走访内容"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("宣传的政策、了解的情况")}),
    )
    needs = forms.CharField(
        label=_("群众诉求"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("没有可不填")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("visit_date", timezone.localdate())


class OutreachHouseholdFilterForm(_ScopedFilterForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("户主、地址或电话")
        self.fields["q"].help_text = _("也可搜成员姓名；身份证号可输全号或后 4 位。")
        village = ScopedModelChoiceField(
            outreach_villages(user), unscoped_queryset=Village.objects.all(), required=False,
            label=_("村/社区"), empty_label=_("全部"),
        )
        # Work groups may span townships: name the township with the village.
        village.label_from_instance = lambda v: f"{v.township} · {v}"
        self.fields["village"] = village


class OutreachVisitFilterForm(_ScopedFilterForm):
    date_from = forms.DateField(label=_("走访日期从"), required=False, widget=date_input())
    date_to = forms.DateField(label=_("至"), required=False, widget=date_input())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("户主、地址、走访内容")
        self.fields["q"].help_text = ""
