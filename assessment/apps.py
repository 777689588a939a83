from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("镇街考核")

    @property
    def nav_items(self):
        from accounts.navigation import NavItem

        from accounts.roles import Cap

        return [
            # Everyone who may see assessment at all: leaders, clerks (own township), assessors.
            NavItem("ranking", _("考核排名"), "assessment:ranking", Cap.ASSESSMENT_VIEW, order=30),
            # Leaders and assessors: the county scorecard of live indicators.
            NavItem("scorecard", _("指标看板"), "assessment:scorecard", Cap.ASSESSMENT_COUNTY, order=31),
            # Granted assessors only (assessment.Assessor): bulk entry of a regular check.
            NavItem("checks", _("考核录入"), "assessment:check_bulk", Cap.ASSESSMENT_ENTER, order=32),
            # The Monday briefing: leaders and assessors the county, clerks their own township.
            NavItem("weekly", _("每周通报"), "assessment:weekly_list", Cap.ASSESSMENT_VIEW, order=33),
        ]

    @property
    def indicators(self):
        # core.indicators protocol: the regular checks of a period, for the scorecard and report.
        from .indicators import INDICATORS

        return INDICATORS

    def ready(self):
        from . import signals  # noqa: F401 - connects the grant cache invalidation
        from .permissions import register_assessor_grant

        register_assessor_grant()  # an active Assessor row gives its user Cap.ASSESSMENT_ENTER (accounts.roles)

    def home_panel(self, user):
        from .selectors.home import home_panel

        return home_panel(user)
