"""Two-factor login: a TOTP app (django-otp) and one-time recovery codes.

Setting it up needs a one-time **enrolment code** the admin issues (``issue_enrolment_code``: shown
once, expires after ``TWO_FACTOR_ENROLMENT_HOURS``, works once, audited): whoever has a leader's
password before the leader enrols cannot register their own phone. Re-enrolment is the admin's
reset, which issues a new code and tells the user at their next login (``reset_notices``).

Required for the roles in ``TWO_FACTOR_REQUIRED_ROLES`` (leaders, auditors and admins in
production: they see county-wide aggregates, the audit trail and every account); optional for
everyone else. The QR code is drawn here (segno, inline SVG): the secret never leaves the server
for a chart service, and bureau intranets are offline anyway.
"""
import base64
import datetime
import hashlib
import secrets

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import mark_safe
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def required_for(user) -> bool:
    return getattr(user, "role", None) in settings.TWO_FACTOR_REQUIRED_ROLES


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed TOTP device being set up (one per user; reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=TOTP_NAME).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in by hand."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG (no style attributes: the CSP allows no inline style)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, light="#fff", dark="#000",
                                                              title="TOTP QR code")
    # Accepted (bandit B308/B703): segno's own SVG markup of our own otpauth:// URL, no user input in it.
    return mark_safe(svg)  # nosec B308 B703


@transaction.atomic
def confirm(device: TOTPDevice, token: str, enrolment=None) -> list[str] | None:
    """Check the first code from the app; on success keep the device and issue recovery codes.

    Any earlier confirmed TOTP device of the user is removed: one phone at a time. ``enrolment``,
    the admin's code this setup was opened with, is used up.
    Returns the recovery codes (shown once), or None if the code was wrong.
    """
    if not device.verify_token(token):
        return None
    if enrolment is not None:
        enrolment.used_at = timezone.now()
        enrolment.save(update_fields=["used_at"])
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return issue_recovery_codes(device.user)


@transaction.atomic
def issue_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with ``RECOVERY_CODES`` new ones; each works once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_NAME).count()


def verify(user, token: str):
    """The device (TOTP or recovery) that accepts ``token``, or None. A recovery code is used up."""
    token = "".join((token or "").split())
    if not token or len(token) > 16:
        return None
    return match_token(user, token)


@transaction.atomic
def disable(user) -> None:
    """Remove the user's devices and end all their sessions (SecondFactorMiddleware trusts a
    session's mark only because no mark outlives its device)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.rotate_session_token()
    user.save(update_fields=["session_token"])


# --- Enrolment codes ------------------------------------------------------------------------------
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud or typed from paper


def _code_hash(code: str) -> str:
    normal = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


@transaction.atomic
def issue_enrolment_code(*, user, by, reset: bool = False) -> tuple[str, object]:
    """A new one-time enrolment code for ``user`` (earlier unused ones stop working). With
    ``reset``, the user's devices are removed first and their sessions end (re-enrolment).
    Returns the code (to show once) and its record. The caller audits."""
    from .models import EnrolmentCode

    if reset:
        disable(user)
    now = timezone.now()
    EnrolmentCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    code = "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(3))
    record = EnrolmentCode.objects.create(
        user=user, code_hash=_code_hash(code), issued_by=by, issued_at=now, reset=reset,
        expires_at=now + datetime.timedelta(hours=settings.TWO_FACTOR_ENROLMENT_HOURS))
    return code, record


def valid_enrolment_code(user, code: str):
    """The user's unused, unexpired code that ``code`` is, or None."""
    from .models import EnrolmentCode

    if not code or len(code) > 40:
        return None
    return EnrolmentCode.objects.filter(user=user, code_hash=_code_hash(code), used_at__isnull=True,
                                        expires_at__gt=timezone.now()).first()


def usable_enrolment_code(user, pk):
    """The code accepted earlier in this session (its id), if it is still unused and unexpired."""
    from .models import EnrolmentCode

    return EnrolmentCode.objects.filter(user=user, pk=pk, used_at__isnull=True,
                                        expires_at__gt=timezone.now()).first() if isinstance(pk, int) else None


def reset_notices(user) -> list:
    """Resets of the user's two-factor login not yet told to them; marked told."""
    from .models import EnrolmentCode

    notices = list(EnrolmentCode.objects.filter(user=user, reset=True, notified_at__isnull=True)
                   .select_related("issued_by").order_by("issued_at"))
    if notices:
        EnrolmentCode.objects.filter(pk__in=[n.pk for n in notices]).update(notified_at=timezone.now())
    return notices
