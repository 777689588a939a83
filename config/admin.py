from functools import update_wrapper

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts.roles import Cap


class RegisterAdminSite(admin.AdminSite):
    """The Django admin, for the system administrator role only.

    Anonymous visitors go to the app's own login page (one login, one audit trail); a logged-in
    user of another role gets 403 instead of admin's "log in as someone else" page.
    """

    site_header = _("乡镇计生服务登记系统 · 系统管理")
    site_title = _("系统管理")
    index_title = _("人员、角色与机构")

    def has_permission(self, request):
        return request.user.is_active and request.user.can(Cap.ADMIN_SITE)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def refuse_other_roles(request, *args, **kwargs):
            # Refuse on the page asked for (and audit that path), not after a detour via login.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(refuse_other_roles, inner)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            if self.has_permission(request):
                return super().login(request, extra_context)
            raise PermissionDenied
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
