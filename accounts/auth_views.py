"""Login (password, then the TOTP code when set up), two-factor setup, profile, own password, sessions.

Every change of one's own credentials is audited (never the password or the secret itself).
"""
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from core.http import safe_local_path

from . import devices, twofactor
from .forms import EnrolmentCodeForm, LoginForm, OtpTokenForm, check_throttled
from .models import AuditEvent
from .services import audit_log

PENDING = "accounts_otp_pending"
ENROLMENT = "accounts_otp_enrolment_code"  # the id of the admin's code accepted in this session
GET_POST = require_http_methods(["GET", "POST"])


def _safe_next(request, url: str | None) -> str:
    """Where to go after login: a local path (``core.http.safe_local_path``) or the home page."""
    return safe_local_path(request, url, reverse(settings.LOGIN_REDIRECT_URL))


class LoginView(auth_views.LoginView):
    """Step one: username and password (throttled in LoginForm). Someone who has set up two-factor
    login is not logged in yet: the code page (``login_otp``) finishes the login."""

    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.has_device(user):
            self.request.session[PENDING] = {
                "uid": user.pk, "backend": user.backend, "at": time.time(), "next": self.get_success_url(),
            }
            return redirect("accounts:login_otp")
        return _logged_in(self.request, user, super().form_valid(form))


def _logged_in(request, user, response):
    """A login completed: this browser is a known device of the account from now on, and the user
    hears of any reset of their two-factor login an admin made since they last logged in."""
    devices.remember(response, user)
    for notice in twofactor.reset_notices(user):
        messages.warning(request, _("您的两步验证已于 %(at)s 由系统管理员 %(by)s 重置。如果这不是您本人要求的，"
                                    "请立即联系系统管理员并修改密码。") % {
            "at": f"{timezone.localtime(notice.issued_at):%Y-%m-%d %H:%M}", "by": notice.issued_by})
    return response


def _checked_code(request, user, form):
    """The device that accepts the posted code (TOTP or recovery), under the login lockout; else
    None, with the reason on the form (wrong code, or locked until when)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        device = check_throttled(request, user.get_username(),
                                 lambda: twofactor.verify(user, form.cleaned_data["token"]))
    except ValidationError as error:
        form.add_error(None, error)
        return None
    if device is None:
        form.add_error("token", _("验证码不正确或已过期，请输入手机上当前显示的验证码。"))
    return device


@login_not_required
@GET_POST
def login_otp(request):
    """Step two: the code from the authenticator app, or a recovery code. Throttled like passwords."""
    pending = request.session.get(PENDING)
    user = None
    if pending and time.time() - pending["at"] <= settings.LOGIN_OTP_PENDING_SECONDS:
        user = get_user_model().objects.filter(pk=pending["uid"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        messages.info(request, _("登录已超时，请重新输入用户名和密码。"))
        return redirect("accounts:login")
    form = OtpTokenForm(request.POST or None, submit_label=_("登录"))
    device = _checked_code(request, user, form)
    if device is not None:
        del request.session[PENDING]
        user.backend = pending["backend"]
        auth_login(request, user)  # rotates the session key
        otp_login(request, device)
        if isinstance(device, StaticDevice):
            audit_log(action=AuditEvent.Action.UPDATE, request=request, obj=user, detail="2fa recovery code used")
            messages.warning(request, _("您使用了一个恢复码，还剩 %(n)d 个。请尽快在“个人设置”中检查两步验证。")
                             % {"n": twofactor.recovery_codes_left(user)})
        return _logged_in(request, user, HttpResponseRedirect(_safe_next(request, pending.get("next"))))
    return render(request, "registration/login_otp.html", {"form": form, "pending_user": user})


@GET_POST
def otp_setup(request):
    """Set up the authenticator app (QR code), or, for an account that has it but whose session has
    not passed it, enter the code."""
    user = request.user
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if twofactor.has_device(user):
        if user.is_verified():
            messages.info(request, _("您已启用两步验证。"))
            return redirect("accounts:profile")
        form = OtpTokenForm(request.POST or None)
        device = _checked_code(request, user, form)
        if device is not None:
            otp_login(request, device)
            return HttpResponseRedirect(next_url)
        return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})

    enrolment = twofactor.usable_enrolment_code(user, request.session.get(ENROLMENT))
    if enrolment is None:
        return _enrolment_code_page(request, user, next_url)
    device = twofactor.enrolment_device(user)
    form = OtpTokenForm(request.POST or None, submit_label=_("启用两步验证"))
    form.fields["token"].help_text = _("验证器应用中当前显示的 6 位数字。")
    if request.method == "POST" and form.is_valid():
        codes = twofactor.confirm(device, form.cleaned_data["token"], enrolment=enrolment)
        if codes is None:
            form.add_error("token", _("验证码不正确，请确认手机时间准确，并输入应用中当前显示的 6 位数字。"))
        else:
            request.session.pop(ENROLMENT, None)
            otp_login(request, device)
            audit_log(action=AuditEvent.Action.UPDATE, request=request, obj=user,
                      detail=f"2fa enabled with enrolment code #{enrolment.pk} issued by {enrolment.issued_by}")
            return render(request, "accounts/otp_recovery_codes.html", {"codes": codes, "next": next_url})
    return render(request, "accounts/otp_setup.html", {
        "form": form, "qr": twofactor.qr_svg(device), "secret": twofactor.secret_base32(device),
        "required": twofactor.required_for(user), "next": next_url,
    })


def _enrolment_code_page(request, user, next_url):
    """Before the QR code: the one-time enrolment code the admin issued (throttled like passwords)."""
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            found = check_throttled(request, user.get_username(),
                                    lambda: twofactor.valid_enrolment_code(user, form.cleaned_data["enrolment_code"]))
        except ValidationError as error:
            form.add_error(None, error)
            found = None
        else:
            if found is None:
                form.add_error("enrolment_code", _("登记码不正确、已使用或已过期。请向系统管理员索取新的登记码。"))
        if found is not None:
            request.session[ENROLMENT] = found.pk
            audit_log(action=AuditEvent.Action.VIEW, request=request, obj=user,
                      detail=f"2fa enrolment code #{found.pk} accepted")
            return redirect(f"{reverse('accounts:otp_setup')}?{urlencode({'next': next_url})}")
    return render(request, "accounts/otp_enrolment_code.html", {
        "form": form, "required": twofactor.required_for(user), "next": next_url})


@require_POST
def otp_recovery_codes(request):
    """New recovery codes (the old ones stop working), shown once."""
    if not twofactor.has_device(request.user):
        return redirect("accounts:otp_setup")
    codes = twofactor.issue_recovery_codes(request.user)
    audit_log(action=AuditEvent.Action.UPDATE, request=request, obj=request.user, detail="2fa recovery codes renewed")
    return render(request, "accounts/otp_recovery_codes.html", {"codes": codes, "next": reverse("accounts:profile")})


@require_POST
def otp_disable(request):
    """Turn two-factor login off: not for the roles that must use it."""
    if twofactor.required_for(request.user):
        messages.error(request, _("您的角色必须使用两步验证，不能停用。"))
    else:
        twofactor.disable(request.user)
        update_session_auth_hash(request, request.user)  # the other sessions end, this one stays
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        audit_log(action=AuditEvent.Action.UPDATE, request=request, obj=request.user, detail="2fa disabled")
        messages.success(request, _("已停用两步验证。"))
    return redirect("accounts:profile")


@require_http_methods(["GET"])
def profile(request):
    user = request.user
    recent = AuditEvent.objects.filter(user=user, action=AuditEvent.Action.LOGIN).order_by("-at", "-id")[:5]
    return render(request, "accounts/profile.html", {
        "has_2fa": twofactor.has_device(user), "required_2fa": twofactor.required_for(user),
        "recovery_left": twofactor.recovery_codes_left(user), "recent_logins": recent,
    })


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password; other sessions end, this one stays (update_session_auth_hash)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")
    form_class = PasswordChangeForm
    title = gettext_lazy("修改密码")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_log(action=AuditEvent.Action.UPDATE, request=self.request, obj=self.request.user,
                  detail="password changed by its owner")
        messages.success(self.request, _("密码已修改。其他设备上的登录已失效。"))
        return response


@require_POST
def logout_other_sessions(request):
    """End every session of this user except this one (a lost phone, a shared PC left logged in)."""
    user = request.user
    user.rotate_session_token()
    user.save(update_fields=["session_token"])
    update_session_auth_hash(request, user)  # this session carries the new hash; the others no longer match
    audit_log(action=AuditEvent.Action.LOGOUT, request=request, obj=user, detail="all other sessions ended")
    messages.success(request, _("已退出其他所有设备上的登录。"))
    return redirect("accounts:profile")
