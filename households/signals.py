"""Signals other apps listen to.

``couples_changed`` is sent, inside the writing transaction, by every households service that
changes what another app derives from a couple — its register status and planned timing (a
survey), its latest visit's pregnancy status and date (a visit or its void), or the couple
itself being voided. Arguments: ``couple_ids`` (a list). The screening app keeps each couple's
stored next step (``screening.PathwayState``) with it; a receiver runs in the same transaction,
so a failure there rolls the write back rather than leaving the two apps disagreeing.
"""
from django.dispatch import Signal

couples_changed = Signal()
