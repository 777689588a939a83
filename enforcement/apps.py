from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    """“两非” enforcement: designated facilities, ultrasound devices, tips, cases, inspections."""

    name = "enforcement"
    verbose_name = _("两非执法")

    def ready(self):
        from . import exports  # noqa: F401 — registers the lists' exports with core.exports

    @property
    def nav_items(self):
        from accounts.navigation import NavItem
        from accounts.roles import Cap

        return [
            NavItem("enf-cases", _("两非案件"), "enforcement:case_list", Cap.ENFORCEMENT_VIEW, order=40),
            NavItem("enf-tips", _("举报线索"), "enforcement:tip_list", Cap.ENFORCEMENT_VIEW, order=41),
            NavItem("enf-inspections", _("执法检查"), "enforcement:inspection_list", Cap.ENFORCEMENT_VIEW, order=42),
            NavItem("enf-facilities", _("定点机构"), "enforcement:facility_list", Cap.ENFORCEMENT_VIEW, order=43),
            NavItem("enf-figures", _("两非统计"), "enforcement:figures", Cap.ENFORCEMENT_VIEW, order=44),
        ]

    @property
    def indicators(self):
        from .indicators import INDICATORS

        return INDICATORS

    def home_panel(self, user):
        from .selectors.home import home_panel

        return home_panel(user)
