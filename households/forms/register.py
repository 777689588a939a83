"""Forms for households, members, couples, surveys, 专人, void and merge.

Forms validate and normalise; the rules (duplicates, couple ages, version checks) live in
services/register.py and services/merges.py, whose ``ValidationError`` the views put back on the
form with ``apply_errors`` so everything typed is kept. Choice fields that point at records use
``ScopedModelChoiceField``: an id outside the user's scope typed into the POST answers 404.
"""
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User, Village
from core.forms import FilterFormMixin, Form, PlausibleDateField, years

from .common import (
    IdNumberField, ScopedModelChoiceField, cross_check_id,
)
from ..models import (
    FamilySituation, Household, HukouType, IntentionReason, MaritalStatus, Person, PlannedTiming, Relation, Sex,
    WantedService,
)
from ..selectors.register import HOUSEHOLD_SORTS, filter_villages, writable_villages
from ..services.register import assignable_staff




# --- 家庭户列表的搜索与筛选 ------------------------------------------------------------------
class HouseholdFilterForm(FilterFormMixin, Form):
    q = forms.CharField(
        label=_("搜索"), required=False, max_length=40, help_text=_("户主或成员姓名；身份证号可输全号或后 4 位。"),
        widget=forms.TextInput(attrs={"placeholder": _("姓名、身份证号或电话"), "type": "search"}),
    )
    village = ScopedModelChoiceField(Village.objects.none(), unscoped_queryset=Village.objects.all(), label_field="name",
                                     label=_("村/社区"), required=False, empty_label=_("全部村/社区"))
    status = forms.ChoiceField(
        label=_("状态"), required=False,
        choices=[("active", _("在册")), ("incomplete", _("待补全地址")), ("void", _("已作废")), ("all", _("全部"))],
    )
    sort = forms.ChoiceField(
        label=_("排序"), required=False,
        choices=[("village", _("按村/社区")), ("head", _("按户主姓名")), ("newest", _("最新登记"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the villages in the user's scope are offered; another one's id answers 404, like
        # the other list filters.
        self.fields["village"].queryset = filter_villages(user)

    def values(self) -> dict:
        """The valid filters; an invalid one is dropped rather than failing the whole list (an
        out-of-scope village raises OutOfScope: 404)."""
        if not self.is_bound:
            return {"status": "active", "sort": "village"}
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "village": data.get("village"),
            "status": data.get("status") or "active",
            "sort": data.get("sort") if data.get("sort") in HOUSEHOLD_SORTS else "village",
        }


# --- 成员事实（身份证号、性别、出生日期） ------------------------------------------------------
class PersonFactsMixin:
    """Sex and birth date: filled from the ID number when left blank, checked when given, and
    required when there is no ID number."""

    def clean_phone(self):
        return self.cleaned_data["phone"].replace(" ", "")

    def clean(self):
        super().clean()
        self.clean_person_facts()
        return self.cleaned_data

    def clean_person_facts(self):
        cleaned = self.cleaned_data
        if cleaned.get("id_number"):
            cross_check_id(self)
        else:
            if "id_number" in self.errors:
                return  # an invalid number is already reported
            if not cleaned.get("sex") and "sex" not in self.errors:
                self.add_error("sex", _("未填身份证号时，请选择性别。"))
            if not cleaned.get("birth_date") and "birth_date" not in self.errors:
                self.add_error("birth_date", _("未填身份证号时，请填写出生日期。"))
            elif cleaned.get("birth_date") and cleaned["birth_date"] > timezone.localdate():
                # With a number the date comes from it, and the number's own check refuses the future.
                self.add_error("birth_date", _("出生日期不能晚于今天。"))


def _sex_field():
    return forms.ChoiceField(
        label=_("性别"), required=False, choices=[("", _("按身份证号自动填写"))] + list(Sex.choices),
    )


def _birth_field():
    # Not in the future, and not a mistyped year (1026 for 2026): the oldest resident is under 120.
    return PlausibleDateField(
        label=_("出生日期"), required=False, past=years(120),
        help_text=_("填了身份证号可不填，系统按身份证号自动填写并核对。"),
    )


class ConfirmDuplicateMixin(Form):
    confirm_not_duplicate = forms.BooleanField(
        label=_("确认不是同一户，继续保存"), required=False,
        help_text=_("系统发现可能重复的登记时需要勾选。"),
    )


# --- 新建家庭户（含户主） ----------------------------------------------------------------------
class HouseholdCreateForm(PersonFactsMixin, ConfirmDuplicateMixin, Form):
    village = ScopedModelChoiceField(Village.objects.none(), unscoped_queryset=Village.objects.all(),
                                     label=_("村/社区"), empty_label=_("请选择村/社区"))
    address = forms.CharField(label=_("家庭地址"), max_length=200,
                              widget=forms.TextInput(attrs={"placeholder": _("例如：三组 12 号")}))
    head_name = forms.CharField(label=_("户主姓名"), max_length=30)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    hukou_type = forms.ChoiceField(label=_("户口类型"), choices=HukouType.choices, initial=HukouType.AGRICULTURAL)
    code = forms.CharField(label=_("户编码"), max_length=18, required=False,
                           help_text=Household._meta.get_field("code").help_text)
    id_number = IdNumberField(label=_("户主身份证号"), required=False,
                              help_text=_("18 位，末位 X 可小写；性别和出生日期据此自动填写并核对。"))
    sex = _sex_field()
    birth_date = _birth_field()
    marital_status = forms.ChoiceField(label=_("婚姻状况"), choices=MaritalStatus.choices, initial=MaritalStatus.MARRIED)

    field_order = ["village", "address", "head_name", "phone", "hukou_type", "code", "id_number", "sex",
                   "birth_date", "marital_status", "confirm_not_duplicate"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = writable_villages(user)
        # Another township's village → 404; an inactive village of one's own → a plain error.
        self.fields["village"].unscoped_queryset = Village.objects.exclude(township_id=user.township_id)

    def clean_head_name(self):
        return self.cleaned_data["head_name"].strip()


    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name] for name in (
                "village", "address", "head_name", "phone", "hukou_type", "code", "id_number", "sex",
                "birth_date", "marital_status",
            )
        } | {"confirmed_not_duplicate": bool(data.get("confirm_not_duplicate"))}


# Service errors keyed by the person's fields land on the head's fields of this form.
HOUSEHOLD_CREATE_FIELD_MAP = {"name": "head_name"}


class HouseholdEditForm(Form):
    village = ScopedModelChoiceField(Village.objects.none(), unscoped_queryset=Village.objects.all(), label=_("村/社区"))
    address = forms.CharField(label=_("家庭地址"), max_length=200)
    head_name = forms.CharField(label=_("户主姓名"), max_length=30)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    hukou_type = forms.ChoiceField(label=_("户口类型"), choices=HukouType.choices)
    code = forms.CharField(label=_("户编码"), max_length=18, required=False,
                           help_text=Household._meta.get_field("code").help_text)
    # The version the form was opened at: a save over someone else's newer one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, user, household: Household, **kwargs):
        kwargs.setdefault("initial", {
            "village": household.village_id, "address": household.address, "head_name": household.head_name,
            "phone": household.phone, "hukou_type": household.hukou_type, "code": household.code,
            "version": household.version,
        })
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = (
            writable_villages(user) | Village.objects.filter(pk=household.village_id)
        ).order_by("code")
        self.fields["village"].unscoped_queryset = Village.objects.exclude(township_id=household.township_id)

    def clean_head_name(self):
        return self.cleaned_data["head_name"].strip()

    def clean_phone(self):
        return self.cleaned_data["phone"].replace(" ", "")

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


# --- 家庭成员 --------------------------------------------------------------------------------
class PersonForm(PersonFactsMixin, ConfirmDuplicateMixin, Form):
    name = forms.CharField(label=_("姓名"), max_length=30)
    id_number = IdNumberField(required=False, help_text=_("18 位，末位 X 可小写；性别和出生日期据此自动填写并核对。"))
    sex = _sex_field()
    birth_date = _birth_field()
    relation = forms.ChoiceField(label=_("与户主关系"), choices=Relation.choices, initial=Relation.SPOUSE)
    marital_status = forms.ChoiceField(label=_("婚姻状况"), choices=MaritalStatus.choices, initial=MaritalStatus.MARRIED)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))

    field_order = ["name", "id_number", "sex", "birth_date", "relation", "marital_status", "phone",
                   "confirm_not_duplicate"]

    def __init__(self, *args, person: Person | None = None, **kwargs):
        if person is not None:
            kwargs.setdefault("initial", {
                "name": person.name, "id_number": person.id_number, "sex": person.sex,
                "birth_date": person.birth_date, "relation": person.relation,
                "marital_status": person.marital_status, "phone": person.phone, "version": person.version,
            })
        super().__init__(*args, **kwargs)
        if person is not None:
            del self.fields["confirm_not_duplicate"]  # the likely-duplicate check is for new members
            # The version the form was opened at: a save over someone else's newer one is refused.
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)

    def clean_name(self):
        return self.cleaned_data["name"].strip()


    def person_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in
                ("name", "id_number", "sex", "birth_date", "relation", "marital_status", "phone")}


# --- 育龄夫妇 --------------------------------------------------------------------------------
def _children_field(label):
    return forms.IntegerField(label=label, min_value=0, max_value=20, initial=0,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class CoupleFactsMixin(Form):
    marriage_date = PlausibleDateField(label=_("结婚日期"), required=False, past=years(80))
    boys = _children_field(_("现有男孩数"))
    girls = _children_field(_("现有女孩数"))


class CoupleCreateForm(CoupleFactsMixin, Form):
    """Wife and husband among the household's active members; a husband registered in another
    household of the township can be given by his ID number instead."""

    wife = ScopedModelChoiceField(Person.objects.none(), unscoped_queryset=Person.objects.all(), label=_("妻子"),
                                  empty_label=_("请选择本户的女性成员"))
    husband = ScopedModelChoiceField(Person.objects.none(), unscoped_queryset=Person.objects.all(), label=_("丈夫"),
                                     required=False, empty_label=_("请选择本户的男性成员"))
    husband_id_number = IdNumberField(
        label=_("或：丈夫身份证号"), required=False,
        help_text=_("丈夫登记在本镇/街道的其他家庭户时填写，不必再选上面的丈夫。"),
    )

    field_order = ["wife", "husband", "husband_id_number", "marriage_date", "boys", "girls"]

    def __init__(self, *args, household: Household, wives, husbands, find_person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wife"].queryset = wives
        self.fields["husband"].queryset = husbands
        # Another township's person → 404; one of the own township outside the list → plain error.
        self.fields["wife"].unscoped_queryset = Person.objects.exclude(household__township_id=household.township_id)
        self.fields["husband"].unscoped_queryset = Person.objects.exclude(household__township_id=household.township_id)
        self._find_person = find_person

    def clean(self):
        super().clean()
        husband, number = self.cleaned_data.get("husband"), self.cleaned_data.get("husband_id_number")
        if "husband_id_number" in self.errors or "husband" in self.errors:
            return self.cleaned_data
        if husband and number:
            self.add_error("husband_id_number", _("已选择丈夫，请不要再填写丈夫身份证号。"))
        elif not husband and not number:
            self.add_error("husband", _("请选择丈夫，或填写登记在本镇/街道的丈夫身份证号。"))
        elif number:
            person = self._find_person(number)
            if person is None:
                self.add_error("husband_id_number", _("本镇/街道没有登记该身份证号的成员，请先在其家庭户中登记。"))
            else:
                self.cleaned_data["husband"] = person
        return self.cleaned_data


class CoupleEditForm(CoupleFactsMixin, Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, couple, **kwargs):
        kwargs.setdefault("initial", {
            "marriage_date": couple.marriage_date, "boys": couple.boys, "girls": couple.girls,
            "version": couple.version,
        })
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("marriage_date", "boys", "girls")}


# --- 再生育意愿摸底 --------------------------------------------------------------------------
class SurveyForm(Form):
    # Recorded on the day or caught up later, but not years late and never ahead.
    surveyed_on = PlausibleDateField(label=_("摸底日期"), past=years(2))
    planned_timing = forms.ChoiceField(label=_("计划生育时间"), choices=PlannedTiming.choices, widget=forms.RadioSelect)
    next_child_order = forms.IntegerField(
        label=_("计划生育孩次"), required=False, min_value=1, max_value=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}), help_text=_("如计划生育第二个孩子填 2。"),
    )
    family_situation = forms.ChoiceField(label=_("家庭生活状况"), choices=FamilySituation.choices,
                                         initial=FamilySituation.AVERAGE, widget=forms.RadioSelect)
    reasons = forms.MultipleChoiceField(label=_("生育原因（最多 3 项）"), choices=IntentionReason.choices,
                                        required=False, widget=forms.CheckboxSelectMultiple)
    services_wanted = forms.MultipleChoiceField(label=_("需要的服务"), choices=WantedService.choices,
                                                required=False, widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(label=_("备注"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("surveyed_on", timezone.localdate())

    def clean_reasons(self):
        reasons = self.cleaned_data["reasons"]
        if len(reasons) > 3:
            raise ValidationError(_("生育原因最多选 3 项。"))
        return reasons

    def clean_notes(self):
        return self.cleaned_data["notes"].strip()


# --- 专人 ------------------------------------------------------------------------------------
class StaffChoiceField(ScopedModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class AssignForm(Form):
    staff = StaffChoiceField(User.objects.none(), unscoped_queryset=User.objects.all(), label=_("责任人（专人）"),
                             empty_label=_("请选择本镇/街道的专干"))
    reason = forms.CharField(label=_("原因"), max_length=200, required=False,
                             widget=forms.TextInput(attrs={"placeholder": _("例如：工作调整、就近服务")}))

    def __init__(self, *args, couple, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = assignable_staff(couple.township_id)
        # A staff member of another township is out of scope (404); an inactive colleague is a plain error.
        self.fields["staff"].unscoped_queryset = User.objects.exclude(township_id=couple.township_id)

    def clean_reason(self):
        return self.cleaned_data["reason"].strip()


# --- 合并家庭户 ------------------------------------------------------------------------------
class MergeSearchForm(Form):
    q = forms.CharField(
        label=_("查找要合并到的家庭户"), required=False, max_length=40,
        help_text=_("户号、户主或成员姓名、电话；身份证号可输全号或后 4 位。"),
        widget=forms.TextInput(attrs={"placeholder": _("户号、姓名、身份证号或电话"), "type": "search"}),
    )


class MergeForm(Form):
    target = ScopedModelChoiceField(Household.objects.none(), unscoped_queryset=Household.objects.all(),
                                    widget=forms.HiddenInput)
    reason = forms.CharField(label=_("合并原因"), max_length=200,
                             widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("例如：同一户重复登记")}))

    def __init__(self, *args, targets, source: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets
        self.fields["target"].unscoped_queryset = Household.objects.exclude(township_id=source.township_id)
        self.fields["target"].error_messages["invalid_choice"] = _("请选择本镇/街道另一个在册的家庭户。")

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("请填写合并原因。"))
        return reason
