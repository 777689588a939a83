from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("镇街考核")

    @property
    def nav_items(self):
        from accounts.navigation import NavItem

        from .permissions import can_view_assessment, is_assessor, sees_county

        return [
            # Everyone who may see assessment at all: leaders, clerks (own township), assessors.
            NavItem("ranking", _("考核排名"), "assessment:ranking", None, order=30, visible=can_view_assessment),
            # Leaders and assessors: the county scorecard of live indicators.
            NavItem("scorecard", _("指标看板"), "assessment:scorecard", None, order=31, visible=sees_county),
            # Granted assessors only (assessment.Assessor): bulk entry of a regular check.
            NavItem("checks", _("考核录入"), "assessment:check_bulk", None, order=32, visible=is_assessor),
            # The Monday briefing: leaders and assessors the county, clerks their own township.
            NavItem("weekly", _("每周通报"), "assessment:weekly_list", None, order=33, visible=can_view_assessment),
            # Rectifications (整改): leaders and assessors the county, clerks their own township's.
            NavItem("rectifications", _("整改任务"), "assessment:rectification_list", None, order=34,
                    visible=can_view_assessment),
        ]

    @property
    def indicators(self):
        # core.indicators protocol: the regular checks of a period, for the scorecard and report.
        from .indicators import INDICATORS

        return INDICATORS

    def ready(self):
        from . import signals  # noqa: F401 - connects the grant cache invalidation

    def home_panel(self, user):
        from .selectors.home import home_panel

        return home_panel(user)
