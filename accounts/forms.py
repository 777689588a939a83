from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import lockout
from .models import AuditEvent


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入（密码区分大小写）。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
        "locked": _("登录失败次数过多，该账号已暂时锁定，请 %(minutes)d 分钟后再试。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("登录"), css_class="w-100"))

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if username and lockout.is_locked(username):
            from .services import audit_log

            audit_log(
                action=AuditEvent.Action.LOGIN_FAILED, request=self.request, username=username,
                success=False, detail="locked",
            )
            raise forms.ValidationError(
                self.error_messages["locked"], code="locked",
                params={"minutes": max(settings.LOGIN_LOCKOUT_SECONDS // 60, 1)},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                lockout.record_failure(username)
            raise
        lockout.clear(username)
        return cleaned


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("用户名"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=[("", _("全部"))] + list(AuditEvent.Action.choices)
    )
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return cleaned

