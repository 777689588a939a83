"""Admin: the screening catalogue only — items, result fields with their ranges, risk rules.

The system administrator maintains the catalogue but is not a back door into personal records:
screenings, results and follow-ups are not registered here.
"""
from django.contrib import admin

from accounts.admin import AdminRoleOnly

from .models import ResultField, RiskRule, ScreeningItem


class ResultFieldInline(AdminRoleOnly, admin.StackedInline):
    model = ResultField
    extra = 0
    fields = (("code", "name", "kind"), ("unit", "decimals", "sort_order", "is_active"), ("choices", "normal_values"),
              ("ref_low", "ref_high"), ("ref_low_male", "ref_high_male"), ("plausible_low", "plausible_high"))

    def has_add_permission(self, request, obj=None):  # inlines pass the parent object too
        return self._is_admin(request)


@admin.register(ScreeningItem)
class ScreeningItemAdmin(AdminRoleOnly, admin.ModelAdmin):
    list_display = ("number", "name", "group", "for_female", "for_male", "is_active")
    list_editable = ("is_active",)
    ordering = ("number",)
    inlines = [ResultFieldInline]


@admin.register(ResultField)
class ResultFieldAdmin(AdminRoleOnly, admin.ModelAdmin):
    list_display = ("code", "name", "item", "kind", "unit", "ref_low", "ref_high", "plausible_low", "plausible_high",
                    "is_active")
    list_filter = ("item", "kind", "is_active")
    list_select_related = ("item",)
    search_fields = ("code", "name")


@admin.register(RiskRule)
class RiskRuleAdmin(AdminRoleOnly, admin.ModelAdmin):
    list_display = ("field", "when", "value", "domain", "factor", "no_factor_reason", "is_active", "sort_order")
    list_filter = ("domain", "is_active")
    list_select_related = ("field__item",)
    search_fields = ("factor", "advice", "no_factor_reason")
