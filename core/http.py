"""Request helpers every app's views share."""
from django.utils.http import url_has_allowed_host_and_scheme


def safe_local_path(request, target: str | None, fallback: str) -> str:
    """``target`` when it is a path on this site, else ``fallback``.

    Only an absolute path counts: ``url_has_allowed_host_and_scheme`` accepts ``abc`` as a
    relative URL, and ``redirect("abc")`` then looks for a URL *named* abc and fails with a 500
    after the work was saved (or, at the two-factor login, before anyone could log in). Another
    host, a scheme, ``//evil`` or ``/\\evil`` fall back too.
    """
    target = target if isinstance(target, str) else ""
    if (target.startswith("/") and not target.startswith(("//", "/\\"))
            and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure())):
        return target
    return fallback


def safe_next_url(request, fallback: str) -> str:
    """The ``next`` the request names (POST first, then GET) when it is a path on this site, else
    ``fallback`` (see ``safe_local_path``)."""
    return safe_local_path(request, request.POST.get("next") or request.GET.get("next"), fallback)
