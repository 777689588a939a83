"""Session policy: the second factor, password expiry, and no caching of personal data."""
import datetime
import functools

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from django_otp import DEVICE_ID_SESSION_KEY

from . import twofactor

# Pages an account may reach before it has passed the second factor or changed an expired
# password: setting it up, changing the password, leaving, and what needs no login anyway.
ALWAYS_ALLOWED = {
    "accounts:otp_setup", "accounts:logout", "accounts:login", "accounts:login_otp", "set_language", "healthz",
}


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else ""


class SecondFactorMiddleware:
    """``request.user.is_verified()``: this session passed two-factor login (django-otp's contract).

    django-otp's own OTPMiddleware loads the device on every request (one more query on every
    page of the roles that must use it). Here the session's mark is enough, because whatever
    removes a device also ends that user's sessions (``twofactor.disable`` replaces the session
    token), so a mark can never outlive its device.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None:
            request.user = SimpleLazyObject(functools.partial(self._mark, request, user))
        return self.get_response(request)

    @staticmethod
    def _mark(request, user):
        verified = bool(user.is_authenticated and request.session.get(DEVICE_ID_SESSION_KEY))
        user.otp_device = None
        user.is_verified = lambda: verified
        return user


class TwoFactorRequiredMiddleware:
    """A role that must use two-factor login reaches only the setup page until it has passed it.

    The login page already asks for the code of anyone who has set it up; this catches every
    other way to a session (a user of such a role who has not set it up yet lands on the setup
    page, right after the password).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or not twofactor.required_for(user) or user.is_verified():
            return None
        if _view_name(request) in ALWAYS_ALLOWED:
            return None
        return redirect(f"{reverse('accounts:otp_setup')}?{urlencode({'next': request.get_full_path()})}")


def password_expired(user) -> bool:
    days = settings.PASSWORD_MAX_AGE_DAYS
    if not days or not user.has_usable_password():
        return False
    changed = user.password_changed_at or user.date_joined
    return changed < timezone.now() - datetime.timedelta(days=days)


class PasswordExpiryMiddleware:
    """With ``PASSWORD_MAX_AGE_DAYS`` set, an expired password must be changed before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or not password_expired(user):
            return None
        if _view_name(request) in ALWAYS_ALLOWED | {"accounts:password_change"}:
            return None
        messages.warning(request, _("您的密码已超过 %(days)d 天未修改，请先修改密码。") % {
            "days": settings.PASSWORD_MAX_AGE_DAYS})
        return redirect("accounts:password_change")


class NoStoreMiddleware:
    """Every response to a logged-in user, whatever its type (pages, Excel exports, JSON), and the
    login pages: ``Cache-Control: no-store``. Lists, detail pages and exports carry names and ID
    numbers; a shared township PC's browser cache or a proxy must not keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or _view_name(request).startswith("accounts:login"):
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
        return response
