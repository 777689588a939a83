"""The navigation bar: one list, each entry shown only to roles with its capability."""
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import Cap


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    capability: str | None  # None: every logged-in user


NAV_ITEMS: list[NavItem] = [
    NavItem("home", _("工作台"), "home", None),
    NavItem("audit", _("审计日志"), "accounts:audit", Cap.AUDIT_VIEW),
    NavItem("admin", _("系统管理"), "admin:index", Cap.ADMIN_SITE),
]


def items_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    return [
        {"key": item.key, "label": item.label, "url": reverse(item.url_name)}
        for item in NAV_ITEMS
        if item.capability is None or user.can(item.capability)
    ]
