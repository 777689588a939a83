"""Filters of the queue, the find page, the screenings list and the rates page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core import forms as core_forms
from core.forms import FilterFormMixin, Form, date_input

from ..models import RiskLevel, Screening
from ..scoping import serves_county
from ..selectors.queue import STEP_CHOICES
from .common import township_field


class QueueFilterForm(FilterFormMixin, Form):
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


class FindForm(FilterFormMixin, Form):
    q = forms.CharField(label=_("姓名、身份证号或电话"), max_length=40, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "autofocus": True,
                                                      "placeholder": _("姓名、身份证号后 4 位或电话")}))
    township = township_field()


class ScreeningFilterForm(FilterFormMixin, Form):
    q = forms.CharField(label=_("查找"), required=False, max_length=40,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("姓名、身份证号后 4 位或电话")}))
    township = township_field()
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + Screening.Status.choices)
    risk = forms.ChoiceField(label=_("风险评估"), required=False, choices=[("", _("全部"))] + RiskLevel.choices)
    date_from = forms.DateField(label=_("检查日期从"), required=False, widget=date_input())
    date_to = forms.DateField(label=_("至"), required=False, widget=date_input())


class PeriodForm(core_forms.PeriodForm):
    """The rates' period (at most ten years), and the township a figure's drilldown came from."""

    max_days = 3660

    start = forms.DateField(label=_("开始日期"), required=False, widget=date_input())
    end = forms.DateField(label=_("结束日期（含）"), required=False, widget=date_input())
    township = forms.IntegerField(required=False, widget=forms.HiddenInput)
