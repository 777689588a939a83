"""Writes of the publicity-site register (人口文化宣传阵地) and its photos.

A site built (status done) in a year counts under that year's regular work, so a change that
moves a site into or out of a year recomputes that year, and is refused when the year is closed.
"""
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent
from accounts.services import audit_log

from ..models import PublicityPhoto, PublicitySite
from ..permissions import require_assessor
from .scoring import _recompute, lock_year

SITE_FIELDS = ("township", "name", "kind", "location", "status", "completion_date", "notes")


def _scored_year(status, completion_date) -> int | None:
    """The year whose regular work a site counts in, if any."""
    return completion_date.year if status == PublicitySite.Status.DONE and completion_date else None


@transaction.atomic
def site_save(*, by, site: PublicitySite | None = None, request=None, **values) -> PublicitySite:
    """Create a site (``site`` None) or change one; recompute the years it counts in."""
    require_assessor(by)
    if values.get("status") == PublicitySite.Status.DONE and not values.get("completion_date"):
        raise ValidationError({"completion_date": _("已建成的阵地须填写建成日期。")})
    if values.get("completion_date") and values["completion_date"] > timezone.localdate():
        raise ValidationError({"completion_date": _("建成日期不能晚于今天。")})
    before = None
    if site is not None:
        site = PublicitySite.objects.select_for_update().get(pk=site.pk)
        before = _scored_year(site.status, site.completion_date)
    after = _scored_year(values.get("status"), values.get("completion_date"))
    years = sorted({y for y in (before, after) if y is not None})
    moved = site is not None and site.township_id != values["township"].pk
    changes_score = before != after or (before is not None and moved)
    closed = set()
    for year in years:  # always in year order: two saves locking two years cannot deadlock
        if lock_year(year).is_closed:
            closed.add(year)
        if year in closed and changes_score:
            raise ValidationError({"completion_date": _(
                "%(year)s 年度考核已关闭，不能再新增或变更计入该年度的已建成阵地。") % {"year": year}})
    created = site is None
    site = site or PublicitySite(created_by=by)
    for name in SITE_FIELDS:
        setattr(site, name, values[name])
    site.save()
    for year in years:
        if year not in closed:
            _recompute(year)
    audit_log(action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, request=request,
              user=by, obj=site, detail=f"{site.name} {site.status}")
    return site


@transaction.atomic
def photo_add(*, site: PublicitySite, by, content: bytes, extension: str, width: int, height: int,
              caption: str = "", original_sha256: str = "", request=None) -> PublicityPhoto:
    """Store a photo already checked and re-encoded (``forms.PhotoForm``, ``core.images``) in the
    default storage; the audit row keeps the SHA-256 of the file as uploaded."""
    require_assessor(by)
    photo = PublicityPhoto(site=site, token=secrets.token_hex(16), extension=extension, caption=caption,
                           width=width, height=height, uploaded_by=by)
    photo.image.save(f"{photo.token}.{extension}", ContentFile(content), save=False)
    photo.save()
    audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=photo,
              township_id=site.township_id,
              detail=f"photo of site {site.pk}" + (f" (uploaded sha256 {original_sha256})" if original_sha256 else ""))
    return photo
