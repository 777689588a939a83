from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("人员与机构")

    def home_panel(self, user):
        """The auditor's and the admin's way in from the home page (accounts/navigation.py)."""
        from .roles import Cap

        audit, admin = user.can(Cap.AUDIT_VIEW), user.can(Cap.ADMIN_SITE)
        return {"accounts_audit": audit, "accounts_admin": admin} if audit or admin else None

    def ready(self):
        from django.db.models.signals import post_migrate

        from core import access

        from . import signals  # noqa: F401  (login / login_failed go to the audit trail)
        from .db_roles import grant_after_migrate
        from .permissions import require_capability
        from .services import audit_log

        # core (the layer below) audits exports and voids and checks export capabilities through these.
        access.install(audit=audit_log, require_capability=require_capability)

        # After every migrate, the app's database role gets exactly its privileges (db_roles).
        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="accounts.grant_app_role")
