"""Households, members, couples, intention surveys, 专人, void and merge (the clerk's register).

Access: reading needs Cap.REGISTER_VIEW (clerks: own township; bureau staff: linked villages),
couples need Cap.COUPLE_VIEW (township clerks only), every change needs Cap.REGISTER_CHANGE.
Records outside the user's scope answer 404 through the ``get_<entity>_for_user`` helpers, a
wrong role 403. Services do the writing; their ``ValidationError`` goes back onto the form.
"""
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.http import safe_next_url
from core.forms import apply_errors
from core.pages import audit_view, form_page
from core.pagination import paginate, query_without_page
from accounts.permissions import capability_required
from accounts.roles import Cap

from ..forms.register import (
    HOUSEHOLD_CREATE_FIELD_MAP, AssignForm, CoupleCreateForm, CoupleEditForm, HouseholdCreateForm,
    HouseholdEditForm, HouseholdFilterForm, MergeForm, MergeSearchForm, PersonForm, SurveyForm,
)
from ..models import Household, IntentionReason, Person, WantedService
from .common import void_page
from ..permissions import get_couple_for_user, get_household_for_user, get_person_for_user
from ..selectors.register import (
    attach_active_members, couple_assignments, couple_member_choices, couple_surveys, household_couples,
    household_list as select_households,
    household_members, household_outreach, merge_candidates, person_in_scope_by_id_number,
)
from ..services.common import ConcurrentEdit
from ..services.foreign_ids import foreign_ids_answer
from ..services.merges import household_merge as merge_households
from ..services.merges import merge_preview
from ..services.register import (
    DuplicateIdNumber, LikelyDuplicate, check_likely_duplicates, couple_assign as assign_couple,
    couple_create as create_couple, couple_update, couple_void as void_couple, household_register,
    household_update, household_void as void_household, person_add, person_update, person_void as void_person,
    survey_record,
)

GET_POST = require_http_methods(["GET", "POST"])
REASON_LABELS = dict(IntentionReason.choices)
SERVICE_LABELS = dict(WantedService.choices)


def _duplicate_id_error(request, form, error: DuplicateIdNumber, *, field: str = "id_number") -> None:
    """An ID number already registered: in the user's scope, link to the household that has it;
    elsewhere, say so without revealing whose it is or where (docs/domain.md, Roles: existence stays hidden)."""
    existing = error.existing
    if Person.objects.visible_to(request.user).filter(pk=existing.pk).exists():
        message = format_html(
            '{} <a href="{}" data-testid="duplicate-id-link">{}</a>',
            _("该身份证号已登记：%(name)s（%(village)s %(address)s）%(void)s。") % {
                "name": existing.name, "village": existing.household.village.name,
                "address": existing.household.address,
                "void": _("，该记录已作废") if existing.is_void or existing.household.is_void else "",
            },
            existing.get_absolute_url(), _("查看该户"),
        )
    elif foreign_ids_answer(by=request.user, persons=[existing], request=request, where="registration form"):
        message = _("该身份证号已在其他镇/街道登记，不能重复登记；请与登记地核实。")
    else:
        # The hourly allowance of such answers is used up: refuse without saying why (the answer
        # itself is what someone probing the county's register would be after).
        message = _("该身份证号暂时无法登记：本小时内核对其他镇/街道登记情况的次数已达上限，请 1 小时后再试或联系县局。")
    form.add_error(field, message)


def _show_refusal(request, form, error: ValidationError, *, field_map: dict | None = None) -> list:
    """Put a register service's refusal on the form, keeping what was typed.

    Returns the likely duplicates to list above the form (empty unless that was the refusal).
    """
    if isinstance(error, DuplicateIdNumber):
        _duplicate_id_error(request, form, error)
    elif isinstance(error, LikelyDuplicate):
        form.add_error("confirm_not_duplicate", error.messages[0])
        return _shown_duplicates(request, error.matches)
    else:
        apply_errors(form, error, field_map=field_map)
    return []


def _shown_duplicates(request, matches) -> list[dict]:
    """The likely duplicates as the form lists them (name, age, village), each one audited as a
    view of that person: the check shows who is registered, like opening a record would.

    Written here, in the view, because the service's refusal rolls back its own transaction."""
    today = timezone.localdate()
    for person in matches:
        audit_view(request, person, detail="likely duplicate check")
    return [{"person": person, "age": person.age_on(today)} for person in matches]


def _can_change(user, household: Household) -> bool:
    return user.can(Cap.REGISTER_CHANGE) and not household.is_void


# --- 家庭户列表 ------------------------------------------------------------------------------
HOUSEHOLD_ROW_FIELDS = ("is_void", "head_name", "phone", "address", "hukou_type", "village", "village__name")


@require_GET
@capability_required(Cap.REGISTER_VIEW)
def household_list(request):
    form = HouseholdFilterForm(request.GET or None, user=request.user)
    f = form.values()
    households = select_households(
        user=request.user, q=f.get("q", ""), village=f.get("village"), status=f["status"], sort=f["sort"],
    )
    # Only the columns a row shows (households/templatetags/household_tags.py), members as values.
    page = paginate(request, households.only(*HOUSEHOLD_ROW_FIELDS))
    attach_active_members(page.object_list)
    return render(request, "households/household_list.html", {
        "form": form, "page": page, "query": query_without_page(request),
        "can_create": request.user.can(Cap.REGISTER_CHANGE),
    })


# --- 新建家庭户 ------------------------------------------------------------------------------
@GET_POST
@capability_required(Cap.REGISTER_CHANGE)
def household_create(request):
    form = HouseholdCreateForm(request.POST or None, user=request.user)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        try:
            household = household_register(by=request.user, request=request, **form.service_kwargs())
        except ValidationError as error:
            duplicates = _show_refusal(request, form, error, field_map=HOUSEHOLD_CREATE_FIELD_MAP)
        else:
            messages.success(request, _("已登记家庭户：%(head)s。") % {"head": household.head_name})
            return redirect(household.get_absolute_url())
    return render(request, "households/household_form.html", {
        "form": form, "duplicates": duplicates, "creating": True,
    })


# --- 家庭户详情 ------------------------------------------------------------------------------
@require_GET
@capability_required(Cap.REGISTER_VIEW)
def household_detail(request, pk):
    household = get_household_for_user(request.user, pk)
    # The members' names, birth dates and phones are shown here (ID numbers masked): audited.
    audit_view(request, household)
    return render(request, "households/household_detail.html", {
        "household": household,
        "members": list(household_members(household)),
        "couples": list(household_couples(user=request.user, household=household)),
        "outreach": list(household_outreach(user=request.user, household=household)),
        # Only the merged households the user may open (bureau staff: linked villages).
        "merged_from": list(Household.objects.visible_to(request.user).filter(merged_into=household).order_by("id")),
        "can_change": _can_change(request.user, household),
        "can_see_couples": request.user.can(Cap.COUPLE_VIEW),
        "can_outreach": request.user.can(Cap.OUTREACH_RECORD) and not household.is_void,
        "can_reveal": request.user.can(Cap.ID_REVEAL),
    })


@GET_POST
@capability_required(Cap.REGISTER_CHANGE)
def household_edit(request, pk):
    household = get_household_for_user(request.user, pk, write=True)
    if household.is_void:
        messages.error(request, _("该家庭户已作废，不能修改。"))
        return redirect(household.get_absolute_url())
    form = HouseholdEditForm(request.POST or None, user=request.user, household=household)
    return form_page(
        request, form=form, template="households/household_form.html", context={"household": household},
        save=lambda data: household_update(household=household, by=request.user, request=request,
                                           expected_version=data["version"], data=form.service_data()),
        done=_("家庭户信息已保存。"), redirect_to=household.get_absolute_url())


@GET_POST
@capability_required(Cap.REGISTER_CHANGE)
def household_void(request, pk):
    household = get_household_for_user(request.user, pk, write=True)
    return void_page(
        request, obj=household, void=void_household, template="households/household_void.html",
        context_name="household", done_message=_("家庭户已作废。"), done_url=household.get_absolute_url(),
    )


# --- 家庭成员 --------------------------------------------------------------------------------
@GET_POST
@capability_required(Cap.REGISTER_CHANGE)
def person_create(request, pk):
    household = get_household_for_user(request.user, pk, write=True)
    if household.is_void:
        messages.error(request, _("该家庭户已作废，不能添加成员。"))
        return redirect(household.get_absolute_url())
    form = PersonForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.person_data()
        try:
            if not form.cleaned_data.get("confirm_not_duplicate"):
                check_likely_duplicates(
                    township_id=household.township_id, name=data["name"], birth_date=data["birth_date"],
                    phone=data["phone"], exclude_household_id=household.pk,
                )
            person = person_add(household=household, by=request.user, request=request, **data)
        except ValidationError as error:
            duplicates = _show_refusal(request, form, error)
        else:
            messages.success(request, _("已添加成员：%(name)s。") % {"name": person.name})
            return redirect(household.get_absolute_url())
    return render(request, "households/person_form.html", {
        "form": form, "household": household, "duplicates": duplicates,
    })


@GET_POST
@capability_required(Cap.REGISTER_CHANGE)
def person_edit(request, pk):
    person = get_person_for_user(request.user, pk, write=True)
    household = person.household
    if person.is_void or household.is_void:
        messages.error(request, _("该成员或家庭户已作废，不能修改。"))
        return redirect(person.get_absolute_url())
    form = PersonForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            person_update(person=person, by=request.user, expected_version=form.cleaned_data["version"],
                          data=form.person_data(), request=request)
        except ConcurrentEdit as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            _show_refusal(request, form, error)
        else:
            messages.success(request, _("成员信息已保存。"))
            return redirect(person.get_absolute_url())
    elif request.method == "GET":
        # The form shows the full ID number: a view of the person's record.
        audit_view(request, person, township_id=household.township_id)
    return render(request, "households/person_form.html", {"form": form, "household": household, "person": person})


@require_POST
@capability_required(Cap.ID_REVEAL)  # township clerks; bureau staff and every other role: 403
def person_id_number(request, pk):
    """显示完整号码: one person's whole ID number, shown because the user asked for it.

    Detail pages show numbers masked (PIPL "minimum necessary", as lists and exports do); this
    POST reveals one, writes its own audit row and is never cached. Another township's person is
    404 like any record outside the user's scope.
    """
    person = get_person_for_user(request.user, pk)
    audit_view(request, person, detail="viewed full ID number")
    response = render(request, "households/person_id_number.html", {
        "person": person, "back_url": safe_next_url(request, person.get_absolute_url()),
    })
    add_never_cache_headers(response)  # Cache-Control: no-store (and friends): not kept by the browser
    return response


@GET_POST
@capability_required(Cap.REGISTER_CHANGE)
def person_void(request, pk):
    person = get_person_for_user(request.user, pk, write=True)
    return void_page(
        request, obj=person, void=void_person, template="households/person_void.html", context_name="person",
        done_message=_("成员已作废：%(name)s。") % {"name": person.name}, done_url=person.household.get_absolute_url(),
    )


# --- 育龄夫妇 --------------------------------------------------------------------------------
@GET_POST
@capability_required(Cap.REGISTER_CHANGE)
def couple_create(request, pk):
    household = get_household_for_user(request.user, pk, write=True)
    if household.is_void:
        messages.error(request, _("该家庭户已作废，不能登记育龄夫妇。"))
        return redirect(household.get_absolute_url())
    choices = couple_member_choices(household)
    form = CoupleCreateForm(
        request.POST or None, household=household, wives=choices["wives"], husbands=choices["husbands"],
        find_person=lambda number: person_in_scope_by_id_number(user=request.user, id_number=number),
    )
    return form_page(
        request, form=form, template="households/couple_form.html", context={
            "household": household, "creating": True, "wife_age_range": settings.HOUSEHOLDS_WIFE_AGE_RANGE},
        save=lambda data: create_couple(
            household=household, wife=data["wife"], husband=data["husband"], by=request.user, request=request,
            marriage_date=data["marriage_date"], boys=data["boys"], girls=data["girls"]),
        done=lambda couple: _("已登记育龄夫妇：%(couple)s。请接着做再生育意愿摸底。") % {"couple": couple})


@require_GET
@capability_required(Cap.COUPLE_VIEW)
def couple_detail(request, pk):
    couple = get_couple_for_user(request.user, pk)
    # Both spouses' records are shown here (ID numbers masked): audited.
    audit_view(request, couple)
    surveys = list(couple_surveys(couple))
    for survey in surveys:
        survey.reason_labels = "、".join(str(REASON_LABELS.get(code, code)) for code in survey.reasons or [])
        survey.service_labels = "、".join(str(SERVICE_LABELS.get(code, code)) for code in survey.services_wanted or [])
    return render(request, "households/couple_detail.html", {
        "couple": couple, "household": couple.household, "wife_age": couple.wife.age_on(timezone.localdate()),
        "surveys": surveys,
        "assignments": list(couple_assignments(couple)),
        "can_change": request.user.can(Cap.REGISTER_CHANGE) and not couple.is_void,
        "can_reveal": request.user.can(Cap.ID_REVEAL),
    })


@GET_POST
@capability_required(Cap.REGISTER_CHANGE)
def couple_edit(request, pk):
    couple = get_couple_for_user(request.user, pk, write=True)
    if couple.is_void:
        messages.error(request, _("该育龄夫妇记录已作废，不能修改。"))
        return redirect(couple.get_absolute_url())
    form = CoupleEditForm(request.POST or None, couple=couple)
    return form_page(
        request, form=form, template="households/couple_form.html",
        context={"household": couple.household, "couple": couple},
        save=lambda data: couple_update(couple=couple, by=request.user, expected_version=data["version"],
                                        data=form.service_data(), request=request),
        done=_("育龄夫妇信息已保存。"), redirect_to=couple.get_absolute_url())


@GET_POST
@capability_required(Cap.REGISTER_CHANGE)
def couple_void(request, pk):
    couple = get_couple_for_user(request.user, pk, write=True)
    return void_page(
        request, obj=couple, void=void_couple, template="households/couple_void.html", context_name="couple",
        done_message=_("育龄夫妇记录已作废。"), done_url=couple.get_absolute_url(),
    )


@GET_POST
@capability_required(Cap.REGISTER_CHANGE)
def survey_create(request, pk):
    couple = get_couple_for_user(request.user, pk, write=True)
    if couple.is_void:
        messages.error(request, _("该育龄夫妇记录已作废，不能摸底。"))
        return redirect(couple.get_absolute_url())
    return form_page(
        request, form=SurveyForm(request.POST or None), template="households/survey_form.html",
        context={"couple": couple},
        save=lambda data: survey_record(couple=couple, by=request.user, request=request, **data),
        done=_survey_recorded, redirect_to=couple.get_absolute_url())


def _survey_recorded(survey) -> str:
    timing = survey.get_planned_timing_display()
    if survey.shows_intention:
        return _("已记录摸底：%(timing)s，已列入摸底造册。") % {"timing": timing}
    return _("已记录摸底：%(timing)s。") % {"timing": timing}


@GET_POST
@capability_required(Cap.REGISTER_CHANGE)
def couple_assign(request, pk):
    couple = get_couple_for_user(request.user, pk, write=True)
    if couple.is_void:
        messages.error(request, _("该育龄夫妇记录已作废，不能指定责任人。"))
        return redirect(couple.get_absolute_url())
    form = AssignForm(request.POST or None, couple=couple, initial={"staff": couple.responsible_id})
    if request.method == "POST" and form.is_valid():
        try:
            assign_couple(couple=couple, staff=form.cleaned_data["staff"], by=request.user,
                          reason=form.cleaned_data["reason"], request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            staff = form.cleaned_data["staff"]
            messages.success(request, _("责任人已改为 %(name)s。") % {"name": staff.get_full_name() or staff.username})
            return redirect(couple.get_absolute_url())
    return render(request, "households/couple_assign.html", {
        "form": form, "couple": couple, "assignments": list(couple_assignments(couple)),
    })


# --- 合并家庭户 ------------------------------------------------------------------------------
@GET_POST
@capability_required(Cap.REGISTER_CHANGE)
def household_merge(request, pk):
    """Merge this household into another of the township: search, preview, confirm with a reason."""
    source = get_household_for_user(request.user, pk, write=True)
    if source.is_void:
        messages.error(request, _("该家庭户已作废或已被合并，不能再合并。"))
        return redirect(source.get_absolute_url())
    targets = Household.objects.visible_to(request.user).active().filter(township_id=source.township_id).exclude(
        pk=source.pk)
    search = MergeSearchForm(request.GET or None)
    target, target_error = None, ""
    if request.method == "POST":
        form = MergeForm(request.POST, targets=targets, source=source)
        if form.is_valid():
            target = form.cleaned_data["target"]
            try:
                merge = merge_households(source=source, target=target, by=request.user,
                                         reason=form.cleaned_data["reason"], request=request)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已将 %(source)s 合并到本户（合并记录 #%(merge)s），原户已作废。") % {
                    "source": source.head_name, "merge": merge.pk})
                return redirect(target.get_absolute_url())
        elif "target" not in form.errors:
            target = form.cleaned_data.get("target")
    else:
        if request.GET.get("target"):
            # Resolve the chosen household the way a POST would: another township's id → 404.
            field = MergeForm(targets=targets, source=source).fields["target"]
            try:
                target = field.clean(request.GET["target"])
            except ValidationError as error:
                target_error = error.messages[0]
        form = MergeForm(initial={"target": target.pk} if target else None, targets=targets, source=source)
    search.is_valid()
    q = search.cleaned_data.get("q", "") if search.is_bound else ""
    preview = None
    if target is not None:
        preview = merge_preview(source)
        # The preview lists the source's members with their details: a view of its records.
        audit_view(request, source, detail="merge preview")
    return render(request, "households/merge_form.html", {
        "source": source, "target": target, "target_error": target_error, "form": form, "search": search,
        "candidates": list(merge_candidates(user=request.user, source=source, q=q)) if q and target is None else [],
        "q": q,
        "preview": preview,
    })
