"""Forms of the screening itself: walk-in couple, start (consent), results, risk assessment."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import Form, date_input
from accounts.models import Village
from accounts.validators import normalise_id_number, parse_id_number

from ..models import Consent, ResultField, RiskDomain, Subject
from ..services.screenings import result_key

TIMINGS = [("1", _("一年内")), ("2", _("两年内")), ("3", _("三年内")), ("4", _("更晚"))]


class IdField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=20, **kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean(self, value):
        value = super().clean(value)
        if value:
            value = normalise_id_number(value)
            parse_id_number(value)  # ValidationError in Chinese when the number is wrong
        return value


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.township.name} · {obj.name}"


class WalkInForm(Form):
    husband_name = forms.CharField(label=_("丈夫姓名"), max_length=30)
    husband_id = IdField(label=_("丈夫身份证号"))
    wife_name = forms.CharField(label=_("妻子姓名"), max_length=30)
    wife_id = IdField(label=_("妻子身份证号"))
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    village = VillageChoiceField(label=_("户籍或居住村/社区"), queryset=Village.objects.none())
    address = forms.CharField(label=_("家庭地址"), max_length=200, help_text=_("组/街道门牌，例如：三组 12 号。"))
    marriage_date = forms.DateField(label=_("结婚日期"), required=False, widget=date_input())
    boys = forms.IntegerField(label=_("现有男孩数"), min_value=0, max_value=15, initial=0,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    girls = forms.IntegerField(label=_("现有女孩数"), min_value=0, max_value=15, initial=0,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    planned_timing = forms.ChoiceField(label=_("计划生育时间"), choices=TIMINGS, initial="1")
    confirm_not_duplicate = forms.BooleanField(label=_("已核对，不是同一户，仍然登记"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.filter(is_active=True, township__is_active=True) \
            .select_related("township").order_by("township__sort_order", "code")

    def clean(self):
        data = super().clean()
        for field, sex in (("husband_id", "1"), ("wife_id", "2")):
            number = data.get(field)
            if number and parse_id_number(number).sex != sex:
                self.add_error(field, _("身份证号显示的性别与%(who)s不符。") % {
                    "who": _("丈夫") if sex == "1" else _("妻子")})
        return data


class StartForm(Form):
    exam_date = forms.DateField(label=_("检查日期"), widget=date_input())
    consent = forms.ChoiceField(label=_("知情同意书签署"), choices=Consent.choices, initial=Consent.BOTH,
                                widget=forms.RadioSelect)
    consent_on = forms.DateField(label=_("签署日期"), widget=date_input())
    planned_child_order = forms.IntegerField(label=_("计划生育孩次"), min_value=1, max_value=20,
                                             widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    facility = forms.CharField(label=_("检查机构"), max_length=60)
    planned_timing = forms.ChoiceField(label=_("计划生育时间"), choices=TIMINGS, required=False,
                                       help_text=_("该夫妇尚未列入摸底造册：登记检查时一并登记再生育意愿。"))

    def __init__(self, *args, couple, facility: str, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["exam_date"].initial = today
        self.fields["consent_on"].initial = today
        self.fields["facility"].initial = facility
        self.fields["planned_child_order"].initial = couple.boys + couple.girls + 1
        if couple.in_register:
            del self.fields["planned_timing"]
        else:
            self.fields["planned_timing"].required = True
            self.fields["planned_timing"].initial = "1"


FLAG_CHOICES = [("", _("按参考范围")), ("normal", _("判为正常")), ("abnormal", _("判为异常"))]


class ResultsForm(Form):
    """One input per (spouse, field), named ``<subject>__<code>``, plus the clinician's judgement
    (``…__flag``) and its reason (``…__reason``). Validation of values is the service's (the
    plausible ranges live in the catalogue); the form only carries what was typed back."""

    def __init__(self, *args, pairs, existing: dict, version: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=version)
        self.rows = []
        for subject, field in pairs:
            key = result_key(subject, field.code)
            current = existing.get((subject, field.pk))
            label = field.name
            if field.kind == ResultField.Kind.CHOICE:
                value_field = forms.ChoiceField(label=label, required=False, choices=[(str(k), str(v)) for k,
                                                                                      v in field.choices],
                                                widget=forms.RadioSelect)
                initial = current.value_choice if current else ""
            elif field.kind == ResultField.Kind.NUMBER:
                value_field = forms.CharField(label=label, required=False, max_length=20, widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "autocomplete": "off", "class": "result-number"}))
                has_number = current is not None and current.value_number is not None
                initial = f"{current.value_number.normalize():f}" if has_number else ""
            else:
                value_field = forms.CharField(label=label, required=False, max_length=500)
                initial = current.value_text if current else ""
            value_field.initial = initial
            self.fields[key] = value_field
            self.fields[f"{key}__flag"] = forms.ChoiceField(
                label=_("判断"), required=False, choices=FLAG_CHOICES,
                initial=("abnormal" if current.is_abnormal else "normal") if current and current.overridden else "")
            self.fields[f"{key}__reason"] = forms.CharField(
                label=_("修改判断的原因"), required=False, max_length=200,
                initial=current.override_reason if current else "")
            self.rows.append({"subject": subject, "field": field, "key": key, "current": current})

    def values(self) -> dict:
        data = self.data
        return {row["key"]: {"value": data.get(row["key"], ""), "flag": data.get(f"{row['key']}__flag", ""),
                             "reason": data.get(f"{row['key']}__reason", "")} for row in self.rows}


EXTRA_FACTORS = 3


class AssessForm(Form):
    """The rules' proposals (keep or drop, wording editable) and up to three factors of the
    clinician's own; the overall advice and referral."""

    advice = forms.CharField(label=_("咨询指导建议（告知书）"), required=False,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("留空则由所确认风险因素的建议组成。"))
    referral = forms.CharField(label=_("转诊建议"), required=False, max_length=200)

    def __init__(self, *args, proposals: list[dict], version: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=version)
        self.proposals = proposals
        for n, p in enumerate(proposals):
            self.fields[f"p{n}_keep"] = forms.BooleanField(label=p["description"], required=False, initial=True)
            self.fields[f"p{n}_description"] = forms.CharField(label=_("风险因素"), max_length=200,
                                                               initial=p["description"])
            self.fields[f"p{n}_advice"] = forms.CharField(label=_("建议"), required=False, initial=p["advice"],
                                                          widget=forms.Textarea(attrs={"rows": 2}))
        for n in range(EXTRA_FACTORS):
            self.fields[f"x{n}_domain"] = forms.ChoiceField(label=_("类别"), required=False,
                                                            choices=[("", "—")] + RiskDomain.choices)
            self.fields[f"x{n}_subject"] = forms.ChoiceField(label=_("对象"), required=False, choices=Subject.choices,
                                                             initial=Subject.FEMALE)
            self.fields[f"x{n}_description"] = forms.CharField(label=_("风险因素"), required=False, max_length=200)
            self.fields[f"x{n}_advice"] = forms.CharField(label=_("建议"), required=False,
                                                          widget=forms.Textarea(attrs={"rows": 2}))

    def proposal_rows(self):
        return [{"p": p, "keep": self[f"p{n}_keep"], "description": self[f"p{n}_description"],
                 "advice": self[f"p{n}_advice"]} for n, p in enumerate(self.proposals)]

    def extra_rows(self):
        return [{"n": n, "domain": self[f"x{n}_domain"], "subject": self[f"x{n}_subject"],
                 "description": self[f"x{n}_description"], "advice": self[f"x{n}_advice"]}
                for n in range(EXTRA_FACTORS)]

    def clean(self):
        data = super().clean()
        for n in range(EXTRA_FACTORS):
            if data.get(f"x{n}_description") and not data.get(f"x{n}_domain"):
                self.add_error(f"x{n}_domain", _("请选择风险因素类别。"))
            if data.get(f"x{n}_domain") and not (data.get(f"x{n}_description") or "").strip():
                self.add_error(f"x{n}_description", _("请填写风险因素。"))
        return data

    def factors(self) -> list[dict]:
        data, out = self.cleaned_data, []
        for n, p in enumerate(self.proposals):
            if data.get(f"p{n}_keep"):
                out.append({"rule": p["rule"], "subject": p["subject"], "domain": p["domain"],
                            "description": data[f"p{n}_description"], "advice": data.get(f"p{n}_advice", "")})
        for n in range(EXTRA_FACTORS):
            if data.get(f"x{n}_domain") and (data.get(f"x{n}_description") or "").strip():
                out.append({"rule": None, "subject": data.get(f"x{n}_subject") or Subject.FEMALE,
                            "domain": data[f"x{n}_domain"], "description": data[f"x{n}_description"],
                            "advice": data.get(f"x{n}_advice", "")})
        return out


__all__ = ["WalkInForm", "StartForm", "ResultsForm", "AssessForm"]
