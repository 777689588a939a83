"""Case and tip numbers: consecutive per year, never handed out twice."""

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest

from ..models import NumberSequence


def next_number(kind: str, year: int) -> int:
    """The next number of ``kind`` in ``year`` (1, 2, 3 …). Call inside the transaction that
    saves the record: the UPDATE keeps the counter row locked until that commit, so a second
    inspector's transaction waits and then gets the following number."""
    assert transaction.get_connection().in_atomic_block, "next_number must run inside the saving transaction"
    NumberSequence.objects.get_or_create(kind=kind, year=year)
    NumberSequence.objects.filter(kind=kind, year=year).update(last=F("last") + 1)
    return NumberSequence.objects.values_list("last", flat=True).get(kind=kind, year=year)


def sequence_catch_up(kind: str, year: int, last: int) -> None:
    """After rows were written with explicit numbers (demo data): make sure the counter is past them."""
    NumberSequence.objects.get_or_create(kind=kind, year=year)
    NumberSequence.objects.filter(kind=kind, year=year).update(last=Greatest(F("last"), last))
