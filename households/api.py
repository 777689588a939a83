"""The households app's public API: the only module another app imports from ``households``.

Other apps (screening, assessment) build on the register: they point foreign keys at its
couples and visits, search its people, register a walk-in couple through its services and
listen to its ``couples_changed`` signal. Everything they need is named here; the rest of the
app (models' internals, private helpers, views, forms) may change without telling them.
``make test`` checks the rule (import-linter, ``[tool.importlinter]`` in pyproject.toml).

Names:

- models, for foreign keys, type hints and joins: ``Couple``, ``FollowUpVisit``, ``Household``,
  ``Person``;
- reads: ``couples_county`` (every couple, joined; the caller applies its own scoping rule
  before showing a row), ``latest_survey_date``, ``couple_visit_history``,
  ``outreach_by_work_group``;
- the search rules: ``person_match``, ``phone_match``, ``is_phone_term``, ``search_term``;
- writes (services, each ``@transaction.atomic`` and audited): ``household_register``,
  ``person_add``, ``couple_create``, ``survey_record``, ``visit_record``;
- the signal ``couples_changed`` (sent inside every write that changes what another app derives
  from a couple).
"""
from .models import Couple, FollowUpVisit, Household, Person
from .selectors.register import (couples_county, is_phone_term, latest_survey_date, person_match, phone_match,
                                 search_term)
from .selectors.visits import couple_visit_history, outreach_by_work_group
from .services.register import couple_create, household_register, person_add, survey_record
from .services.visits import visit_record
from .signals import couples_changed

__all__ = [
    "Couple", "FollowUpVisit", "Household", "Person",
    "couples_county", "latest_survey_date", "couple_visit_history", "outreach_by_work_group",
    "person_match", "phone_match", "is_phone_term", "search_term",
    "household_register", "person_add", "couple_create", "survey_record", "visit_record",
    "couples_changed",
]
