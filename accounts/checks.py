"""``manage.py check --deploy``: the proxy in front of the app is one the settings trust.

Behind a reverse proxy with ``TRUSTED_PROXY_COUNT`` left at 0, every request seems to come from the
proxy's address: the audit trail records that address for everyone, and the login throttle's
per-address counter (``accounts.lockout``) counts the whole county as one visitor. Two signs:

- ``accounts.W001``: the settings themselves say a proxy terminates TLS (``SECURE_PROXY_SSL_HEADER``)
  while trusting none;
- ``accounts.W002``: requests *did* arrive with ``X-Forwarded-For`` while no proxy is trusted
  (``client_ip`` notes the last one in the cache for ``SEEN_DAYS`` days and logs a warning).
"""
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.checks import Tags, Warning, register
from django.utils import timezone

log = logging.getLogger(__name__)
SEEN_KEY = "deploy:untrusted-proxy-seen"
SEEN_DAYS = 30
_noted_at = 0.0  # per process: note at most once every ten minutes


def note_forwarded_request(request, hops_seen: int) -> None:
    """A request came with X-Forwarded-For (``hops_seen`` addresses) while no proxy is trusted."""
    global _noted_at
    if time.monotonic() - _noted_at < 600:
        return
    _noted_at = time.monotonic()
    log.warning("request from %s carries X-Forwarded-For (%d addresses) but TRUSTED_PROXY_COUNT is 0: "
                "every client seems to be the proxy (docs/operations.md)", request.META.get("REMOTE_ADDR"), hops_seen)
    cache.set(SEEN_KEY, {"at": timezone.now().isoformat(timespec="seconds"), "remote": request.META.get("REMOTE_ADDR"),
                         "hops": hops_seen}, timeout=SEEN_DAYS * 86400)


@register(Tags.security, deploy=True)
def check_trusted_proxies(app_configs, **kwargs):
    if settings.TRUSTED_PROXY_COUNT:
        return []
    found = []
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        found.append(Warning(
            "SECURE_PROXY_SSL_HEADER says a reverse proxy terminates TLS, but TRUSTED_PROXY_COUNT is 0.",
            hint="Set TRUSTED_PROXY_COUNT to the number of your own proxies in front of the app (usually 1): "
                 "otherwise the audit trail and the login throttle see the proxy's address for every user.",
            id="accounts.W001"))
    try:
        seen = cache.get(SEEN_KEY)
    except Exception:  # noqa: BLE001 - a check must not fail because the cache is away
        seen = None
    if seen:
        found.append(Warning(
            f"Requests arrived through a proxy the settings do not trust (X-Forwarded-For with {seen.get('hops')} "
            f"address(es) from {seen.get('remote')}, last at {seen.get('at')}) while TRUSTED_PROXY_COUNT is 0.",
            hint="Set TRUSTED_PROXY_COUNT to the number of your own proxies; see docs/operations.md.",
            id="accounts.W002"))
    return found
