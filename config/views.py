"""Small views every page relies on, outside any app's domain."""
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request):
    """``/favicon.ico``: browsers ask for it on every site whatever the page links; answer with the
    icon instead of a 404 in every log (the static URL carries the manifest hash in production)."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))
