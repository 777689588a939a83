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

from core.forms import FastModelChoiceField, Form, StandardFormMixin, date_input

from . import login_audit, lockout
from .models import AuditEvent, Township
from .services import client_ip


def township_field(*, required: bool, label=None, empty_label=None) -> FastModelChoiceField:
    """A choice of the active townships, in the county's order (a form field or a list filter)."""
    return FastModelChoiceField(
        Township.objects.active(), required=required, label=label or _("镇/街道"),
        empty_label=empty_label or (_("请选择") if required else _("全部")),
    )


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


class LoginForm(StandardFormMixin, AuthenticationForm):
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


class OtpTokenForm(Form):
    token = forms.CharField(
        label=_("验证码"), max_length=16, strip=True,
        help_text=_("手机验证器应用中显示的 6 位数字；手机不在身边时，可输入一个恢复码。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label or _("验证"), css_class="w-100"))


class AuditFilterForm(Form):
    """The auditor's filters. Every value is bounded so that no query it leads to can fail."""

    # A plausible window for the trail's dates: 9999-12-31 + 1 day overflowed (a 500, issue #8).
    EARLIEST = datetime.date(2000, 1, 1)
    LATEST = datetime.date(2099, 12, 31)

    user = forms.CharField(label=_("用户名"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=[("", _("全部"))] + list(AuditEvent.Action.choices)
    )
    object_type = forms.ChoiceField(label=_("记录类型"), required=False)
    object_id = forms.CharField(label=_("记录编号"), required=False, max_length=40)
    township = forms.ModelChoiceField(
        label=_("镇/街道"), required=False, queryset=Township.objects.all(), empty_label=_("全部")
    )
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=date_input())
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .ledger import record_kind_choices

        self.fields["object_type"].choices = [("", _("全部"))] + record_kind_choices()
        # Plain Bootstrap markup (templates/accounts/_audit_filter.html): the page renders at 2 million
        # rows in well under 100 ms, and crispy's per-field templates were a third of that.
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def _text(self, name):
        # Control characters cannot be part of a username or a record number; drop them.
        return "".join(ch for ch in self.cleaned_data.get(name, "") if ch.isprintable()).strip()

    def clean_user(self):
        return self._text("user")

    def clean_object_id(self):
        return self._text("object_id")

    def _clean_day(self, name):
        day = self.cleaned_data.get(name)
        if day and not self.EARLIEST <= day <= self.LATEST:
            raise forms.ValidationError(
                _("日期应在 %(start)s 至 %(end)s 之间。"), params={"start": self.EARLIEST, "end": self.LATEST}
            )
        return day

    def clean_date_from(self):
        return self._clean_day("date_from")

    def clean_date_to(self):
        return self._clean_day("date_to")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        if cleaned.get("object_id") and not cleaned.get("object_type"):
            self.add_error("object_type", _("按记录编号筛选时，请同时选择记录类型。"))
        return cleaned
