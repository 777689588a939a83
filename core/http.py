"""Request and response helpers every app's views share."""
from django.http import HttpResponse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(file_name: str, content: bytes) -> HttpResponse:
    """An .xlsx download: ``file_name`` as the attachment's name (any script, RFC 6266), never cached."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=file_name)
    response["Cache-Control"] = "no-store"  # personal data: not for shared caches or the back button
    return response


def safe_next_url(request, fallback: str) -> str:
    """The ``next`` the request names (POST first, then GET) when it is a path on this site, else
    ``fallback``.

    Only an absolute path counts: ``url_has_allowed_host_and_scheme`` accepts ``abc`` as a
    relative URL, and ``redirect("abc")`` then looks for a URL *named* abc and fails with a 500
    after the work was saved. Another host, a scheme, ``//evil`` or ``/\\evil`` fall back too.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (target.startswith("/") and not target.startswith(("//", "/\\"))
            and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure())):
        return target
    return fallback
