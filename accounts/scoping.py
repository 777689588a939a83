"""Which records a user may see: one rule per entity, written once, used by every list and helper.

Entities that belong to a township subclass ``ScopedQuerySet`` and state the ORM path to the
township (and, for bureau staff, to the village), plus which roles see what:

    class HouseholdQuerySet(ScopedQuerySet):
        township_path = "township"
        village_path = "village"
        scopes = {Role.CLERK: Scope.TOWNSHIP, Role.BUREAU_STAFF: Scope.LINKED_VILLAGES}

A role missing from ``scopes`` sees nothing. ``Scope.ALL`` is for county-wide roles (inspectors
over facilities, say), never for the admin over personal records.

``scopes`` is the entity's own rule. Another app that reaches the entity for a purpose of its own
states that purpose's rule once, as a ``ScopeRule``, and passes it: screening reaches households'
couples by "clinicians see the county, clerks their township" (``screening/scoping.py``):

    SCREENING = ScopeRule({Role.CLINICIAN: Scope.ALL, Role.CLERK: Scope.TOWNSHIP})
    Couple.objects.visible_to(user, rule=SCREENING)     # the same rule its own Screening uses

A queryset whose entity shares such a rule names it (``rule = SCREENING`` instead of ``scopes``).
Where a grant rather than the role decides, the rule lists capabilities first
(``ScopeRule({}, by_capability=((Cap.ASSESSMENT_COUNTY, Scope.ALL), ...))``, assessment/scoping.py).
The rule also answers, for pages that limit a search or a queue by township, which township a
user is held to (``ScopeRule.reach``).
"""
import enum
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import models


class Scope(enum.Enum):
    NONE = "none"
    TOWNSHIP = "township"  # the user's own township
    LINKED_VILLAGES = "linked_villages"  # villages linked to the user's work group (包村联户)
    ALL = "all"  # county-wide


def linked_village_ids(user):
    """Ids of villages linked to the user's work groups (households.WorkGroup, 包村联户).

    A subquery, so scoped lists stay one query. The lookup names the reverse relation that
    households.WorkGroup declares (``villages`` related_name ``work_groups``).
    """
    from .models import Village

    return Village.objects.filter(work_groups__members=user, work_groups__is_active=True).values("id")


@dataclass(frozen=True)
class ScopeRule:
    """Who sees what, for one purpose: role -> ``Scope``, or — where a grant, not the role alone,
    decides — (capability, ``Scope``) pairs, the first the user holds winning
    (``by_capability``, asked before the roles). A user matching neither sees nothing."""

    scopes: Mapping[str, Scope]
    by_capability: tuple[tuple[str, Scope], ...] = ()

    def scope_for(self, user) -> Scope:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return Scope.NONE
        for capability, scope in self.by_capability:
            if user.can(capability):
                return scope
        return self.scopes.get(user.role, Scope.NONE)

    def reach(self, user) -> tuple[bool, int | None]:
        """Whether the user reaches anything by this rule, and the township they are held to
        (None: no township limit — the county, or linked villages that the queryset filters)."""
        scope = self.scope_for(user)
        if scope is Scope.TOWNSHIP:
            return (True, user.township_id) if user.township_id else (False, None)
        return scope is not Scope.NONE, None

    def apply(self, queryset, user, *, township_path: str = "township", village_path: str | None = None):
        """``queryset`` limited to what ``user`` sees by this rule."""
        scope = self.scope_for(user)
        if scope is Scope.ALL:
            return queryset.all()
        if scope is Scope.TOWNSHIP and user.township_id:
            return queryset.filter(**{township_path: user.township_id})
        if scope is Scope.LINKED_VILLAGES and village_path:
            return queryset.filter(**{f"{village_path}__in": linked_village_ids(user)})
        return queryset.none()


class ScopedQuerySet(models.QuerySet):
    township_path: str = "township"
    village_path: str | None = None
    scopes: dict[str, Scope] = {}  # the entity's own rule (``rule`` instead when it is shared)
    rule: ScopeRule | None = None

    def own_rule(self) -> ScopeRule:
        return self.rule or ScopeRule(self.scopes)

    def scope_for(self, user, rule: ScopeRule | None = None) -> Scope:
        return (rule or self.own_rule()).scope_for(user)

    def visible_to(self, user, rule: ScopeRule | None = None):
        """The records ``user`` sees: by the entity's own rule, or by ``rule`` (another purpose's)."""
        return (rule or self.own_rule()).apply(self, user, township_path=self.township_path,
                                               village_path=self.village_path)
