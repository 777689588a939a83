"""The register's void pages on core.pages."""
from django.utils.translation import gettext as _

from core.forms import ReasonForm
from core.pages import reason_page


def void_page(request, *, obj, void, template: str, context_name: str, done_message: str, done_url: str):
    """GET: the confirmation page asking why; POST: ``void(<context_name>=obj, by, reason, request)``.

    The service decides whether the record may be voided; its refusal goes back onto the form.
    """
    return reason_page(
        request,
        template=template,
        context={context_name: obj},
        form=ReasonForm(request.POST or None, placeholder=_("例如：重复登记、录入错误、已迁出")),
        apply=lambda reason: void(**{context_name: obj}, by=request.user, reason=reason, request=request),
        done=done_message,
        back=done_url,
    )
