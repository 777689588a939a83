"""Which records a user may see: one rule per entity, written once, used by every list and helper.

Entities that belong to a township subclass ``ScopedQuerySet`` and state the ORM path to the
township (and, for bureau staff, to the village), plus which roles see what:

    class HouseholdQuerySet(ScopedQuerySet):
        township_path = "township"
        village_path = "village"
        scopes = {Role.CLERK: Scope.TOWNSHIP, Role.BUREAU_STAFF: Scope.LINKED_VILLAGES}

A role missing from ``scopes`` sees nothing. ``Scope.ALL`` is for county-wide roles (inspectors
over facilities, say), never for the admin over personal records.
"""
import enum

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


class ScopedQuerySet(models.QuerySet):
    township_path: str = "township"
    village_path: str | None = None
    scopes: dict[str, Scope] = {}

    def scope_for(self, user) -> Scope:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return Scope.NONE
        return self.scopes.get(user.role, Scope.NONE)

    def visible_to(self, user):
        scope = self.scope_for(user)
        if scope is Scope.ALL:
            return self.all()
        if scope is Scope.TOWNSHIP and user.township_id:
            return self.filter(**{self.township_path: user.township_id})
        if scope is Scope.LINKED_VILLAGES and self.village_path:
            return self.filter(**{f"{self.village_path}__in": linked_village_ids(user)})
        return self.none()

