"""包村联户: a work group's leader links each member to households of the group's villages.

Links are ended, never deleted; every link and unlink is audited. Only the group's leader
(``WorkGroup.leader``, holding ``Cap.CADRE_LINK``) links, only members of that group, only active
households of the group's villages.
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, User
from accounts.permissions import CapabilityDenied
from accounts.roles import Cap
from accounts.services import audit_log

from ..models import CadreLink, Household, WorkGroup


def _check(group: WorkGroup, cadre: User, by: User) -> None:
    if not by.can(Cap.CADRE_LINK) or group.leader_id != by.pk or not group.is_active:
        raise CapabilityDenied(Cap.CADRE_LINK)
    if not group.members.filter(pk=cadre.pk).exists():
        raise ValidationError(_("%(name)s 不是本工作组成员。") % {"name": cadre.get_full_name()})


@transaction.atomic
def cadre_link(*, group: WorkGroup, cadre: User, household_ids: list[int], by: User, request=None) -> int:
    """Link ``cadre`` to the households ``household_ids`` (already linked ones are skipped)."""
    _check(group, cadre, by)
    ids = set(household_ids)
    found = set(Household.objects.filter(pk__in=ids, is_void=False, village__work_groups=group)
                .values_list("pk", flat=True))
    if ids - found:
        raise ValidationError(_("所选家庭户不在本工作组的联系村（社区）内，或已作废。"))
    already = set(CadreLink.objects.filter(cadre=cadre, household_id__in=found, ended_at__isnull=True)
                  .values_list("household_id", flat=True))
    created = CadreLink.objects.bulk_create(
        [CadreLink(group=group, cadre=cadre, household_id=pk, linked_by=by) for pk in sorted(found - already)])
    for link in created:
        audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, object_type="households.cadrelink",
                  object_id=link.pk, township_id=None, detail=f"link {cadre.username} → household {link.household_id}")
    return len(created)


@transaction.atomic
def cadre_unlink(*, link: CadreLink, by: User, request=None) -> None:
    _check(link.group, link.cadre, by)
    if link.ended_at is not None:
        return
    CadreLink.objects.filter(pk=link.pk, ended_at__isnull=True).update(ended_at=timezone.now())
    audit_log(action=AuditEvent.Action.DELETE, request=request, user=by, object_type="households.cadrelink",
              object_id=link.pk, detail=f"unlink {link.cadre.username} → household {link.household_id}")
