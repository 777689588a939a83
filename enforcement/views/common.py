"""View pieces the enforcement views share: filtered lists, form pages, exports, audit rows."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.records import ConcurrentEdit

from accounts.models import AuditEvent
from accounts.roles import Cap
from accounts.services import audit_log
from core.forms import ReasonForm, apply_errors
from core.pagination import paginate, query_without_page

def audit_view(request, obj, detail: str = "") -> None:
    audit_log(action=AuditEvent.Action.VIEW, request=request, obj=obj, detail=detail)


def audit_list(request, object_type: str, page, form) -> None:
    """Tip and case lists are audited like their detail pages (who looked at which page, how filtered)."""
    audit_log(
        action=AuditEvent.Action.VIEW,
        request=request,
        object_type=object_type,
        detail=f"list page {page.number} ({page.paginator.count}); {form.describe()}"[:255],
    )


def list_page(request, *, template: str, form, queryset, extra=None, audit_type: str = ""):
    page = paginate(request, queryset)
    if audit_type:
        audit_list(request, audit_type, page, form)
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "today": timezone.localdate(),
            "can_change": request.user.can(Cap.ENFORCEMENT_CHANGE),
            **(extra or {}),
        },
    )


def filtered(request, form_class, select, *, dated: bool = False, **extra):
    """A list's GET filter form and its selector's QuerySet: the form's field names are the
    selector's keyword arguments, so list, export and drilldown filter alike."""
    form = form_class(request.GET or None)
    if dated:
        extra["today"] = timezone.localdate()
    return form, select(user=request.user, **form.values(), **extra)


def form_page(request, *, form, save, template: str, context=None, done, redirect_to=None):
    """GET: the form. POST: ``save(cleaned_data)`` — a service call that returns the record to go
    to. The service's refusal (a rule, a stale version) goes back onto the form, keeping what
    was typed. ``done`` is the success message, or a function of the record returning it."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.cleaned_data)
        except ConcurrentEdit as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done(obj) if callable(done) else done)
            return redirect(redirect_to or obj)
    return render(request, template, {"form": form, **(context or {})})


def without_version(data: dict) -> dict:
    """A versioned form's data without the version it carries (that goes to ``expected_version``)."""
    return {k: v for k, v in data.items() if k != "version"}


def reason_page(request, *, subject, apply, title, hint, done, back):
    """Deactivate / retire / dismiss: the confirmation page asking why, then ``apply(reason)``."""
    return form_page(
        request,
        form=ReasonForm(request.POST or None, label=_("理由"), max_length=300),
        template="enforcement/reason_form.html",
        context={"title": title, "subject": subject, "back": back, "hint": hint},
        done=done,
        save=lambda data: apply(data["reason"]) or subject,
        redirect_to=back,
    )
