from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Township, User, Village
from .roles import Cap


class AdminRoleOnly:
    """Model permissions by role, not Django's per-model permission rows.

    Nothing is hard-deleted here (DESIGN.md "Shared rules"): users, townships and villages are
    deactivated instead, so past records keep pointing at them.
    """

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
