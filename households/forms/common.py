"""Form pieces shared by the register's forms."""
from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.permissions import OutOfScope
from accounts.validators import normalise_id_number, parse_id_number
from core.forms import FastModelChoiceField


class ScopedModelChoiceField(FastModelChoiceField):
    """A choice limited to the user's scope that answers 404 when tampered with.

    The field's queryset is the in-scope choices. A submitted id that exists but lies outside
    that queryset (a village of another township typed into the POST data) raises OutOfScope,
    exactly as the same id in a URL would, and the refusal is audited.
    """

    def __init__(self, queryset, *, unscoped_queryset, **kwargs):
        self.unscoped_queryset = unscoped_queryset
        super().__init__(queryset, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            if value not in self.empty_values:
                model = self.unscoped_queryset.model
                try:
                    exists = self.unscoped_queryset.filter(pk=value).exists()
                except (ValueError, TypeError):
                    exists = False
                if exists:
                    raise OutOfScope(model._meta.label_lower, value) from None
            raise


class IdNumberField(forms.CharField):
    """身份证号: normalised (blanks removed, x → X) and checked against GB 11643."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("label", _("身份证号"))
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "inputmode": "text", "spellcheck": "false"})

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_id_number(value) if value else value

    def validate(self, value):
        super().validate(value)
        if value:
            parse_id_number(value)


def cross_check_id(form, *, id_field="id_number", sex_field="sex", birth_field="birth_date", prefix=""):
    """Sex and birth date must agree with the ID number; fill them in when left blank.

    Adds the error to the field the user typed, in Chinese, and keeps everything typed.
    """
    data = form.cleaned_data
    number = data.get(id_field)
    if not number:
        return
    info = parse_id_number(number)
    sex = data.get(sex_field)
    birth = data.get(birth_field)
    if sex and sex != info.sex:
        form.add_error(sex_field, _("性别与身份证号不符：身份证号显示为%(sex)s。") % {"sex": _("男") if info.sex == "1" else _("女")})
    elif sex_field in form.fields and not sex:
        data[sex_field] = info.sex
    if birth and birth != info.birth_date:
        form.add_error(birth_field, _("出生日期与身份证号不符：身份证号显示为 %(d)s。") % {"d": info.birth_date.isoformat()})
    elif birth_field in form.fields and not birth:
        data[birth_field] = info.birth_date


def crispy_helper(*, submit_label=None, form_tag=True) -> FormHelper:
    from crispy_forms.layout import Submit

    helper = FormHelper()
    helper.form_tag = form_tag
    if submit_label:
        helper.add_input(Submit("submit", submit_label, css_class="btn-primary w-100 w-sm-auto"))
    return helper
