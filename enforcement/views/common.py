"""Enforcement's use of core.pages: its lists offer changes to whoever may make them, its reason
pages (deactivate, retire, dismiss) share one template and ask for a 理由."""
from django.utils.translation import gettext as _

from accounts.roles import Cap
from core import pages
from core.forms import ReasonForm


def list_page(request, *, extra=None, **kwargs):
    extra = {"can_change": request.user.can(Cap.ENFORCEMENT_CHANGE), **(extra or {})}
    return pages.list_page(request, extra=extra, **kwargs)


def reason_page(request, *, subject, title, hint, **kwargs):
    return pages.reason_page(
        request,
        template="enforcement/reason_form.html",
        context={"title": title, "subject": subject, "hint": hint},
        form=ReasonForm(request.POST or None, label=_("理由"), max_length=300),
        **kwargs,
    )
