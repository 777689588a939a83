"""The register's .xlsx exports, registered with core.exports: households, the couple register,
follow-up visits.

Each ``build`` runs the list page's own filter form and selector (so the filters mean the same and
the user's scope is already applied), then names the columns as values_list() lookups: rows are
streamed as tuples, never model instances (a township's 61,000 visits in seconds, flat memory).
ID numbers are masked by the columns' formatters (PIPL Art. 6: a list that leaves the system
carries no whole ID number).
"""
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Cap
from core.exports import Column, ExportQuery, ExportSpec, describe_filters, masked, register, valid_filters

from .forms.register import HouseholdFilterForm
from .forms.visits import RegisterFilterForm, VisitFilterForm
from .models import Couple, HukouType, Person, PlannedTiming, PregnancyStatus, Relation, VisitService
from .selectors.register import household_list
from .selectors.visits import register_couples, visits_in_scope

def _label(choices):
    labels = {str(k): str(v) for k, v in choices}
    return lambda code: labels.get(str(code), code or "")


def _local_date(value):
    return timezone.localtime(value).date() if value else None


def _services(codes):
    return "、".join(str(VisitService(s).label) for s in codes or () if s in VisitService.values)


def _count(model, *, to: str, **filters):
    return Coalesce(Subquery(
        model.objects.filter(**{to: OuterRef("pk")}, is_void=False, **filters).order_by().values(to)
        .annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0)


# --- 家庭户 ------------------------------------------------------------------------------------
def build_households(user, params) -> ExportQuery:
    """Households the user may see (clerks: the township; bureau staff: linked villages), with the
    household list's filters and sort. The couple count is the township's: only users who may
    see couples get that column (bureau staff do not)."""
    form = valid_filters(HouseholdFilterForm(params or None, user=user))
    # The head named on the household, not just any member with relation 本人/户主: a second one
    # (a data error) or a renamed head must not put someone else's ID next to the name.
    head_id = Person.objects.filter(
        household=OuterRef("pk"), is_void=False, relation=Relation.SELF, name=OuterRef("head_name"),
    ).order_by("id").values("id_number")[:1]
    queryset = household_list(user=user, **form.values()).annotate(
        export_head_id=Subquery(head_id), export_members=_count(Person, to="household"))
    with_couples = user.can(Cap.COUPLE_VIEW)
    if with_couples:
        queryset = queryset.annotate(export_couples=_count(Couple, to="household"))
    columns = [
        Column(gettext_lazy("村/社区"), "village__name", 12), Column(gettext_lazy("户编码"), "code", 20),
        Column(gettext_lazy("家庭地址"), "address", 20), Column(gettext_lazy("户主姓名"), "head_name", 10),
        Column(gettext_lazy("户主身份证号（脱敏）"), "export_head_id", 21, masked),
        Column(gettext_lazy("联系电话"), "phone", 14),
        Column(gettext_lazy("户口类型"), "hukou_type", 9, _label(HukouType.choices)),
        Column(gettext_lazy("成员数"), "export_members", 8),
        *([Column(gettext_lazy("育龄夫妇数"), "export_couples", 10)] if with_couples else []),
        Column(gettext_lazy("登记日期"), "created_at", 12, _local_date),
        Column(gettext_lazy("状态"), "is_void", 8, lambda void: _("已作废") if void else _("在册")),
    ]
    return ExportQuery(queryset=queryset, columns=columns, filters=describe_filters(form))


# --- 摸底造册 ----------------------------------------------------------------------------------
def build_register(user, params) -> ExportQuery:
    """The couple register (摸底造册) with the register list's filters and sort."""
    form = valid_filters(RegisterFilterForm(params, user=user))
    columns = [
        Column(gettext_lazy("村/社区"), "household__village__name", 12), Column(gettext_lazy("家庭地址"), "household__address", 18),
        Column(gettext_lazy("户主姓名"), "household__head_name", 10), Column(gettext_lazy("联系电话"), "household__phone", 14),
        Column(gettext_lazy("妻子姓名"), "wife__name", 10),
        Column(gettext_lazy("妻子身份证号（脱敏）"), "wife__id_number", 21, masked),
        Column(gettext_lazy("丈夫姓名"), "husband__name", 10),
        Column(gettext_lazy("丈夫身份证号（脱敏）"), "husband__id_number", 21, masked),
        Column(gettext_lazy("结婚日期"), "marriage_date", 12), Column(gettext_lazy("现有男孩数"), "boys", 10),
        Column(gettext_lazy("现有女孩数"), "girls", 10),
        Column(gettext_lazy("计划生育时间"), "planned_timing", 12, _label(PlannedTiming.choices)),
        Column(gettext_lazy("孕情"), "pregnancy_status", 10, _label(PregnancyStatus.choices)),
        Column(gettext_lazy("责任人（专人）"), "responsible__name", 12),
        Column(gettext_lazy("最近随访日期"), "last_visit_date", 12), Column(gettext_lazy("下次随访日期"), "next_visit_due", 12),
    ]
    return ExportQuery(queryset=register_couples(user=user, **form.values()), columns=columns, filters=describe_filters(form))


# --- 随访记录 ----------------------------------------------------------------------------------
def build_visits(user, params) -> ExportQuery:
    """Follow-up visits with the visit list's filters."""
    form = valid_filters(VisitFilterForm(params, user=user))
    columns = [
        Column(gettext_lazy("随访日期"), "visit_date", 12), Column(gettext_lazy("村/社区"), "couple__household__village__name", 12),
        Column(gettext_lazy("家庭地址"), "couple__household__address", 18), Column(gettext_lazy("妻子姓名"), "couple__wife__name", 10),
        Column(gettext_lazy("妻子身份证号（脱敏）"), "couple__wife__id_number", 21, masked),
        Column(gettext_lazy("丈夫姓名"), "couple__husband__name", 10),
        Column(gettext_lazy("孕情"), "pregnancy_status", 10, _label(PregnancyStatus.choices)),
        Column(gettext_lazy("末次月经"), "last_menstrual_period", 12),
        Column(gettext_lazy("提供的服务"), "services", 24, _services), Column(gettext_lazy("随访记录"), "notes", 40),
        Column(gettext_lazy("下次随访日期"), "next_due", 12), Column(gettext_lazy("随访人"), "visitor__name", 10),
    ]
    return ExportQuery(queryset=visits_in_scope(user=user, **form.values()), columns=columns, filters=describe_filters(form))


HOUSEHOLDS = register(ExportSpec(
    kind="households.households", label=gettext_lazy("家庭户"), capability=Cap.REGISTER_VIEW,
    object_type="households.household", build=build_households, list_url="households:household_list"))
REGISTER = register(ExportSpec(
    kind="households.register", label=gettext_lazy("育龄夫妇名册（摸底造册）"), capability=Cap.COUPLE_VIEW,
    object_type="households.couple", build=build_register, list_url="households:register_list"))
VISITS = register(ExportSpec(
    kind="households.visits", label=gettext_lazy("跟踪随访记录"), capability=Cap.COUPLE_VIEW,
    object_type="households.followupvisit", build=build_visits, list_url="households:visit_list"))
