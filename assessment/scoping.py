"""Who sees which township's assessment, stated once (accounts/scoping.py ``ScopeRule``):

- ``Cap.ASSESSMENT_COUNTY`` — leaders by role, assessors by their grant — every township;
- ``Cap.ASSESSMENT_VIEW`` alone (a township's clerk) their own township.

The querysets (``models.AssessmentQuerySet``) and the access helpers (``permissions``) both read
it; neither imports the other.
"""
from accounts.roles import Cap
from accounts.scoping import Scope, ScopeRule

ASSESSMENT = ScopeRule({}, by_capability=((Cap.ASSESSMENT_COUNTY, Scope.ALL), (Cap.ASSESSMENT_VIEW, Scope.TOWNSHIP)))


def township_filter(user, path: str = "township") -> dict:
    """ORM filter of the townships ``user`` sees: nothing, their own, or all ({})."""
    scope = ASSESSMENT.scope_for(user)
    if scope is Scope.ALL:
        return {}
    if scope is Scope.TOWNSHIP and user.township_id:
        return {f"{path}_id": user.township_id}
    return {"pk__in": []}
