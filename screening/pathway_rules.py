"""The pathway rule: each couple's next step and its due date, as one SQL expression.

``pathway_steps(today)`` annotates the county's active couples with ``step``, ``due_on``,
``high_risk`` and the current screening's columns. Two modules use it: the selectors
(``selectors.queue``: a couple's own pathway page asks the rule directly) and the service that
stores each couple's answer (``services.pathway_state``, which the queue reads). Neither imports
the other: a selector does not write, and a service does not borrow a selector's helpers.
"""
import datetime
import zoneinfo

from django.conf import settings
from django.db.models import (
    BooleanField, Case, CharField, DateField, ExpressionWrapper, F, FilteredRelation, Q, Value, When,
)
from django.db.models.functions import Cast, TruncDate

from households.api import couples_county, latest_survey_date

from .models import EarlyResult, OutcomeResult, RiskLevel, Screening, Step

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
GESTATION_DAYS = 280  # expected delivery date = LMP + 280 days


def plus_days(expression, days: int):
    """date + n days, as a date (PostgreSQL: date + interval is a timestamp)."""
    return Cast(ExpressionWrapper(expression + datetime.timedelta(days=days), output_field=DateField()),
                DateField())


def pathway_steps(today: datetime.date):
    """Active couples annotated with ``step``, ``due_on``, ``high_risk`` and the current
    screening's columns (``cur_*``); couples with nothing to do have ``step`` NULL."""
    w = settings.SCREENING_WINDOWS
    t = Value(today, output_field=DateField())
    lmp = F("cur__pregnancy_lmp")
    # The couple's visits found her pregnant (or delivered) after the exam: the pregnancy is known
    # to the township although no early follow-up recorded it yet.
    visit_found_pregnancy = Q(pregnancy_status__in=["pregnant", "delivered", "terminated"],
                              last_visit_date__gte=F("cur__exam_date"))
    step = Case(
        When(cur__id__isnull=True, then=Case(
            When(in_register=True, planned_timing="1", then=Value(Step.SCREEN)), default=Value(None))),
        When(cur__status=Screening.Status.DRAFT, then=Value(Step.COMPLETE)),
        When(cur__status=Screening.Status.COMPLETE, then=Value(Step.ASSESS)),
        When(cur__risk_level=RiskLevel.HIGH, cur__advised_on__isnull=True, then=Value(Step.ADVISE)),
        When(cur__outcome_result__in=[OutcomeResult.DELIVERED, OutcomeResult.LOST], then=Value(None)),
        When(cur__early_result=EarlyResult.LOST, then=Value(None)),
        When(cur__pregnancy_lmp__isnull=False, then=Case(
            When(cur__prenatal_high_since__isnull=False, then=Value(Step.DIAGNOSIS)),
            When(Q(cur__prenatal_done=False) & Q(cur__pregnancy_lmp__gte=plus_days(t, -w["serum_to"])),
                 then=Value(Step.PRENATAL)),
            default=Value(Step.OUTCOME))),
        When(visit_found_pregnancy, then=Value(Step.EARLY)),
        When(cur__exam_date__lt=plus_days(t, -w["early_close"]), then=Value(None)),
        default=Value(Step.EARLY),
        output_field=CharField(),
    )
    # The due date mirrors the step's conditions branch by branch instead of naming ``step``:
    # Django inlines an annotation wherever it is used, and a CASE repeated inside every branch
    # (and again in ``overdue`` and the ORDER BY) cost more than the rest of the query.
    pregnant = Q(cur__pregnancy_lmp__isnull=False)
    due = Case(
        When(Q(cur__id__isnull=True, in_register=True, planned_timing="1"),
             then=plus_days(F("survey_on"), w["invite"])),
        When(cur__id__isnull=True, then=Value(None)),
        When(cur__status__in=[Screening.Status.DRAFT, Screening.Status.COMPLETE],
             then=plus_days(F("cur__exam_date"), w["complete"])),
        When(cur__risk_level=RiskLevel.HIGH, cur__advised_on__isnull=True,
             then=plus_days(TruncDate("cur__assessed_at", tzinfo=SHANGHAI), w["advice"])),
        When(cur__outcome_result__in=[OutcomeResult.DELIVERED, OutcomeResult.LOST], then=Value(None)),
        When(cur__early_result=EarlyResult.LOST, then=Value(None)),
        When(pregnant & Q(cur__prenatal_high_since__isnull=False),
             then=plus_days(F("cur__prenatal_high_since"), w["diagnosis"])),
        When(pregnant & Q(cur__prenatal_done=False) & Q(cur__pregnancy_lmp__gte=plus_days(t, -w["serum_to"])),
             then=plus_days(lmp, w["nt_to"])),
        When(pregnant & Q(cur__outcome_result=OutcomeResult.NOT_DELIVERED),
             then=plus_days(F("cur__outcome_last_on"), w["outcome_repeat"])),
        When(pregnant, then=plus_days(lmp, GESTATION_DAYS + w["outcome_after_edd"])),
        When(visit_found_pregnancy, then=plus_days(F("last_visit_date"), w["early_after_visit"])),
        When(cur__exam_date__lt=plus_days(t, -w["early_close"]), then=Value(None)),
        When(cur__early_result=EarlyResult.NOT_PREGNANT, then=plus_days(F("cur__early_last_on"), w["early_repeat"])),
        default=plus_days(F("cur__exam_date"), w["early_first"]), output_field=DateField(),
    )
    return (
        couples_county().filter(is_void=False)
        .annotate(cur=FilteredRelation("screenings", condition=Q(screenings__is_current=True)))
        .annotate(
            survey_on=latest_survey_date(),
            cur_id=F("cur__id"), cur_status=F("cur__status"), cur_risk=F("cur__risk_level"),
            cur_exam_date=F("cur__exam_date"), cur_lmp=F("cur__pregnancy_lmp"),
            cur_early_result=F("cur__early_result"), cur_outcome_result=F("cur__outcome_result"),
            cur_prenatal_high_since=F("cur__prenatal_high_since"),
        )
        .annotate(step=step)
        .annotate(due_on=due)
        .annotate(
            high_risk=Case(When(cur__risk_level=RiskLevel.HIGH, then=Value(True)), default=Value(False),
                           output_field=BooleanField()),
            overdue=Case(When(due_on__lt=t, then=Value(True)), default=Value(False), output_field=BooleanField()),
        )
    )
