"""View helpers every app's views share: a form page, a reason page, a filtered list page, audit rows.

A view checks the capability (``@capability_required``) and reaches its record through the app's
``get_<entity>_for_user``; what is left — show the form, call the service, put its refusal back on
the form, say what was done and go on — is one of these, so most views are about ten lines.
"""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from .access import VIEW, audit
from .forms import ReasonForm, apply_errors
from .pagination import paginate, query_without_page
from .records import ConcurrentEdit


def audit_view(request, obj, detail: str = "", **extra) -> None:
    """A look at one person's or case's record, in the audit trail (``extra``: more of
    ``audit_log``'s arguments, such as ``township_id``)."""
    audit(action=VIEW, request=request, obj=obj, detail=detail, **extra)


def audit_list(request, object_type: str, page, form) -> None:
    """A list page of sensitive records is audited like a detail page: who looked at which page,
    filtered how."""
    audit(
        action=VIEW,
        request=request,
        object_type=object_type,
        detail=f"list page {page.number} ({page.paginator.count}); {form.describe()}"[:255],
    )


def filtered(request, form_class, select, *, dated: bool = False, **extra):
    """A list's GET filter form and its selector's QuerySet: the form's field names are the
    selector's keyword arguments, so list, export and drilldown filter alike."""
    form = form_class(request.GET or None)
    if dated:
        extra["today"] = timezone.localdate()
    return form, select(user=request.user, **form.values(), **extra)


def list_page(request, *, template: str, form, queryset, extra=None, audit_type: str = ""):
    """One page of ``queryset`` with its filter form (``audit_type``: audit the page as a view)."""
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
            **(extra or {}),
        },
    )


def form_page(request, *, form, save, template: str, context=None, done, redirect_to=None):
    """GET: the form. POST: ``save(cleaned_data)`` — a service call that returns the record to go
    to. The service's refusal (a rule, a stale version) goes back onto the form, keeping what
    was typed, and nothing is written. ``done`` is the success message, or a function of the
    record returning it; ``redirect_to`` where to go instead of the record's page (or a function
    of the record returning it)."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.cleaned_data)
        except ConcurrentEdit as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done(obj) if callable(done) else done)
            return redirect(redirect_to(obj) if callable(redirect_to) else redirect_to or obj)
    return render(request, template, {"form": form, **(context or {})})


def without_version(data: dict) -> dict:
    """A versioned form's data without the version it carries (that goes to ``expected_version``)."""
    return {k: v for k, v in data.items() if k != "version"}


def reason_page(request, *, apply, template: str, done, back: str, context=None, form=None, redirect_to=None):
    """Void / deactivate / retire / dismiss: the confirmation page asking why (``form``, by default
    a plain ``ReasonForm``), then ``apply(reason)``; afterwards to ``redirect_to``, else ``back``
    (the cancel link's target, also in the page's context)."""
    return form_page(
        request,
        form=form or ReasonForm(request.POST or None),
        template=template,
        context={"back": back, **(context or {})},
        done=done,
        save=lambda data: apply(data["reason"]) or back,
        redirect_to=redirect_to or back,
    )
