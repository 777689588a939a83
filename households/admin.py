"""Admin for the households app: household merges (with the admin's reversal) and work groups.

The system administrator manages the org tree and work groups but is not a back door into
personal records (docs/domain.md, Roles): the merge pages show ids, township, who and when — no names,
addresses or ID numbers — and the only thing an admin can do to a merge is revert it.
"""
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import AdminRoleOnly
from accounts.models import User, Village
from accounts.roles import Role

from .models import HouseholdMerge, WorkGroup
from .services.merges import household_merge_revert


@admin.register(HouseholdMerge)
class HouseholdMergeAdmin(AdminRoleOnly, admin.ModelAdmin):
    list_display = ("id", "source_household", "target_household", "township", "merged_by", "merged_at",
                    "is_reverted", "reverted_by", "reverted_at")
    list_filter = ("township", ("reverted_at", admin.EmptyFieldListFilter))
    list_select_related = ("township", "merged_by", "reverted_by")
    ordering = ("-merged_at",)
    date_hierarchy = "merged_at"
    actions = ["revert_merges"]
    # Ids only: the household's head, address and members are not the admin's to read.
    fields = ("id", "township", "source_household", "target_household", "merged_by", "merged_at", "reason",
              "moved_person_ids", "moved_couple_ids", "moved_outreach_ids", "reverted_by", "reverted_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return HouseholdMerge._default_manager.all()

    def has_add_permission(self, request):
        return False  # merges are made by township clerks through the register

    # Plain ids, deliberately: the FK's own display would print the head's name and address.
    @admin.display(description=_("被合并户"), ordering="source_id")
    def source_household(self, obj):
        return f"#{obj.source_id}"

    @admin.display(description=_("保留户"), ordering="target_id")
    def target_household(self, obj):
        return f"#{obj.target_id}"

    @admin.display(boolean=True, description=_("已撤销"))
    def is_reverted(self, obj):
        return obj.reverted_at is not None

    @admin.action(description=_("撤销合并"))
    def revert_merges(self, request, queryset):
        done = 0
        for merge in queryset.order_by("-merged_at"):
            try:
                household_merge_revert(merge=merge, by=request.user, request=request)
            except ValidationError as error:
                why = " ".join(error.messages)
                self.message_user(request, _("合并 #%(pk)s 未撤销：%(why)s") % {"pk": merge.pk, "why": why},
                                  level=messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, ngettext("已撤销 %(n)d 次合并。", "已撤销 %(n)d 次合并。", done) % {"n": done},
                              level=messages.SUCCESS)


@admin.register(WorkGroup)
class WorkGroupAdmin(AdminRoleOnly, admin.ModelAdmin):
    list_display = ("name", "member_count", "village_count", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
    filter_horizontal = ("members", "villages")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            n_members=Count("members", distinct=True), n_villages=Count("villages", distinct=True))

    @admin.display(description=_("成员数"), ordering="n_members")
    def member_count(self, obj):
        return obj.n_members

    @admin.display(description=_("联系村/社区数"), ordering="n_villages")
    def village_count(self, obj):
        return obj.n_villages

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            # Work groups are bureau staff (包村联户); the model's limit_choices_to says so too.
            kwargs["queryset"] = User.objects.filter(role=Role.BUREAU_STAFF, is_active=True).order_by("username")
        if db_field.name == "villages":
            kwargs["queryset"] = Village.objects.filter(is_active=True).select_related("township").order_by("code")
        return super().formfield_for_manytomany(db_field, request, **kwargs)
