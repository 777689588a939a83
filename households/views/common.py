"""View pieces shared by the register's views modules."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.forms import ReasonForm, apply_errors


def void_page(request, *, obj, void, template: str, context_name: str, done_message: str, done_url: str):
    """GET: the confirmation page asking why; POST: ``void(<context_name>=obj, by, reason, request)``.

    The service decides whether the record may be voided; its refusal goes back onto the form.
    """
    form = ReasonForm(request.POST or None, placeholder=_("例如：重复登记、录入错误、已迁出"))
    if request.method == "POST" and form.is_valid():
        try:
            void(**{context_name: obj}, by=request.user, reason=form.cleaned_data["reason"], request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done_message)
            return redirect(done_url)
    return render(request, template, {context_name: obj, "form": form})
