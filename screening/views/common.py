"""Screening's void page on core.pages: a screening or a follow-up, voided with a reason."""
from django.utils.translation import gettext as _

from core.forms import ReasonForm
from core.pages import reason_page


def void_page(request, *, screening, what: str, apply, done: str, redirect_to=None):
    """The confirmation page for voiding ``what`` (of ``screening``), then ``apply(reason)``."""
    back = screening.get_absolute_url()
    return reason_page(
        request,
        template="screening/void.html",
        context={"screening": screening, "what": what},
        form=ReasonForm(request.POST or None, label=_("作废原因"), placeholder=_("例如：录入错误、重复登记")),
        apply=apply,
        done=done,
        back=back,
        redirect_to=redirect_to,
    )
