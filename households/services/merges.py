"""Merging two households found to be one, and the admin's reversal of a merge.

A merge moves the source household's members, couples and outreach visits to the target and
voids the source (``merged_into`` points at the target). The ids of every moved row are kept on
the ``HouseholdMerge`` row, so a reversal moves exactly those rows back and nothing else: people
added to the target after the merge stay where they are.

Follow-up visits and surveys hang off the couple, so they travel with it; nothing changes
township (a merge is refused across townships), so no scoped column needs rewriting.
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, User
from accounts.services import audit_log

from ..models import Couple, Household, HouseholdMerge, OutreachVisit, Person

# (model, HouseholdMerge field with the moved ids): the rows a merge moves, in this order.
MOVED = (
    (Person, "moved_person_ids"),
    (Couple, "moved_couple_ids"),
    (OutreachVisit, "moved_outreach_ids"),
)


def _lock_households(*pks) -> dict[int, Household]:
    # Always in primary-key order: two merges of the same pair in opposite directions then queue
    # behind each other instead of deadlocking.
    return {h.pk: h for h in Household.objects.select_for_update().filter(pk__in=pks).order_by("pk")}


def merge_preview(source: Household) -> dict:
    """What a merge of ``source`` would move: members, couples and outreach visits (void ones too)."""
    return {
        "members": list(Person.objects.filter(household=source).order_by("relation", "birth_date", "id")),
        "couples": list(Couple.objects.filter(household=source).select_related("wife", "husband").order_by("id")),
        "outreach": list(OutreachVisit.objects.filter(household=source).select_related("visitor")
                         .order_by("-visit_date", "-id")),
    }


@transaction.atomic
def household_merge(*, source: Household, target: Household, by: User, reason: str, request=None) -> HouseholdMerge:
    """Move everything of ``source`` into ``target`` and void ``source`` (merged into target).

    Both must be active households of the same township. Returns the ``HouseholdMerge`` record,
    which lists the moved rows so that ``household_merge_revert`` can undo exactly this merge.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写合并原因。")})
    if source.pk == target.pk:
        raise ValidationError({"target": _("不能把家庭户合并到它自己。")})
    locked = _lock_households(source.pk, target.pk)
    source, target = locked[source.pk], locked[target.pk]
    if source.township_id != target.township_id:
        raise ValidationError({"target": _("只能合并同一镇/街道的家庭户。")})
    if source.is_void:
        raise ValidationError(_("该家庭户已作废或已被合并，不能再合并。"))
    if target.is_void:
        raise ValidationError({"target": _("保留户已作废或已被合并，请选择其他家庭户。")})

    now = timezone.now()
    moved = {}
    for model, field in MOVED:
        ids = list(model.objects.filter(household=source).order_by("pk").values_list("pk", flat=True))
        # All three are Timestamped; update() skips auto_now, so the time is set here.
        model.objects.filter(pk__in=ids).update(household=target, updated_at=now)
        moved[field] = ids

    Household.objects.filter(pk=source.pk).update(
        is_void=True, void_reason=(_("已合并到 #%(pk)s：%(reason)s") % {"pk": target.pk, "reason": reason})[:200],
        voided_at=now, voided_by=by, merged_into=target, version=F("version") + 1, updated_at=now,
    )
    merge = HouseholdMerge.objects.create(
        township_id=source.township_id, source=source, target=target, merged_by=by, merged_at=now,
        reason=reason[:200], **moved,
    )
    counts = "members={} couples={} outreach={}".format(*(len(moved[f]) for _m, f in MOVED))
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=source,
              detail=f"merged into {target.pk} (merge {merge.pk}): {counts}")
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=target,
              detail=f"merged from {source.pk} (merge {merge.pk}): {counts}")
    return merge


@transaction.atomic
def household_merge_revert(*, merge: HouseholdMerge, by: User, request=None) -> HouseholdMerge:
    """Undo a merge: move the recorded rows back to the source and make the source active again.

    Refused if the merge was already reverted, if the source is no longer the void household
    merged into the target, or if any recorded row has since left the target (moving it back from
    a third household would be a surprise nobody asked for). Returns the merge, marked reverted.
    """
    merge = HouseholdMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.reverted_at is not None:
        raise ValidationError(_("该合并已于 %(at)s 撤销，不能重复撤销。") % {
            "at": timezone.localtime(merge.reverted_at).strftime("%Y-%m-%d %H:%M")})
    locked = _lock_households(merge.source_id, merge.target_id)
    source, target = locked[merge.source_id], locked[merge.target_id]
    if not source.is_void or source.merged_into_id != target.pk:
        raise ValidationError(_("被合并户的状态已改变，不能自动撤销该合并。"))
    for model, field in MOVED:
        ids = getattr(merge, field)
        if model.objects.filter(pk__in=ids).exclude(household=target).exists():
            raise ValidationError(_("合并后部分记录已转到其他家庭户，不能自动撤销该合并。"))

    now = timezone.now()
    for model, field in MOVED:
        model.objects.filter(pk__in=getattr(merge, field), household=target).update(household=source, updated_at=now)
    Household.objects.filter(pk=source.pk).update(
        is_void=False, void_reason="", voided_at=None, voided_by=None, merged_into=None,
        version=F("version") + 1, updated_at=now,
    )
    merge.reverted_at = now
    merge.reverted_by = by
    merge.save(update_fields=["reverted_at", "reverted_by"])
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=source,
              detail=f"merge {merge.pk} reverted: back from {target.pk}")
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=target,
              detail=f"merge {merge.pk} reverted: rows back to {source.pk}")
    return merge
