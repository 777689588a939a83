"""Building screenings for tests through the real services (so the pathway columns are right)."""
import datetime

from django.utils import timezone

from screening.models import ResultField
from screening.services.followups import early_follow_up_record
from screening.services.screenings import applicable_fields, result_key, results_save, risk_assess, screening_start

DAY = datetime.timedelta(days=1)


def normal_raw(field: ResultField, subject: str) -> str:
    if field.kind == ResultField.Kind.CHOICE:
        return str(field.normal_values[0])
    if field.kind == ResultField.Kind.NUMBER:
        low, high = field.range_for(subject)
        return str((low + high) / 2)
    return ""


def full_values(screening, **overrides) -> dict:
    """A value for every applicable field, normal unless ``overrides`` (``female__hb="90"``) says."""
    values = {}
    for subject, field in applicable_fields(screening):
        key = result_key(subject, field.code)
        values[key] = {"value": overrides.get(key, normal_raw(field, subject)), "flag": "", "reason": ""}
    return values


def start(couple, clinician, *, exam_date=None, consent="both", order=None):
    exam_date = exam_date or timezone.localdate()
    return screening_start(couple=couple, by=clinician, exam_date=exam_date, consent=consent, consent_on=exam_date,
                           planned_child_order=order, planned_timing="1")


def completed(couple, clinician, *, exam_date=None, **overrides):
    screening = start(couple, clinician, exam_date=exam_date)
    results_save(screening=screening, by=clinician, expected_version=screening.version,
                 values=full_values(screening, **overrides), finish=True)
    return screening


def assessed(couple, clinician, *, exam_date=None, high=False, advised=True, **overrides):
    """An assessed screening; ``high`` adds rubella IgG negative (a rule's finding) and confirms it."""
    if high:
        overrides.setdefault("female__rubella_igg", "neg")
    screening = completed(couple, clinician, exam_date=exam_date, **overrides)
    from screening.services.screenings import propose_factors

    risk_assess(screening=screening, by=clinician, expected_version=screening.version,
                factors=propose_factors(screening))
    if advised:
        from screening.models import Screening

        from screening.services.pathway_state import pathway_state_refresh

        # The letter given on the exam day (letter_print would date it today).
        Screening.objects.filter(pk=screening.pk).update(advised_on=screening.exam_date)
        pathway_state_refresh([couple.pk])
        screening.refresh_from_db()
    return screening


def pregnant(screening, clinician, *, lmp, followed_on=None):
    return early_follow_up_record(screening=screening, by=clinician, followed_on=followed_on or lmp + 50 * DAY,
                                  result="1", lmp=lmp)
