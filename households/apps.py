from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = _("家庭户与摸底造册")

    @property
    def nav_items(self):
        from accounts.navigation import NavItem
        from accounts.roles import Cap

        return [
            # Households: clerks their township's. Bureau staff reach their linked villages' households
            # through 大走访, so they get one entry, not two for the same households.
            NavItem("households", _("家庭户"), "households:household_list", Cap.REGISTER_VIEW, order=10,
                    unless=Cap.OUTREACH_RECORD),
            # Township clerks: the couple register and its follow-up work.
            NavItem("register", _("摸底造册"), "households:register_list", Cap.COUPLE_VIEW, order=11),
            NavItem("visits", _("随访记录"), "households:visit_list", Cap.COUPLE_VIEW, order=12),
            NavItem("due", _("到期随访"), "households:due_mine", Cap.COUPLE_VIEW, order=13),
            NavItem("import", _("导入 Excel"), "households:import_upload", Cap.REGISTER_IMPORT, order=14),
            # Bureau staff: households of their work group's villages (包村联户).
            NavItem("outreach", _("大走访"), "households:outreach_households", Cap.OUTREACH_RECORD, order=15),
            # Leaders: aggregates.
            NavItem("stats", _("统计"), "households:stats", Cap.REGISTER_STATS, order=16),
        ]

    @property
    def indicators(self):
        # core.indicators protocol: the assessment scorecard and the weekly report read these.
        from .indicators import INDICATORS

        return INDICATORS
    def ready(self):
        from . import exports  # noqa: F401 — registers the register's exports with core.exports

    def home_panel(self, user):
        from .selectors.visits import home_widgets

        return home_widgets(user)
