from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("人员与机构")

    def ready(self):
        from . import signals  # noqa: F401  (login / login_failed go to the audit trail)
