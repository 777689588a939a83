"""Pieces every enforcement model shares: who sees the records, and the per-year number counter."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from accounts.scoping import Scope, ScopedQuerySet


class EnforcementQuerySet(ScopedQuerySet):
    """Enforcement is county-wide work (docs/domain.md, "Roles and what they may see"): inspectors and leaders see every
    township's facilities, tips and cases; every other role sees nothing (and gets 403 first,
    from ``Cap.ENFORCEMENT_VIEW``)."""

    township_path = "township"
    scopes = {Role.INSPECTOR: Scope.ALL, Role.LEADER: Scope.ALL}


class NumberSequence(models.Model):
    """The last number handed out per kind (case, tip) and year.

    ``services.numbers.next_number`` increments the row under a lock, so two inspectors opening
    cases at the same moment get consecutive numbers, never the same one.
    """

    kind = models.CharField(_("类别"), max_length=10)
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用到"), default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="enforcement_sequence_unique")]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.last}"
