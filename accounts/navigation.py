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
    # Households: clerks their township's, bureau staff their linked villages'.
    NavItem("households", _("家庭户"), "households:household_list", Cap.REGISTER_VIEW),
    # Township clerks: the couple register and its follow-up work.
    NavItem("register", _("摸底造册"), "households:register_list", Cap.COUPLE_VIEW),
    NavItem("visits", _("随访记录"), "households:visit_list", Cap.COUPLE_VIEW),
    NavItem("due", _("到期随访"), "households:due_mine", Cap.COUPLE_VIEW),
    NavItem("import", _("导入 Excel"), "households:import_upload", Cap.REGISTER_IMPORT),
    # Bureau staff: households of their work group's villages (包村联户).
    NavItem("outreach", _("大走访"), "households:outreach_households", Cap.OUTREACH_RECORD),
    # Leaders: aggregates first.
    NavItem("stats", _("统计"), "households:stats", Cap.REGISTER_STATS),
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
