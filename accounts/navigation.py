"""The navigation bar and the home page's panels: each app contributes its own.

An app declares, on its ``AppConfig``:

- ``nav_items``: a list of ``NavItem`` — shown to users whose role has the capability;
- ``home_panel(user) -> dict | None``: context for ``templates/<app>/_home_widgets.html`` (the
  template named by ``home_template``), or None when the app has nothing for this user.

So a new app (screening, enforcement, assessment) adds menu entries and home widgets without
editing ``accounts``. Entries are sorted by ``order`` (then by app order in PROJECT_APPS).
"""
import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from .roles import Cap


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    capability: str | None  # None: every logged-in user
    order: int = 50  # 0 home … 100 the auditor's and admin's tools
    # Optional per-user test on top of the capability, for entries a role alone cannot decide
    # (assessment's entry form is for users the admin granted it to, not for every leader).
    visible: Callable | None = None
    # Hidden from users who also have this capability: another entry serves them the same records
    # (bureau staff reach their households through 大走访, so 家庭户 would be a second way in).
    unless: str | None = None

    def shown_to(self, user) -> bool:
        if self.capability is not None and not user.can(self.capability):
            return False
        if self.visible is not None and not self.visible(user):
            return False
        return self.unless is None or not user.can(self.unless)


# accounts' own entries; every other app lists its entries on its AppConfig.
NAV_ITEMS: list[NavItem] = [
    NavItem("home", _("工作台"), "home", None, order=0),
    NavItem("audit", _("审计日志"), "accounts:audit", Cap.AUDIT_VIEW, order=100),
    NavItem("admin", _("系统管理"), "admin:index", Cap.ADMIN_SITE, order=101),
]


def _project_app_configs():
    return [apps.get_app_config(label) for label in settings.PROJECT_APPS]


def all_nav_items() -> list[NavItem]:
    items = list(NAV_ITEMS)
    for config in _project_app_configs():
        if config.label != "accounts":
            items += list(getattr(config, "nav_items", ()))
    return sorted(items, key=lambda item: item.order)  # stable: app order breaks ties


@functools.lru_cache(maxsize=256)
def _url(url_name: str, script_prefix: str, urlconf) -> str:
    return reverse(url_name, urlconf=urlconf)


def items_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    # The entries' URLs take no arguments: reversed once per process (and script prefix).
    prefix, urlconf = get_script_prefix(), get_urlconf(settings.ROOT_URLCONF)
    return [
        {"key": item.key, "label": item.label, "url": _url(item.url_name, prefix, urlconf)}
        for item in all_nav_items()
        if item.shown_to(user)
    ]


def home_panels(user) -> tuple[list[str], dict]:
    """The templates of the apps that have something for ``user`` on the home page, and their
    merged context (each app prefixes its keys with its own name)."""
    templates, context = [], {}
    for config in _project_app_configs():
        panel = getattr(config, "home_panel", None)
        data = panel(user) if panel is not None else None
        if data is not None:
            templates.append(getattr(config, "home_template", f"{config.label}/_home_widgets.html"))
            context.update(data)
    return templates, context
