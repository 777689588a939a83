"""Who reaches screening's records, stated once: clinicians serve the whole county, a township's
clerks follow their own couples' pathway. Leaders reach screenings only through the masked rate
lists (``selectors.rates``), never through this rule.

``SCREENING`` scopes the app's own records (``Screening.objects.visible_to(user)``), the
households app's couples as screening reaches them (``couples_county().visible_to(user,
rule=SCREENING)``), the township a search is limited to and the queue a user has
(``SCREENING.reach(user)``): accounts/scoping.py.
"""
from accounts.roles import Role
from accounts.scoping import Scope, ScopeRule

SCREENING = ScopeRule({Role.CLINICIAN: Scope.ALL, Role.CLERK: Scope.TOWNSHIP})


def serves_county(user) -> bool:
    """Whether the user reaches every township (and so may choose one in a filter)."""
    return SCREENING.scope_for(user) is Scope.ALL


def search_township(user) -> int | None:
    """The township a user's couple search is limited to (None: the county)."""
    return SCREENING.reach(user)[1]


def queue_township(user, township=None) -> tuple[bool, int | None]:
    """Whether the user has a pathway queue, and the township it is limited to (None: the
    county): a clerk's own township; a clinician's county, or the township chosen."""
    allowed, township_id = SCREENING.reach(user)
    if allowed and township_id is None and township is not None:
        township_id = township.pk
    return allowed, township_id
