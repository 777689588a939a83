from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .models import AuditEvent
from .permissions import CapabilityDenied, OutOfScope
from .services import audit_log


class CookieLocaleMiddleware:
    """Chinese unless the user chose English with the language switch.

    Django's LocaleMiddleware would also follow the browser's Accept-Language; a bureau PC with
    an English browser should still get the Chinese interface its staff work in.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch_vary_headers(response, ("Cookie",))
        return response


class AuditDeniedMiddleware:
    """Writes refused access (403, and 404 for records outside the user's scope) to the trail.

    ``process_exception`` runs after the view's atomic blocks have unwound, so the audit row is
    not rolled back with whatever the view was doing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OutOfScope):
            audit_log(
                action=AuditEvent.Action.DENIED, request=request, success=False,
                object_type=exception.object_type, object_id=exception.object_id,
                detail=f"404 {request.method} {request.path}",
            )
        elif isinstance(exception, PermissionDenied):
            detail = f"403 {request.method} {request.path}"
            if isinstance(exception, CapabilityDenied):
                audit_log(
                    action=AuditEvent.Action.DENIED, request=request, success=False,
                    object_type=exception.object_type, object_id=exception.object_id,
                    detail=f"{detail} ({exception.capability})",
                )
            else:
                audit_log(action=AuditEvent.Action.DENIED, request=request, success=False, detail=detail)
        return None
