from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    """免费孕前优生健康检查: catalogue, screenings and results, risk assessment, follow-ups,
    prenatal screening, the pathway queue and the programme's rates."""

    name = "screening"
    verbose_name = _("孕前优生健康检查")

    def ready(self):
        from households.api import couples_changed

        from . import exports  # noqa: F401 — registers the screening lists' exports with core.exports

        couples_changed.connect(_couples_changed, dispatch_uid="screening.pathway_state")

    @property
    def nav_items(self):
        from accounts.navigation import NavItem
        from accounts.roles import Cap

        return [
            # The pathway queue: clerks their township, clinicians the county.
            NavItem("pathway", _("服务进度"), "screening:queue", Cap.SCREENING_VIEW, order=20),
            # Clinicians: find a couple (or register a walk-in) and the screenings list.
            NavItem("screening_find", _("孕前检查"), "screening:find", Cap.SCREENING_CHANGE, order=21),
            NavItem("screening_list", _("检查记录"), "screening:screening_list", Cap.SCREENING_RESULTS, order=22),
            # Leaders and clinicians: the programme's rates against their targets.
            NavItem("screening_rates", _("孕检指标"), "screening:rates", Cap.SCREENING_RATES, order=23),
        ]

    def home_panel(self, user):
        from accounts.roles import Cap

        from .selectors.home import home_panel
        from .services.pathway_state import pathway_queue_fresh

        if user.can(Cap.SCREENING_VIEW):
            pathway_queue_fresh(user=user)  # the counts read the stored next steps: fresh for today
        return home_panel(user)

    @property
    def indicators(self):
        from .indicators import INDICATORS

        return INDICATORS


def _couples_changed(sender, couple_ids, **kwargs):
    """A households write changed these couples: their stored next step follows, same transaction."""
    from .services.pathway_state import pathway_state_refresh

    pathway_state_refresh(couple_ids)
