"""The enforcement panel on the home page: what needs doing today, a few aggregate queries."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Cap

from ..models import Case, Facility, Tip, UltrasoundDevice
from ..models.cases import TERMINAL


def home_panel(user) -> dict | None:
    if not user.can(Cap.ENFORCEMENT_VIEW):
        return None
    if not user.can(Cap.ENFORCEMENT_CHANGE):
        # Leaders read figures, not the inspectors' to-do counts: links only, no queries.
        return {"enforcement_panel": {"items": [], "can_change": False}}
    today = timezone.localdate()
    cases = Case.objects.visible_to(user).aggregate(
        open=Count("id", filter=~Q(status__in=TERMINAL)),
        overdue=Count("id", filter=Q(stage_due_on__lt=today) & ~Q(status__in=TERMINAL)),
    )
    tips = {
        "pending": Tip.objects.visible_to(user).filter(status="pending").count(),
        "overdue": Tip.objects.visible_to(user).overdue(today).count(),
    }
    facilities = {
        "expiring": Facility.objects.visible_to(user).licence_expiring(today).count(),
        "expired": Facility.objects.visible_to(user).licence_expired(today).count(),
    }
    flagged = UltrasoundDevice.objects.visible_to(user).flagged().count()
    base = reverse("enforcement:case_list")
    items = [
        ("cases-overdue", _("逾期案件"), cases["overdue"], f"{base}?overdue=1", "danger"),
        ("cases-open", _("在办案件"), cases["open"], base, "primary"),
        (
            "tips-pending",
            _("待处理举报"),
            tips["pending"],
            reverse("enforcement:tip_list") + "?status=pending",
            "warning",
        ),
        (
            "tips-overdue",
            _("逾期未处理举报"),
            tips["overdue"],
            reverse("enforcement:tip_list") + "?overdue=1",
            "danger",
        ),
        (
            "licence-expiring",
            _("许可证即将到期"),
            facilities["expiring"],
            reverse("enforcement:facility_list") + "?licence=expiring",
            "warning",
        ),
        (
            "licence-expired",
            _("许可证已过期"),
            facilities["expired"],
            reverse("enforcement:facility_list") + "?licence=expired",
            "danger",
        ),
        (
            "devices-flagged",
            _("无B超定点资质的设备"),
            flagged,
            reverse("enforcement:device_list") + "?flagged=1",
            "danger",
        ),
    ]
    return {
        "enforcement_panel": {
            "items": [
                {"key": k, "label": label, "count": n, "url": url, "tone": tone} for k, label, n, url, tone in items
            ],
            "can_change": user.can(Cap.ENFORCEMENT_CHANGE),
        }
    }
