from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import models
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import twofactor
from .models import AuditEvent, Township, User, Village
from .roles import Cap
from .services import audit_log


def _audit_value(value) -> str:
    """A changed value as the audit trail shows it: ids for records, a short text otherwise."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (models.QuerySet, list, tuple, set)):
        return "[" + ",".join(sorted(str(getattr(v, "pk", v)) for v in value)) + "]"
    return str(value)[:40]


def describe_changes(form, formsets=(), *, add=False) -> str:
    """``role=leader township=3 villages=[4,7]`` for the fields a form changed; a password field
    is named but its value never written. Inline rows: ``+village:12 ~village:4(name)``."""
    parts = []
    for name in (list(form.fields) if add else form.changed_data):
        if "password" in name:
            parts.append("password")
        else:
            parts.append(f"{name}={_audit_value(form.cleaned_data.get(name))}")
    for formset in formsets or ():
        label = formset.model._meta.model_name
        parts += [f"+{label}:{obj.pk}" for obj in formset.new_objects]
        parts += [f"~{label}:{obj.pk}({','.join(fields)})" for obj, fields in formset.changed_objects]
    return " ".join(dict.fromkeys(parts))  # password1 and password2 say "password" once


class AdminRoleOnly:
    """Model permissions by role, not Django's per-model permission rows; every add and change is
    written to the audit trail with the fields changed (GB/T 22239: administrators are audited too).

    Nothing is hard-deleted here (docs/architecture.md, "The path of a request"): users, townships and villages are
    deactivated instead, so past records keep pointing at them.
    """

    def construct_change_message(self, request, form, formsets, add=False):
        # Django's LogEntry gets the translated labels; the audit trail gets field names and values.
        request._audit_admin_changes = describe_changes(form, formsets, add=add)
        return super().construct_change_message(request, form, formsets, add)

    def _audit(self, request, obj, action, verb):
        changes = getattr(request, "_audit_admin_changes", "")
        audit_log(action=action, request=request, obj=obj, detail=f"admin {verb}: {changes}".strip())

    def log_addition(self, request, obj, message):
        self._audit(request, obj, AuditEvent.Action.CREATE, "add")
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, AuditEvent.Action.UPDATE, "change")
        return super().log_change(request, obj, message)

    # The admin role may not open the app's record pages (403/404 there): no "view on site" link
    # that leads only to a refusal.
    view_on_site = False

    def _is_admin(self, request):
        return request.user.is_active and request.user.can(Cap.ADMIN_SITE)

    def has_module_permission(self, request):
        return self._is_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_add_permission(self, request):
        return self._is_admin(request)

    def has_change_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return False


class VillageInline(admin.TabularInline):
    model = Village
    extra = 0
    fields = ("code", "name", "kind", "is_active")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Township)
class TownshipAdmin(AdminRoleOnly, admin.ModelAdmin):
    list_display = ("code", "name", "kind", "sort_order", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    inlines = [VillageInline]


@admin.register(Village)
class VillageAdmin(AdminRoleOnly, admin.ModelAdmin):
    list_display = ("code", "name", "kind", "township", "is_active")
    list_filter = ("township", "kind", "is_active")
    search_fields = ("code", "name")
    list_select_related = ("township",)

    def get_readonly_fields(self, request, obj=None):
        # Records copy their village's township when written (the column every scoped list
        # filters on). Moving a village that already has records would strand them in the old
        # township's lists, so its township is fixed once anything is filed under it.
        if obj is not None and obj.households.exists():
            return ("township",)
        return ()


@admin.register(User)
class UserAdmin(AdminRoleOnly, DjangoUserAdmin):
    list_display = ("username", "name", "role", "township", "phone", "is_active", "last_login")
    list_filter = ("role", "township", "is_active")
    search_fields = ("username", "name", "phone")
    list_select_related = ("township",)
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("name", "phone", "email")}),
        (_("角色与范围"), {"fields": ("role", "township", "is_active")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "name", "role", "township", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")
    actions = ["issue_enrolment_code", "reset_two_factor"]

    def _codes_page(self, request, issued, *, reset: bool):
        """The codes, shown this once (only their hashes are kept), on a page no one caches."""
        response = render(request, "admin/accounts/enrolment_codes.html", {
            **self.admin_site.each_context(request), "issued": issued, "reset": reset,
            "hours": settings.TWO_FACTOR_ENROLMENT_HOURS, "title": _("两步验证登记码"),
        })
        add_never_cache_headers(response)
        return response

    @admin.action(description=_("签发两步验证登记码（本人设置两步验证时使用）"))
    def issue_enrolment_code(self, request, queryset):
        issued = []
        for user in queryset:
            code, record = twofactor.issue_enrolment_code(user=user, by=request.user)
            audit_log(action=AuditEvent.Action.UPDATE, request=request, obj=user,
                      detail=f"admin change: 2fa enrolment code #{record.pk} issued, expires "
                             f"{timezone.localtime(record.expires_at):%Y-%m-%d %H:%M}")
            issued.append((user, code, record))
        return self._codes_page(request, issued, reset=False)

    @admin.action(description=_("重置两步验证并签发新登记码（手机丢失时）"))
    def reset_two_factor(self, request, queryset):
        issued = []
        for user in queryset:
            # Devices removed, the user's sessions end; they are told at their next login.
            code, record = twofactor.issue_enrolment_code(user=user, by=request.user, reset=True)
            audit_log(action=AuditEvent.Action.UPDATE, request=request, obj=user,
                      detail=f"admin change: 2fa reset, enrolment code #{record.pk} issued")
            issued.append((user, code, record))
        return self._codes_page(request, issued, reset=True)


# Roles are a field on the user, not Django groups: the group pages would only confuse.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)
# django-otp registers its device models here; their pages would show TOTP secrets to a superuser.
# Devices are managed by their owners (profile page) and reset with the user action above.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)
