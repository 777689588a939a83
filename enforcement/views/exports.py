"""The enforcement lists' export URLs: enforcement/exports.py registers the exports with
core.exports, whose ``export_start`` answers (the file when small, a background job when large)."""
from django.views.decorators.http import require_GET

from accounts.permissions import capability_required
from accounts.roles import Cap
from core.views import export_start


@require_GET
@capability_required(Cap.ENFORCEMENT_VIEW)
def export(request, kind: str):
    return export_start(request, f"enforcement.{kind}")
