"""Admin for assessment: assessor grants (audited), the scheme per year (closing a year), liaisons.

Every change goes through the services, so the admin gets the same rules as the pages: a closed
year's scheme is refused, grants only to bureau staff and leaders, each grant and revocation audited.
"""
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import ModelForm
from accounts.admin import AdminRoleOnly
from accounts.models import User
from accounts.roles import Role

from .models import Assessor, Liaison, OutcomeApprover, OutcomeBand, Scheme
from .services.grants import GRANTABLE_ROLES, assessor_grant, assessor_revoke
from .services.scoring import scheme_update, scheme_validate, scores_recompute, year_close

SCHEME_FIELDS = ["regular_weight", "year_end_weight", "normalisation", "weight_info", "weight_petition",
                 "weight_inspection", "weight_regular_work", "publicity_share", "publicity_target",
                 "rectification_points", "supervision_target"]


class AssessorForm(ModelForm):
    class Meta:
        model = Assessor
        fields = ["user", "is_active", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].queryset = User.objects.filter(role__in=GRANTABLE_ROLES, is_active=True)

    def clean_user(self):
        user = self.cleaned_data["user"]
        if user.role not in GRANTABLE_ROLES:
            raise ValidationError(_("只能授权局机关干部或局班子成员录入考核。"))
        return user


@admin.register(Assessor)
class AssessorAdmin(AdminRoleOnly, admin.ModelAdmin):
    form = AssessorForm
    list_display = ("user", "user_role", "is_active", "granted_by", "granted_at", "revoked_at", "note")
    list_filter = ("is_active",)
    list_select_related = ("user", "granted_by")
    search_fields = ("user__username", "user__name")
    readonly_fields = ("granted_by", "granted_at", "revoked_at")

    @admin.display(description=_("角色"))
    def user_role(self, obj):
        return obj.user.get_role_display()

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (("user",) if obj is not None else ())

    def save_model(self, request, obj, form, change):
        # Through the services: the grant and its revocation are audited.
        if obj.is_active:
            saved = assessor_grant(user=obj.user, by=request.user, note=obj.note, request=request)
        else:
            saved = assessor_revoke(grant=obj, by=request.user, request=request) if obj.pk else None
        if saved is not None:
            obj.pk = saved.pk

    def _audit(self, request, obj, action, verb):
        # assessor_grant / assessor_revoke wrote the audit row (create / delete); one row per act.
        pass


class SchemeForm(ModelForm):
    class Meta:
        model = Scheme
        fields = ["year", *SCHEME_FIELDS]

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.instance.is_closed:
            raise ValidationError(
                _("%(year)s 年度考核已关闭，成绩已公布，不能再修改方案。") % {"year": self.instance.year})
        probe = Scheme(**{name: data.get(name) for name in SCHEME_FIELDS}, year=data.get("year") or 0)
        try:
            scheme_validate(probe)
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages_)
        return data

    def validate_constraints(self, exclude=None):
        # The weights rule is checked in clean() with a message on the right field.
        pass


class OutcomeBandInline(admin.TabularInline):
    """奖优罚劣 bands of the year, as data (services.outcomes.band_for reads them in this order).

    They stay editable after the year is closed (outcomes are decided after closing); issued
    outcomes keep the label and measures they were issued with.
    """

    model = OutcomeBand
    extra = 0
    fields = ("subject", "position", "kind", "rank_from", "rank_to", "from_bottom", "score_min", "score_max", "label",
              "measures")


@admin.register(Scheme)
class SchemeAdmin(AdminRoleOnly, admin.ModelAdmin):
    form = SchemeForm
    inlines = [OutcomeBandInline]
    list_display = ("year", "regular_weight", "year_end_weight", "normalisation", "publicity_share", "is_closed",
                    "closed_at", "closed_by")
    readonly_fields = ("is_closed", "closed_at", "closed_by")
    actions = ["close_years", "recompute_years"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_closed:
            return ("year", *SCHEME_FIELDS, *self.readonly_fields)
        return self.readonly_fields + (("year",) if obj is not None else ())

    def save_model(self, request, obj, form, change):
        if change:
            scheme_update(scheme=obj, by=request.user, request=request,
                          **{name: form.cleaned_data[name] for name in SCHEME_FIELDS if name in form.changed_data})
        else:
            obj.created_by = request.user
            super().save_model(request, obj, form, change)
            scores_recompute(year=obj.year)

    @admin.action(description=_("关闭所选年度（公布成绩）"))
    def close_years(self, request, queryset):
        for scheme in queryset.order_by("year"):
            try:
                year_close(year=scheme.year, by=request.user, request=request)
            except ValidationError as error:
                self.message_user(request, f"{scheme.year}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, _("%(year)s 年度已关闭。") % {"year": scheme.year}, messages.SUCCESS)

    @admin.action(description=_("重新计算所选年度成绩"))
    def recompute_years(self, request, queryset):
        for scheme in queryset.order_by("year"):
            scores_recompute(year=scheme.year)
        self.message_user(request, _("已重新计算（已关闭的年度保持不变）。"), messages.SUCCESS)


class LiaisonForm(ModelForm):
    class Meta:
        model = Liaison
        fields = ["year", "township", "leader"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = User.objects.filter(role=Role.LEADER, is_active=True)


@admin.register(Liaison)
class LiaisonAdmin(AdminRoleOnly, admin.ModelAdmin):
    form = LiaisonForm
    list_display = ("year", "township", "leader")
    list_filter = ("year", "leader")
    list_select_related = ("township", "leader")


@admin.register(OutcomeApprover)
class OutcomeApproverAdmin(AdminRoleOnly, admin.ModelAdmin):
    """Leaders granted approval of outcomes (奖惩审定). Revoke by unticking; the admin's own audit
    (AdminRoleOnly) records every change."""

    list_display = ("user", "is_active", "note")
    list_select_related = ("user",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(role=Role.LEADER, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
