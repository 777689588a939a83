"""Writes for the bureau's outreach visits (大走访, 包村联户) to households of linked villages."""
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, User
from accounts.roles import Cap
from accounts.scoping import linked_village_ids
from accounts.services import audit_log

from ..models import Household, OutreachVisit
from .common import saved_before


@transaction.atomic
def outreach_record(
    *, household: Household, by: User, visit_date: datetime.date, content: str, needs: str = "", request=None,
    client_key=None,
) -> OutreachVisit:
    """Record a bureau staff member's visit to ``household`` and return it.

    Rules: only the bureau (staff and leaders: ``Cap.OUTREACH_RECORD``), only households of villages linked to one of their active work
    groups (checked here too, so a task or command cannot bypass the view's scoping), not a void
    household, a visit date not in the future and some content. ``ValidationError`` otherwise.
    ``client_key``: the offline outbox's idempotency key; sent again, the first visit is returned.
    """
    if (visit := saved_before(OutreachVisit, client_key, by=by, household_id=household.pk)) is not None:
        return visit
    if not by.can(Cap.OUTREACH_RECORD):
        raise ValidationError(_("只有局机关工作人员可以记录大走访。"))
    if not Household.objects.filter(pk=household.pk, village__in=linked_village_ids(by)).exists():
        raise ValidationError(_("该家庭户不在您所在工作组的联系村（社区）内。"))
    errors = {}
    if household.is_void:
        errors["__all__"] = _("该家庭户已作废，不能记录走访。")
    if visit_date is None:
        errors["visit_date"] = _("请填写走访日期。")
    elif visit_date > timezone.localdate():
        errors["visit_date"] = _("走访日期不能晚于今天。")
    content = (content or "").strip()
    if not content:
        errors["content"] = _("请填写走访内容。")
    if errors:
        raise ValidationError(errors)
    visit = OutreachVisit.objects.create(
        household=household, visitor=by, visit_date=visit_date, content=content, needs=(needs or "").strip(),
        created_by=by, client_key=client_key,
    )
    audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=visit)
    if visit.needs:
        from .needs import need_raise

        need_raise(visit=visit, by=by, request=request)
    return visit


OUTREACH_EDIT_WINDOW = datetime.timedelta(hours=24)


def outreach_editable_by(visit: OutreachVisit, user: User) -> bool:
    """Whether ``user`` may still correct ``visit``: its own visitor, within 24 hours of entering it."""
    return visit.visitor_id == user.pk and timezone.now() - visit.created_at <= OUTREACH_EDIT_WINDOW


@transaction.atomic
def outreach_update(
    *, visit: OutreachVisit, by: User, content: str, needs: str = "", request=None,
) -> OutreachVisit:
    """Correct the content and needs of one's own outreach visit, within 24 hours of recording it.

    Only the visitor, only within the window (checked on the locked row, so the time and the
    visitor are those of the saved record); ``ValidationError`` otherwise. Writes an audit row.
    """
    locked = OutreachVisit.objects.select_for_update().get(pk=visit.pk)
    if locked.visitor_id != by.pk:
        raise ValidationError(_("只能修改本人记录的走访。"))
    if timezone.now() - locked.created_at > OUTREACH_EDIT_WINDOW:
        raise ValidationError(_("走访记录只能在录入后 24 小时内修改。"))
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": _("请填写走访内容。")})
    locked.content, locked.needs = content, (needs or "").strip()
    locked.save(update_fields=["content", "needs", "updated_at"])
    visit.content, visit.needs, visit.updated_at = locked.content, locked.needs, locked.updated_at
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=locked, detail="content,needs")
    from .needs import need_follow_visit

    need_follow_visit(visit=locked, by=by, request=request)
    return locked
