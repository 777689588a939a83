"""The offline outbox's two server pieces (docs/offline.md).

``outbox``: the page that lists the visits waiting on this phone. The list itself lives in the
browser (IndexedDB, keyed by user): the server renders the frame and never sees what is waiting.

``offline_send``: where the outbox sends one waiting visit. It runs the same form, the same
access helper (scope → 404, role → 403, both written to the audit trail as refused access), the
same service and its audit row as the online visit forms, and stores the visit under the
idempotency key the phone made when the visit was typed: a resend, a double tap or a second tab
answers "saved" with the first visit and writes nothing. Every answer is JSON the outbox shows:
``saved`` (201 new, 200 sent before), ``refused`` with a Chinese reason and the form's errors per
field (422 the visit or couple no longer allows it, 404 no longer in the user's scope, 403 the
role may not record it, 400 a request the outbox would never make).
"""
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import AuditEvent
from accounts.permissions import OutOfScope
from accounts.roles import Cap
from accounts.services import audit_log

from core.forms import apply_errors
from ..forms.visits import OutreachForm, VisitForm
from ..permissions import get_couple_for_user, get_household_for_user
from ..services.outreach import outreach_record
from ..services.visits import visit_record


@require_GET
def outbox(request):
    return render(request, "households/outbox.html")


def _visit(request, pk, key):
    couple = get_couple_for_user(request.user, pk, visit=True)
    form = VisitForm(request.POST, couple=couple)
    if form.is_valid():
        try:
            return form, visit_record(couple=couple, by=request.user, request=request, client_key=key,
                                      **form.service_kwargs())
        except ValidationError as error:
            apply_errors(form, error)
    return form, None


def _outreach(request, pk, key):
    household = get_household_for_user(request.user, pk)
    form = OutreachForm(request.POST)
    if form.is_valid():
        try:
            return form, outreach_record(household=household, by=request.user, request=request, client_key=key,
                                         **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
    return form, None


# kind → (capability, handler): the capability the online form's view requires.
KINDS = {"visit": (Cap.VISIT_RECORD, _visit), "outreach": (Cap.OUTREACH_RECORD, _outreach)}


def _refused(status: int, reason: str, errors=None) -> JsonResponse:
    return JsonResponse({"status": "refused", "reason": reason, "errors": errors or {}}, status=status)


def _denied(request, error: Exception, status: int, kind: str, pk) -> None:
    # The same row AuditDeniedMiddleware writes for a 403/404 page: the answer here is JSON, so
    # the exception is caught before the middleware sees it.
    audit_log(action=AuditEvent.Action.DENIED, request=request, success=False,
              object_type=getattr(error, "object_type", kind), object_id=getattr(error, "object_id", pk),
              detail=f"{status} {request.method} {request.path}")


@require_POST
def offline_send(request):
    kind, pk = request.POST.get("kind", ""), request.POST.get("target", "")
    try:
        key = uuid.UUID(request.POST.get("client_key", ""))
        capability, handler = KINDS[kind]
        pk = int(pk)
    except (ValueError, KeyError):
        return _refused(400, _("离线记录不完整，无法发送，请丢弃后重新填写。"))
    try:
        if not request.user.can(capability):
            raise PermissionDenied
        form, visit = handler(request, pk, key)
    except OutOfScope as error:
        _denied(request, error, 404, kind, pk)
        return _refused(404, _("该记录已不在您的管辖范围内（可能已迁出或已调整分工），不能保存。"))
    except PermissionDenied as error:
        _denied(request, error, 403, kind, pk)
        return _refused(403, _("您的账号无权记录这类走访或随访。"))
    if visit is None:
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        reason = " ".join(errors.pop("__all__", [])) or _("有填写内容未通过检查，请打开修改后重新发送。")
        return _refused(422, reason, errors)
    replayed = getattr(visit, "replayed", False)
    return JsonResponse({"status": "saved", "id": visit.pk, "replayed": replayed}, status=200 if replayed else 201)
