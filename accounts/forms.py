import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import lockout
from .models import AuditEvent, Township


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
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

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
