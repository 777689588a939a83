"""Known devices (OWASP "device cookies"): a browser that completed a login to an account carries
a signed cookie naming that account, so that whatever an attacker does to the account's or the
address's login counters, the owner still gets in from their own phone or PC (``lockout``).

The cookie holds the username and a random nonce, signed with the project's secret: it cannot be
forged or moved to another account, and it is never a login by itself (the password, and the code
for those who use two-factor login, are asked as always). It is issued when a login completes —
past two-factor login for those who use it — and kept for ``DEVICE_COOKIE_DAYS`` days.
"""
import secrets

from django.conf import settings
from django.core import signing

from .lockout import normalise

COOKIE = "tr_device"
SALT = "accounts.devices"


def nonce_for(request, username: str) -> str:
    """The nonce of this browser's device cookie if it was issued for ``username``, else ""."""
    if request is None:
        return ""
    value = request.COOKIES.get(COOKIE, "")
    if not value or len(value) > 500:
        return ""
    try:
        data = signing.loads(value, salt=SALT, max_age=settings.DEVICE_COOKIE_DAYS * 86400)
    except signing.BadSignature:
        return ""
    if not isinstance(data, dict) or data.get("u") != normalise(username) or not isinstance(data.get("n"), str):
        return ""
    return data["n"][:32]


def remember(response, user) -> None:
    """Mark this browser as a known device of ``user`` (a completed login)."""
    value = signing.dumps({"u": normalise(user.get_username()), "n": secrets.token_hex(16)}, salt=SALT)
    response.set_cookie(COOKIE, value, max_age=settings.DEVICE_COOKIE_DAYS * 86400, httponly=True,
                        secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")
