"""Forms of the follow-ups and prenatal screening: they validate and normalise only; the rules
(windows, dates against the LMP, one pregnancy) are the services'."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import Form, date_input
from ..models import (
    DeliveryMethod, EarlyResult, Exposure, FolicAcid, Illness, InfantSex, Outcome, OutcomeResult, PrenatalScreening,
)


def _numeric(**attrs):
    return forms.NumberInput(attrs={"inputmode": "numeric", **attrs})


class EarlyForm(Form):
    followed_on = forms.DateField(label=_("随访日期"), widget=date_input())
    result = forms.ChoiceField(label=_("随访结果"), choices=EarlyResult.choices, widget=forms.RadioSelect)
    lmp = forms.DateField(label=_("末次月经"), required=False, widget=date_input(), help_text=_("已孕时必填。"))
    lmp_exact = forms.BooleanField(label=_("末次月经日期确切"), required=False, initial=True)
    folic_acid = forms.ChoiceField(label=_("叶酸服用"), required=False, choices=[("", "—")] + FolicAcid.choices)
    exposures = forms.MultipleChoiceField(label=_("孕早期暴露"), required=False, choices=Exposure.choices,
                                          widget=forms.CheckboxSelectMultiple)
    illnesses = forms.MultipleChoiceField(label=_("停经后患病"), required=False, choices=Illness.choices,
                                          widget=forms.CheckboxSelectMultiple)
    medication = forms.CharField(label=_("用药情况"), required=False, max_length=200)
    confirming_facility = forms.CharField(label=_("确诊机构"), required=False, max_length=60)
    ultrasound = forms.CharField(label=_("B超结果"), required=False, max_length=200)
    notes = forms.CharField(label=_("备注"), required=False, max_length=300)

    def __init__(self, *args, lmp_hint=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["followed_on"].initial = timezone.localdate()
        if lmp_hint:
            self.fields["lmp"].initial = lmp_hint


class OutcomeForm(Form):
    followed_on = forms.DateField(label=_("随访日期"), widget=date_input())
    result = forms.ChoiceField(label=_("随访结果"), choices=OutcomeResult.choices, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(label=_("妊娠结局"), required=False, choices=[("", "—")] + Outcome.choices)
    delivery_date = forms.DateField(label=_("分娩（终止）日期"), required=False, widget=date_input())
    gestational_weeks = forms.IntegerField(label=_("孕周"), required=False, min_value=0, max_value=50,
                                           widget=_numeric())
    birth_weight_g = forms.IntegerField(label=_("出生体重（克）"), required=False, min_value=0, max_value=20000,
                                        widget=_numeric())
    infant_sex = forms.ChoiceField(label=_("婴儿性别"), required=False, choices=[("", "—")] + InfantSex.choices)
    multiple_birth = forms.BooleanField(label=_("多胎"), required=False)
    place = forms.CharField(label=_("分娩地点"), required=False, max_length=60)
    method = forms.ChoiceField(label=_("分娩方式"), required=False, choices=[("", "—")] + DeliveryMethod.choices)
    notes = forms.CharField(label=_("备注"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["followed_on"].initial = timezone.localdate()


class PrenatalForm(Form):
    test = forms.ChoiceField(label=_("筛查项目"), choices=PrenatalScreening.Test.choices, widget=forms.RadioSelect)
    tested_on = forms.DateField(label=_("筛查日期"), widget=date_input())
    gestational_weeks = forms.IntegerField(label=_("孕周（周）"), min_value=0, max_value=45, widget=_numeric())
    gestational_days = forms.IntegerField(label=_("孕周（天）"), min_value=0, max_value=6, initial=0,
                                          widget=_numeric())
    result = forms.ChoiceField(label=_("筛查结果"), choices=PrenatalScreening.Result.choices, widget=forms.RadioSelect)
    detail = forms.CharField(label=_("风险值或说明"), required=False, max_length=200)
    facility = forms.CharField(label=_("筛查机构"), required=False, max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tested_on"].initial = timezone.localdate()


class DiagnosisForm(Form):
    diagnosis_on = forms.DateField(label=_("诊断日期"), widget=date_input())
    diagnosis_method = forms.CharField(label=_("诊断方法"), max_length=60, required=False,
                                       initial=_("羊水穿刺染色体核型分析"))
    diagnosis_result = forms.ChoiceField(label=_("诊断结果"), choices=PrenatalScreening.Diagnosis.choices,
                                         widget=forms.RadioSelect)
