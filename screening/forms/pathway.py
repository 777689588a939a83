"""Filters of the queue, the find page, the screenings list and the rates page."""
import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import Form, QueryDateField

from ..models import RiskLevel, Screening
from ..scoping import serves_county
from ..selectors.queue import STEP_CHOICES
from .common import FilterForm, date_input, township_field


class QueueFilterForm(FilterForm):
    q = forms.CharField(label=_("查找"), required=False, max_length=40,
                        widget=forms.TextInput(attrs={"placeholder": _("姓名、身份证号后 4 位或电话"),
                                                      "type": "search"}))
    township = township_field()
    step = forms.ChoiceField(label=_("下一步"), required=False, choices=[("", _("全部"))] + STEP_CHOICES)
    high_risk = forms.BooleanField(label=_("只看高风险"), required=False)
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not serves_county(user):
            del self.fields["township"]  # a clerk's queue is their township's


class FindForm(FilterForm):
    q = forms.CharField(label=_("姓名、身份证号或电话"), max_length=40, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "autofocus": True,
                                                      "placeholder": _("姓名、身份证号后 4 位或电话")}))
    township = township_field()


class ScreeningFilterForm(FilterForm):
    q = forms.CharField(label=_("查找"), required=False, max_length=40,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("姓名、身份证号后 4 位或电话")}))
    township = township_field()
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + Screening.Status.choices)
    risk = forms.ChoiceField(label=_("风险评估"), required=False, choices=[("", _("全部"))] + RiskLevel.choices)
    date_from = QueryDateField(label=_("检查日期从"), widget=date_input())
    date_to = QueryDateField(label=_("至"), widget=date_input())


# Statistics start with the programme's records; a far date (9999-12-31) would overflow "+1 day".


class PeriodForm(Form):
    """A half-open period [start, end): the form shows the last day included, the selectors take
    the day after. Defaults to this year so far."""

    start = QueryDateField(label=_("开始日期"), widget=date_input())
    end = QueryDateField(label=_("结束日期（含）"), widget=date_input())
    township = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def period(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        start, last = today.replace(month=1, day=1), today
        if self.is_bound and self.is_valid():
            start = self.cleaned_data.get("start") or start
            last = self.cleaned_data.get("end") or last
        if last < start:
            start, last = last, start
        return start, last + datetime.timedelta(days=1)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and (end - start).days > 3660:
            raise forms.ValidationError(_("统计期间不能超过 10 年。"))
        return data
