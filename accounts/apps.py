from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("人员与机构")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401  (login / login_failed go to the audit trail)
        from .db_roles import grant_after_migrate

        # After every migrate, the app's database role gets exactly its privileges (db_roles).
        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="accounts.grant_app_role")
