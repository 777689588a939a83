"""Read helpers every app's selectors share."""
from django.db.models import QuerySet


def filter_given(qs: QuerySet, **lookups) -> QuerySet:
    """``qs`` filtered by the lookups that were given: a filter left empty on the list page
    (``None``, ``""``, ``0``, ``False``) is not applied, so an unset filter never narrows a list.

    ``filter_given(qs, township=township, status=status, exam_date__gte=date_from)``
    """
    given = {lookup: value for lookup, value in lookups.items() if value}
    return qs.filter(**given) if given else qs
