"""Admin: the screening catalogue only — items, result fields with their ranges, risk rules.

The system administrator maintains the catalogue but is not a back door into personal records:
screenings, results and follow-ups are not registered here.
"""
from django.contrib import admin, messages
from django.utils.translation import gettext as _

from accounts.admin import AdminRoleOnly

from .models import ResultField, RiskRule, ScreeningItem
from .selectors.catalogue import uncovered_conditions


class WarnsOfUncoveredResults:
    """The catalogue's lists say which abnormal results no rule covers yet (docs/screening-rules.md):
    after adding an item or a field, the administrator sees at once that it needs a rule or a
    "no factor" entry with its reason."""

    def changelist_view(self, request, extra_context=None):
        gaps = uncovered_conditions()
        if gaps:
            messages.warning(request, _("%(n)d 种异常结果没有风险评估规则，也没有“不提出风险因素”的说明：%(list)s") % {
                "n": len(gaps), "list": "；".join(
                    f"{c.field.name}（{c.subject_label}）{c.what_label}" for c in gaps[:10])})
        return super().changelist_view(request, extra_context)


class ResultFieldInline(AdminRoleOnly, admin.StackedInline):
    model = ResultField
    extra = 0
    fields = (("code", "name", "kind"), ("unit", "decimals", "sort_order", "is_active"), ("choices", "normal_values"),
              ("ref_low", "ref_high"), ("ref_low_male", "ref_high_male"), ("plausible_low", "plausible_high"))

    def has_add_permission(self, request, obj=None):  # inlines pass the parent object too
        return self._is_admin(request)


@admin.register(ScreeningItem)
class ScreeningItemAdmin(WarnsOfUncoveredResults, AdminRoleOnly, admin.ModelAdmin):
    list_display = ("number", "name", "group", "for_female", "for_male", "is_active")
    list_editable = ("is_active",)
    ordering = ("number",)
    inlines = [ResultFieldInline]


@admin.register(ResultField)
class ResultFieldAdmin(WarnsOfUncoveredResults, AdminRoleOnly, admin.ModelAdmin):
    list_display = ("code", "name", "item", "kind", "unit", "ref_low", "ref_high", "plausible_low", "plausible_high",
                    "is_active")
    list_filter = ("item", "kind", "is_active")
    list_select_related = ("item",)
    search_fields = ("code", "name")


@admin.register(RiskRule)
class RiskRuleAdmin(WarnsOfUncoveredResults, AdminRoleOnly, admin.ModelAdmin):
    list_display = ("field", "when", "value", "domain", "factor", "no_factor_reason", "is_active", "sort_order")
    list_filter = ("domain", "is_active")
    list_select_related = ("field__item",)
    search_fields = ("factor", "advice", "no_factor_reason")
