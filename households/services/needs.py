"""群众诉求: needs raised in outreach visits, tracked to the end (docs in README "包村联户").

open → referred (to whom) → resolved, or closed as not solvable with a reason; open → resolved and
open → closed directly too. Resolved and closed are final. Each step is a ``NeedStep`` row (who,
when, from, to, the note) and an audit row. A need is due ``HOUSEHOLDS_NEED_DEADLINE_DAYS`` after
its visit; past that and still open or referred it is overdue (read at display time, nobody marks it).

Who handles a need: a bureau member (``Cap.OUTREACH_RECORD``) who sees it (its village is linked to
one of their work groups). Township clerks read their township's needs but change nothing.
"""
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent
from accounts.permissions import CapabilityDenied
from accounts.roles import Cap
from accounts.services import audit_log

from ..models import Need, NeedStep, OutreachVisit

S = Need.Status
# to-status → the from-statuses it may follow, and the note it needs.
TRANSITIONS = {
    S.REFERRED: ({S.OPEN}, "referred_to", _("请填写转办的单位或人员。")),
    S.RESOLVED: ({S.OPEN, S.REFERRED}, "outcome", _("请填写办理结果。")),
    S.CLOSED: ({S.OPEN, S.REFERRED}, "outcome", _("请填写无法解决的原因。")),
}


def need_deadline(visit_date: datetime.date) -> datetime.date:
    return visit_date + datetime.timedelta(days=settings.HOUSEHOLDS_NEED_DEADLINE_DAYS)


def need_raise(*, visit: OutreachVisit, by, request=None) -> Need:
    """The need of a visit that recorded one (called by ``outreach_record`` in its transaction)."""
    need = Need.objects.create(household_id=visit.household_id, township_id=visit.township_id, visit=visit,
                               raised_by=by, text=visit.needs, deadline=need_deadline(visit.visit_date))
    NeedStep.objects.create(need=need, from_status="", to_status=S.OPEN, by=by)
    audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=need)
    return need


def need_follow_visit(*, visit: OutreachVisit, by, request=None) -> None:
    """A corrected visit: a need added now is raised; an open need's text follows the visit's."""
    need = Need.objects.filter(visit=visit).first()
    if need is None:
        if visit.needs:
            need_raise(visit=visit, by=by, request=request)
    elif need.status == S.OPEN and visit.needs and need.text != visit.needs:
        need.text = visit.needs
        need.save(update_fields=["text"])
        audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=need, detail="text")


@transaction.atomic
def need_move(*, need: Need, by, to: str, note: str = "", request=None) -> Need:
    """Move a need to ``to`` with its note (to whom / the result / why not solvable)."""
    if not by.can(Cap.OUTREACH_RECORD):
        raise CapabilityDenied(Cap.OUTREACH_RECORD)
    locked = Need.objects.select_for_update().get(pk=need.pk)
    if to not in TRANSITIONS:
        raise ValidationError(_("不能把诉求改为该状态。"))
    allowed_from, field, missing = TRANSITIONS[to]
    if locked.status not in allowed_from:
        raise ValidationError(_("诉求当前为“%(now)s”，不能改为“%(to)s”。") % {
            "now": locked.get_status_display(), "to": S(to).label})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": missing})
    before = locked.status
    locked.status = to
    setattr(locked, field, note)
    if to in (S.RESOLVED, S.CLOSED):
        locked.closed_at = timezone.now()
    locked.save()
    NeedStep.objects.create(need=locked, from_status=before, to_status=to, by=by, note=note)
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=locked, detail=f"{before} → {to}: {note}")
    need.__dict__.update({k: getattr(locked, k) for k in ("status", "referred_to", "outcome", "closed_at")})
    return locked
