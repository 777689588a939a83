import datetime
import math
import time

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import login_audit, lockout
from .models import AuditEvent
from .services import client_ip


def lock_error(until: float) -> forms.ValidationError:
    """The refusal a locked login shows: when to try again, in the user's time zone."""
    at = timezone.localtime(datetime.datetime.fromtimestamp(until, tz=datetime.UTC))
    minutes = max(math.ceil((until - time.time()) / 60), 1)
    return forms.ValidationError(
        LoginForm.error_messages["locked"], code="locked", params={"time": f"{at:%H:%M}", "minutes": minutes},
    )


def check_throttled(request, username: str, check):
    """Run ``check()`` (password or code) under the lockout: counted first, refused when locked.

    ``check`` returns a true value on success. Returns that value, or raises the form error.
    Failures and locks go to the audit trail (login_audit aggregates them).
    """
    attempt = lockout.reserve(username, client_ip(request) if request is not None else "")
    if not attempt.allowed:
        login_audit.refused(attempt, request)
        raise lock_error(attempt.until)
    result = check()
    if result:
        lockout.release(attempt)
        return result
    login_audit.failed(attempt, request)
    new_locks = lockout.locks_reached(attempt)
    if new_locks:
        until = time.time() + settings.LOGIN_LOCKOUT_SECONDS
        login_audit.locked(attempt, request, new_locks, datetime.datetime.fromtimestamp(until, tz=datetime.UTC))
        raise lock_error(until)
    return result


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入（密码区分大小写）。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
        "locked": _("登录失败次数过多，已暂时锁定，请于 %(time)s 后再试（约 %(minutes)d 分钟）。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("登录"), css_class="w-100"))

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password")
        if not username or not password:
            return super().clean()  # the fields' own "required" errors
        if self.request is not None:
            # Failures of this form are audited (aggregated) by check_throttled, not per signal.
            self.request._login_failure_audited = True

        def password_ok():
            try:
                super(LoginForm, self).clean()
            except forms.ValidationError as error:
                if error.code == "inactive":
                    raise
                return None
            return self.user_cache

        if check_throttled(self.request, username, password_ok) is None:
            raise self.get_invalid_login_error()
        return self.cleaned_data


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label=_("验证码"), max_length=16, strip=True,
        help_text=_("手机验证器应用中显示的 6 位数字；手机不在身边时，可输入一个恢复码。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label or _("验证"), css_class="w-100"))


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

