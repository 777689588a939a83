"""Assessor grants: the admin gives or takes assessment entry per user, and both are audited."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent
from accounts.roles import Cap, roles_with
from accounts.services import audit_log

from ..models import Assessor

GRANTABLE_ROLES = tuple(roles_with(Cap.ASSESSMENT_CHANGE))  # bureau staff and leaders


@transaction.atomic
def assessor_grant(*, user, by, note: str = "", request=None) -> Assessor:
    """Grant (or re-grant) assessment entry to ``user``; only bureau staff and leaders."""
    if user.role not in GRANTABLE_ROLES:
        raise ValidationError({"user": _("只能授权局机关干部或局班子成员录入考核。")})
    grant, created = Assessor.objects.select_for_update().get_or_create(
        user=user, defaults={"granted_by": by, "note": note})
    if not created:
        grant.is_active, grant.granted_by, grant.granted_at, grant.revoked_at = True, by, timezone.now(), None
        grant.note = note or grant.note
        grant.save()
    audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=grant,
              detail=f"grant assessment entry to {user.get_username()}")
    return grant


@transaction.atomic
def assessor_revoke(*, grant: Assessor, by, request=None) -> Assessor:
    grant = Assessor.objects.select_for_update().get(pk=grant.pk)
    grant.is_active, grant.revoked_at = False, timezone.now()
    grant.save(update_fields=["is_active", "revoked_at"])
    audit_log(action=AuditEvent.Action.DELETE, request=request, user=by, obj=grant,
              detail=f"revoke assessment entry of {grant.user.get_username()}")
    return grant
